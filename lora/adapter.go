package lora

import (
	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/kernels"
	"github.com/milp-lite/milp-lite/nn"
)

// Factors are one site's LoRA in inference form: ΔW = scale·B·A with A Rank
// rows of In and B Out rows of Rank.
type Factors struct {
	Rank, In, Out int
	A, B          []float32
	bt            []float32 // Bᵀ (Rank rows of Out), so y += Σ_j h_j·Bᵀ_j runs along Out
	// a16 and bt16, after Adapter.UseHalves: A and Bᵀ in IEEE halves,
	// which Adapt reads instead of A and bt.
	a16, bt16 []uint16
}

// Adapter is a LoRA adapter ready for inference, in the layout of llama.cpp's
// adapter GGUF: one alpha for the file, one factor pair per site. It
// implements nn.Adapter.
type Adapter struct {
	Arch  string
	Alpha float32 // the file's adapter.lora.alpha; 0 means scale 1, as in llama.cpp
	Scale float32 // the user's multiplier (--adapter FILE:SCALE), 1 by default
	Meta  []gguf.KV
	Base  Base // the model it was trained on; zero for adapters made before milp-lite recorded it
	sites [][nn.NumSites]*Factors
	rank  int // the largest rank of its sites: the scratch Adapt needs
	wide  int // with halves, the longest row of a factor: Adapt's scratch for widening one
}

func newAdapter(arch string, alpha float32, layers int) *Adapter {
	return &Adapter{Arch: arch, Alpha: alpha, Scale: 1, sites: make([][nn.NumSites]*Factors, layers)}
}

func (a *Adapter) set(layer int, site nn.Site, f *Factors) {
	for len(a.sites) <= layer {
		a.sites = append(a.sites, [nn.NumSites]*Factors{})
	}
	f.bt = make([]float32, f.Rank*f.Out)
	for o := 0; o < f.Out; o++ {
		for j := 0; j < f.Rank; j++ {
			f.bt[j*f.Out+o] = f.B[o*f.Rank+j]
		}
	}
	a.sites[layer][site] = f
	a.rank = max(a.rank, f.Rank)
}

// UseHalves (before the adapter is handed to a State or Batch, which size
// their scratch by ScratchLen) makes Adapt read the factors in IEEE half precision: half the
// bytes a row's term reads, which is most of its cost when every row of a
// batch has its own adapter (many users generating: their factors do not
// stay in cache between rows). llama.cpp's converter writes adapters in F16
// by default; the rounding moves logits by about 1e-3 of their size. A and
// B stay in float32 for saving and merging; Bᵀ's float32 copy goes.
func (a *Adapter) UseHalves() {
	a.Each(func(_ int, _ nn.Site, f *Factors) {
		if f.a16 != nil {
			return
		}
		f.a16, f.bt16 = make([]uint16, len(f.A)), make([]uint16, len(f.bt))
		kernels.F16FromF32(f.a16, f.A)
		kernels.F16FromF32(f.bt16, f.bt)
		f.bt = nil
		a.wide = max(a.wide, f.In, f.Out)
	})
}

// MemoryBytes is what the adapter's factors hold in memory, with their
// inference copies (Bᵀ, or A and Bᵀ in halves).
func (a *Adapter) MemoryBytes() int64 {
	var n int64
	a.Each(func(_ int, _ nn.Site, f *Factors) {
		n += 4*int64(len(f.A)+len(f.B)+len(f.bt)) + 2*int64(len(f.a16)+len(f.bt16))
	})
	return n
}

// At is the factors at (layer, site), or nil.
func (a *Adapter) At(layer int, site nn.Site) *Factors {
	if layer < 0 || layer >= len(a.sites) {
		return nil
	}
	return a.sites[layer][site]
}

// Each calls fn for every site the adapter modifies, by layer then site.
func (a *Adapter) Each(fn func(layer int, site nn.Site, f *Factors)) {
	for l := range a.sites {
		for s, f := range a.sites[l] {
			if f != nil {
				fn(l, nn.Site(s), f)
			}
		}
	}
}

// SiteScale is the factor of B·A at a site of rank r: alpha/r (1 when alpha
// is 0, llama.cpp's convention) times the user's scale.
func (a *Adapter) SiteScale(r int) float32 {
	if a.Alpha == 0 {
		return a.Scale
	}
	return a.Scale * a.Alpha / float32(r)
}

// ScratchLen implements nn.Adapter: A·x for one row, of the largest rank,
// and with halves a row of the widest factor, widened where the level has
// no kernels for halves.
func (a *Adapter) ScratchLen() int { return a.rank + a.wide }

// Adapt implements nn.Adapter: y[b] += scale·B·(A·x[b]).
func (a *Adapter) Adapt(layer int, site nn.Site, y, x []float32, batch int, scratch []float32) {
	f := a.At(layer, site)
	if f == nil {
		return
	}
	s := a.SiteScale(f.Rank)
	h := scratch[:f.Rank]
	for b := 0; b < batch; b++ {
		xb, yb := x[b*f.In:(b+1)*f.In], y[b*f.Out:(b+1)*f.Out]
		if f.a16 != nil {
			wide := scratch[f.Rank:]
			kernels.DotRowsF16(xb, f.a16, f.In, h, wide)
			kernels.Scale(s, h)
			kernels.AxpyRowsF16(h, f.bt16, f.Out, yb, wide)
			continue
		}
		for j := range h {
			h[j] = s * kernels.Dot(f.A[j*f.In:(j+1)*f.In], xb)
		}
		kernels.AxpyRows(h, f.bt, f.Out, yb)
	}
}

var _ nn.Adapter = (*Adapter)(nil)

// Baked is the adapter with its user Scale folded in, scale 1: into alpha
// when there is one, else (llama.cpp's alpha 0, a scale of 1 at any rank)
// into each B, so that a file written from it applies what a applies.
func (a *Adapter) Baked() *Adapter {
	if a.Scale == 1 {
		return a
	}
	b := *a
	b.Scale = 1
	if a.Alpha != 0 {
		b.Alpha = a.Alpha * a.Scale
		return &b
	}
	b.sites = make([][nn.NumSites]*Factors, len(a.sites))
	a.Each(func(l int, s nn.Site, f *Factors) {
		g := &Factors{Rank: f.Rank, In: f.In, Out: f.Out, A: f.A, B: make([]float32, len(f.B))}
		for i, v := range f.B {
			g.B[i] = v * a.Scale
		}
		b.set(l, s, g)
	})
	return &b
}
