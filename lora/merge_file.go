package lora

import (
	"fmt"

	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/quant"
)

// MergeFile is llama.cpp's export-lora: a GGUF builder of m's file with the
// adapters (each at its Scale) baked into the weights they modify, which are
// stored as typ; every other tensor and all metadata are kept as they are.
// progress, if not nil, is called after each merged weight with the count
// done and the total. The builder references m's file: keep m open until
// it is written.
func MergeFile(m *nn.Model, typ quant.Type, progress func(done, total int), adapters ...*Adapter) (*gguf.Builder, error) {
	if !quant.CanQuantize(typ) {
		return nil, fmt.Errorf("cannot store merged weights as %s", typ)
	}
	total := 0
	for l := range m.Weights.Layers {
		for s := nn.Site(0); s < nn.NumSites; s++ {
			for _, a := range adapters {
				if a.At(l, s) != nil {
					total++
					break
				}
			}
		}
	}
	merged := map[string][2]int{} // tensor name → (layer, site)
	for l := range m.Weights.Layers {
		for s := nn.Site(0); s < nn.NumSites; s++ {
			merged[s.TensorName(l)] = [2]int{l, int(s)}
		}
	}
	b := gguf.NewBuilder()
	for _, kv := range m.File.KV {
		b.Set(kv.Key, kv.Value)
	}
	done := 0
	for i := range m.File.Tensors {
		ti := &m.File.Tensors[i]
		outType, data := ti.Type, m.File.TensorData(ti)
		if ls, ok := merged[ti.Name]; ok {
			l, s := ls[0], nn.Site(ls[1])
			if vals := mergedValues(m.Weights.Layers[l].Matrix(s), l, s, adapters); vals != nil {
				q, err := quant.Quantize(typ, vals)
				if err != nil {
					return nil, fmt.Errorf("merging %s into %s: %w", ti.Name, typ, err)
				}
				outType, data = typ, q
				done++
				if progress != nil {
					progress(done, total)
				}
			}
		}
		if err := b.AddTensor(ti.Name, outType, ti.Dims, data); err != nil {
			return nil, err
		}
	}
	return b, nil
}
