package lora

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/optim"
)

// Module is one LoRA factor pair: ΔW = Scale()·B·A.
type Module struct {
	Rank    int
	Alpha   float32
	In, Out int
	A       []float32 // Rank rows of In
	B       []float32 // Out rows of Rank
	GradA   []float32
	GradB   []float32
}

// Scale is alpha/rank, the factor of B·A.
func (m *Module) Scale() float32 { return m.Alpha / float32(m.Rank) }

// SiteModules are the modules at one site of one layer.
type SiteModules struct {
	Layer   int
	Site    nn.Site
	In, Out int
	Modules []*Module
}

// Set is a trainable collection of LoRA modules on a model.
type Set struct {
	Arch    string
	Base    Base // the model the modules were placed on
	Config  Config
	Sites   []*SiteModules // ordered by layer, then site
	byLayer [][nn.NumSites]*SiteModules
}

// New places modules on m as cfg says. A is drawn Kaiming-uniform (bound
// 1/√in, PyTorch's default for a linear layer) from rng and B is zero, so
// the adapter starts as the identity and training moves it away.
func New(m *nn.Model, cfg Config, rng *rand.Rand) (*Set, error) {
	if len(cfg.Modules) == 0 || len(cfg.Sites) == 0 || len(cfg.Layers) == 0 {
		return nil, fmt.Errorf("lora: no modules, sites or layers to place")
	}
	for _, mc := range cfg.Modules {
		if mc.Rank < 1 || mc.Alpha <= 0 {
			return nil, fmt.Errorf("lora: rank %d and alpha %g must be positive", mc.Rank, mc.Alpha)
		}
	}
	if cfg.Dropout < 0 || cfg.Dropout >= 1 {
		return nil, fmt.Errorf("lora: dropout %g is outside [0, 1)", cfg.Dropout)
	}
	s := &Set{Arch: m.Config.Arch, Base: BaseOf(m), Config: cfg, byLayer: make([][nn.NumSites]*SiteModules, m.Config.Layers)}
	for _, l := range cfg.Layers {
		if l < 0 || l >= m.Config.Layers {
			return nil, fmt.Errorf("lora: layer %d is outside the model's %d", l, m.Config.Layers)
		}
		for _, site := range cfg.Sites {
			w := m.Weights.Layers[l].Matrix(site)
			sm := &SiteModules{Layer: l, Site: site, In: w.Cols, Out: w.Rows}
			bound := 1 / math.Sqrt(float64(w.Cols))
			for _, mc := range cfg.Modules {
				mod := &Module{Rank: mc.Rank, Alpha: mc.Alpha, In: w.Cols, Out: w.Rows,
					A: make([]float32, mc.Rank*w.Cols), B: make([]float32, w.Rows*mc.Rank),
					GradA: make([]float32, mc.Rank*w.Cols), GradB: make([]float32, w.Rows*mc.Rank)}
				for i := range mod.A {
					mod.A[i] = float32((rng.Float64()*2 - 1) * bound)
				}
				sm.Modules = append(sm.Modules, mod)
			}
			s.Sites = append(s.Sites, sm)
			s.byLayer[l][site] = sm
		}
	}
	return s, nil
}

// At is the modules at (layer, site), or nil.
func (s *Set) At(layer int, site nn.Site) *SiteModules {
	if layer < 0 || layer >= len(s.byLayer) {
		return nil
	}
	return s.byLayer[layer][site]
}

// Params lists every factor with its gradient, named after the GGUF tensor
// it is saved in ("blk.0.ffn_up.weight.lora_a.1" for module 1).
func (s *Set) Params() []optim.Param {
	var ps []optim.Param
	for _, sm := range s.Sites {
		base := sm.Site.TensorName(sm.Layer)
		for i, mod := range sm.Modules {
			ps = append(ps,
				optim.Param{Name: fmt.Sprintf("%s.lora_a.%d", base, i), Value: mod.A, Grad: mod.GradA},
				optim.Param{Name: fmt.Sprintf("%s.lora_b.%d", base, i), Value: mod.B, Grad: mod.GradB})
		}
	}
	return ps
}

// TotalRank is the summed rank of the modules at one site.
func (s *Set) TotalRank() int {
	r := 0
	for _, mc := range s.Config.Modules {
		r += mc.Rank
	}
	return r
}

// FileAlpha is the single alpha of the saved adapter: chosen so that module
// 0's scale is kept exactly (alpha/r_total = alpha_0/r_0), which leaves B
// untouched whenever all modules share one scale.
func (s *Set) FileAlpha() float32 {
	m0 := s.Config.Modules[0]
	return m0.Alpha * float32(s.TotalRank()) / float32(m0.Rank)
}

// Fold returns the inference form: at each site the modules' A stacked into
// one rank-Σr matrix and their B side by side, each B's columns multiplied
// by (alpha_i/r_i)/(alpha/Σr) so that llama.cpp's single scale alpha/Σr
// reproduces Σ_i (alpha_i/r_i)·B_i·A_i.
func (s *Set) Fold() *Adapter {
	alpha := s.FileAlpha()
	a := newAdapter(s.Arch, alpha, len(s.byLayer))
	a.Base = s.Base
	for _, sm := range s.Sites {
		r := 0
		for _, mod := range sm.Modules {
			r += mod.Rank
		}
		f := &Factors{Rank: r, In: sm.In, Out: sm.Out, A: make([]float32, r*sm.In), B: make([]float32, sm.Out*r)}
		fileScale := alpha / float32(r)
		off := 0
		for _, mod := range sm.Modules {
			copy(f.A[off*sm.In:], mod.A)
			k := mod.Scale() / fileScale
			for o := 0; o < sm.Out; o++ {
				for j := 0; j < mod.Rank; j++ {
					f.B[o*r+off+j] = mod.B[o*mod.Rank+j] * k
				}
			}
			off += mod.Rank
		}
		a.set(sm.Layer, sm.Site, f)
	}
	return a
}
