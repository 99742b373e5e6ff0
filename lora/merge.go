package lora

import (
	"github.com/milp-lite/milp-lite/kernels"
	"github.com/milp-lite/milp-lite/nn"
)

// Merge returns a model whose weights at the adapters' sites are
// W + Σ scale·B·A, as float32 (a quantised weight is expanded first). The
// other weights, the tokenizer and the file are shared with m, which must
// stay open. Merged inference costs nothing per token; unmerged keeps the
// base weights shared between users.
func Merge(m *nn.Model, adapters ...*Adapter) *nn.Model {
	merged := *m
	w := *m.Weights
	w.Layers = append([]nn.LayerWeights(nil), m.Weights.Layers...)
	merged.Weights = &w
	for l := range w.Layers {
		lw := &w.Layers[l]
		slots := [nn.NumSites]**kernels.Matrix{&lw.Wq, &lw.Wk, &lw.Wv, &lw.Wo, &lw.Gate, &lw.Up, &lw.Down}
		for s := nn.Site(0); s < nn.NumSites; s++ {
			if vals := mergedValues(*slots[s], l, s, adapters); vals != nil {
				src := *slots[s]
				*slots[s] = kernels.NewF32Matrix(src.Rows, src.Cols, vals)
			}
		}
	}
	return &merged
}

// mergedValues is the weight w at (layer, site) with the adapters' ΔW added,
// as float32, or nil when no adapter modifies the site.
func mergedValues(w *kernels.Matrix, layer int, s nn.Site, adapters []*Adapter) []float32 {
	var vals []float32
	for _, a := range adapters {
		f := a.At(layer, s)
		if f == nil {
			continue
		}
		if vals == nil {
			vals = dense(w)
		}
		scale := a.SiteScale(f.Rank)
		for o := 0; o < f.Out; o++ {
			row := vals[o*f.In : (o+1)*f.In]
			for j := 0; j < f.Rank; j++ {
				kernels.Axpy(scale*f.B[o*f.Rank+j], f.A[j*f.In:(j+1)*f.In], row)
			}
		}
	}
	return vals
}

// dense copies a matrix of any type into float32 values.
func dense(w *kernels.Matrix) []float32 {
	vals := make([]float32, w.Rows*w.Cols)
	for r := 0; r < w.Rows; r++ {
		copy(vals[r*w.Cols:], w.Row(r, vals[r*w.Cols:(r+1)*w.Cols]))
	}
	return vals
}
