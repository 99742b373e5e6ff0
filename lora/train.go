package lora

import (
	"math/rand/v2"

	"github.com/milp-lite/milp-lite/kernels"
)

// SiteCache is what a site's training forward pass keeps for its backward
// pass, allocated once per sequence length and reused every step.
type SiteCache struct {
	T    int
	xd   []float32   // the dropped-out input (T rows of In), when dropout is on
	mask []float32   // 0 or 1/(1−p) per input value
	h    [][]float32 // per module: s·A·x[t] for each t, stored transposed: Rank rows of T
	dh   []float32   // its gradient for one module, Rank rows of T
	dxd  []float32   // gradient of the dropped input
	// dropped says whether the last Forward applied dropout.
	dropped bool
}

// NewCache allocates the cache of sequences of T tokens.
func (sm *SiteModules) NewCache(T int, dropout bool) *SiteCache {
	c := &SiteCache{T: T}
	maxR := 0
	for _, m := range sm.Modules {
		c.h = append(c.h, make([]float32, T*m.Rank))
		maxR = max(maxR, m.Rank)
	}
	c.dh = make([]float32, T*maxR)
	if dropout {
		c.xd = make([]float32, T*sm.In)
		c.mask = make([]float32, T*sm.In)
		c.dxd = make([]float32, T*sm.In)
	}
	return c
}

// Forward adds the modules' term Σ_i s_i·B_i·A_i·drop(x[t]) to y[t] for T
// rows. With dropout p > 0, each input value of the LoRA path is zeroed with
// probability p (the frozen path sees x unchanged) and the rest scaled by
// 1/(1−p); rng draws the mask.
//
// The T tokens are the batch of two matrix products per module,
// H = s·X·Aᵀ (T×Rank) and Y += H·Bᵀ, so the kernels' GEMM does the work.
// H is computed and kept transposed (Hᵀ = s·A·Xᵀ, Rank rows of T): the
// GEMM packs its left operand row by row into column panels, which is
// cheap for the Rank×In factor and costly for the T×In input, while the
// right operand, transposed or not, is packed with whole-row copies or a
// vector transpose. Every product below is arranged the same way.
func (sm *SiteModules) Forward(y, x []float32, T int, c *SiteCache, p float32, rng *rand.Rand) {
	xd := x
	c.dropped = p > 0 && c.xd != nil
	if c.dropped {
		keep := 1 / (1 - p)
		xd = c.xd[:T*sm.In]
		for i, v := range x[:T*sm.In] {
			if rng.Float32() < p {
				c.mask[i], xd[i] = 0, 0
			} else {
				c.mask[i], xd[i] = keep, v*keep
			}
		}
	}
	for i, m := range sm.Modules {
		r, ht := m.Rank, c.h[i][:m.Rank*T]
		kernels.GEMM(false, true, r, T, sm.In, m.A, sm.In, xd, sm.In, ht, T, false) // Hᵀ = A·Xᵀ
		kernels.Scale(m.Scale(), ht)
		kernels.GEMM(true, true, T, sm.Out, r, ht, T, m.B, r, y, sm.Out, true) // Y += H·Bᵀ
	}
}

// Backward adds the modules' gradients (GradA, GradB) and the LoRA path's
// input gradient to dx, from dy, the gradient of the site's output, and x,
// the input Forward saw. With H = s·X·Aᵀ kept by Forward:
// GradB += dYᵀ·H, dH = s·dY·B, GradA += dHᵀ·X and dX += dH·A, four GEMMs
// with the tokens as the batch (or the reduction) dimension.
func (sm *SiteModules) Backward(dx, dy, x []float32, T int, c *SiteCache) {
	xd, dxd := x, dx
	if c.dropped {
		xd, dxd = c.xd[:T*sm.In], c.dxd[:T*sm.In]
		clear(dxd)
	}
	for i, m := range sm.Modules {
		r, ht, dht := m.Rank, c.h[i][:m.Rank*T], c.dh[:m.Rank*T]
		kernels.GEMM(true, true, sm.Out, r, T, dy, sm.Out, ht, T, m.GradB, r, true) // GradB += dYᵀ·H
		kernels.GEMM(true, true, r, T, sm.Out, m.B, r, dy, sm.Out, dht, T, false)   // dHᵀ = Bᵀ·dYᵀ
		kernels.Scale(m.Scale(), dht)
		kernels.GEMM(false, false, r, sm.In, T, dht, T, xd, sm.In, m.GradA, sm.In, true) // GradA += dHᵀ·X
		kernels.GEMM(true, false, T, sm.In, r, dht, T, m.A, sm.In, dxd, sm.In, true)     // dX += dH·A
	}
	if c.dropped {
		mask := c.mask[:T*sm.In]
		for i, g := range dxd {
			dx[i] += g * mask[i]
		}
	}
}
