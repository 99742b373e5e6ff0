package lora

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/quant"
)

// Save writes the adapter in llama.cpp's LoRA GGUF format, atomically:
// general.type "adapter", general.architecture the base model's,
// adapter.type "lora", adapter.lora.alpha (f32), and for each site the F32
// tensors "<base>.lora_a" (ne [in, r]) and "<base>.lora_b" (ne [r, out]),
// followed by the base model's record (milp.base.*, and llama.cpp's
// general.base_model.0.name) and a.Meta.
func (a *Adapter) Save(path string) error {
	b := gguf.NewBuilder()
	b.Set("general.architecture", gguf.Str(a.Arch))
	b.Set("general.type", gguf.Str("adapter"))
	b.Set("adapter.type", gguf.Str("lora"))
	b.Set("adapter.lora.alpha", gguf.F32(a.Alpha))
	if a.Base.Known() {
		b.Set("general.base_model.count", gguf.U32(1))
		b.Set("general.base_model.0.name", gguf.Str(a.Base.Name))
		kv := a.Base.keyValues()
		for _, k := range baseKeys {
			b.Set(k, gguf.Str(kv[k]))
		}
	}
	for _, kv := range a.Meta {
		b.Set(kv.Key, kv.Value)
	}
	var err error
	a.Each(func(l int, s nn.Site, f *Factors) {
		base := s.TensorName(l)
		if err == nil {
			err = addF32(b, base+".lora_a", []uint64{uint64(f.In), uint64(f.Rank)}, f.A)
		}
		if err == nil {
			err = addF32(b, base+".lora_b", []uint64{uint64(f.Rank), uint64(f.Out)}, f.B)
		}
	})
	if err != nil {
		return err
	}
	return b.WriteFile(path)
}

func addF32(b *gguf.Builder, name string, dims []uint64, vals []float32) error {
	data, err := quant.Quantize(quant.F32, vals)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return b.AddTensor(name, quant.F32, dims, data)
}

// Load opens a LoRA GGUF, or a PEFT LoRA directory (LoadPEFT), and checks
// it against the model it will run on. A file that is not a LoRA adapter, of
// another architecture, or with a tensor that names no site of the model or
// does not fit its shape is an error in one line naming the tensor.
func Load(path string, m *nn.Model) (*Adapter, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return LoadPEFT(path, m)
	}
	f, err := gguf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	a, err := FromGGUF(f, m)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return a, nil
}

// FromGGUF reads an adapter from a parsed file (its values are copied).
func FromGGUF(f *gguf.File, m *nn.Model) (*Adapter, error) {
	if t, _ := f.String("general.type"); t != "adapter" {
		return nil, fmt.Errorf("general.type is %q, not \"adapter\": not a LoRA adapter file", t)
	}
	if t, _ := f.String("adapter.type"); t != "lora" {
		return nil, fmt.Errorf("adapter.type is %q, milp-lite reads \"lora\" adapters", t)
	}
	base := baseFrom(func(key string) (string, bool) {
		v, err := f.String(key)
		return v, err == nil
	})
	if err := base.check(m); err != nil {
		return nil, err
	}
	arch, _ := f.String("general.architecture")
	if arch != m.Config.Arch {
		return nil, fmt.Errorf("adapter is for architecture %q, the model is %q", arch, m.Config.Arch)
	}
	var alpha float32
	if _, ok := f.Get("adapter.lora.alpha"); ok {
		v, err := f.Float("adapter.lora.alpha")
		if err != nil {
			return nil, err
		}
		alpha = float32(v)
	}
	a := newAdapter(arch, alpha, m.Config.Layers)
	a.Base = base
	for _, kv := range f.KV {
		if strings.HasPrefix(kv.Key, "milp.") && !strings.HasPrefix(kv.Key, "milp.base.") {
			a.Meta = append(a.Meta, kv)
		}
	}
	for i := range f.Tensors {
		ti := &f.Tensors[i]
		base, ok := strings.CutSuffix(ti.Name, ".lora_a")
		if !ok {
			if !strings.HasSuffix(ti.Name, ".lora_b") {
				return nil, fmt.Errorf("tensor %q is neither a .lora_a nor a .lora_b", ti.Name)
			}
			if _, ok := f.Tensor(strings.TrimSuffix(ti.Name, ".lora_b") + ".lora_a"); !ok {
				return nil, fmt.Errorf("tensor %q has no matching .lora_a", ti.Name)
			}
			continue
		}
		layer, site, err := parseBase(base, m.Config.Layers)
		if err != nil {
			return nil, fmt.Errorf("tensor %q: %w", ti.Name, err)
		}
		w := m.Weights.Layers[layer].Matrix(site)
		tb, ok := f.Tensor(base + ".lora_b")
		if !ok {
			return nil, fmt.Errorf("tensor %q has no matching %s.lora_b", ti.Name, base)
		}
		if len(ti.Dims) != 2 || int(ti.Dims[0]) != w.Cols || ti.Dims[1] == 0 {
			return nil, fmt.Errorf("tensor %q has shape %v, the model's %s needs [%d r]", ti.Name, ti.Dims, base, w.Cols)
		}
		r := int(ti.Dims[1])
		if len(tb.Dims) != 2 || int(tb.Dims[0]) != r || int(tb.Dims[1]) != w.Rows {
			return nil, fmt.Errorf("tensor %q has shape %v, the model's %s with rank %d needs [%d %d]", tb.Name, tb.Dims, base, r, r, w.Rows)
		}
		fa := &Factors{Rank: r, In: w.Cols, Out: w.Rows, A: make([]float32, r*w.Cols), B: make([]float32, w.Rows*r)}
		if err := quant.Dequantize(ti.Type, f.TensorData(ti), fa.A); err != nil {
			return nil, fmt.Errorf("tensor %q: %w", ti.Name, err)
		}
		if err := quant.Dequantize(tb.Type, f.TensorData(tb), fa.B); err != nil {
			return nil, fmt.Errorf("tensor %q: %w", tb.Name, err)
		}
		a.set(layer, site, fa)
	}
	return a, nil
}

// parseBase reads "blk.N.<site>.weight".
func parseBase(base string, layers int) (int, nn.Site, error) {
	rest, ok := strings.CutPrefix(base, "blk.")
	num, name, ok2 := strings.Cut(rest, ".")
	name, ok3 := strings.CutSuffix(name, ".weight")
	if !ok || !ok2 || !ok3 {
		return 0, 0, fmt.Errorf("names no linear layer of a block (want blk.N.<site>.weight.lora_a)")
	}
	l, err := strconv.Atoi(num)
	if err != nil || l < 0 || l >= layers {
		return 0, 0, fmt.Errorf("layer %s is not one of the model's %d", num, layers)
	}
	site, err := nn.ParseSite(name)
	if err != nil {
		return 0, 0, err
	}
	return l, site, nil
}
