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
	h    [][]float32 // per module: A·x, T rows of Rank
	bt   [][]float32 // per module: Bᵀ, Rank rows of Out
	dh   []float32   // T rows of the largest rank
	dbt  []float32   // gradient of Bᵀ for one module
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
		c.bt = append(c.bt, make([]float32, m.Rank*sm.Out))
		maxR = max(maxR, m.Rank)
	}
	c.dh = make([]float32, T*maxR)
	c.dbt = make([]float32, maxR*sm.Out)
	if dropout {
		c.xd = make([]float32, T*sm.In)
		c.mask = make([]float32, T*sm.In)
		c.dxd = make([]float32, T*sm.In)
	}
	return c
}

// parallel runs f over [0, n) on the kernel pool.
func parallel(n int, f func(lo, hi int)) {
	kernels.Default().For(n, max(1, n/16), kernels.TaskFunc(func(lo, hi, _ int) { f(lo, hi) }))
}

// Forward adds the modules' term Σ_i s_i·B_i·A_i·drop(x[t]) to y[t] for T
// rows. With dropout p > 0, each input value of the LoRA path is zeroed with
// probability p (the frozen path sees x unchanged) and the rest scaled by
// 1/(1−p); rng draws the mask.
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
		bt := c.bt[i]
		for o := 0; o < sm.Out; o++ {
			for j := 0; j < m.Rank; j++ {
				bt[j*sm.Out+o] = m.B[o*m.Rank+j]
			}
		}
	}
	parallel(T, func(lo, hi int) {
		for t := lo; t < hi; t++ {
			xt, yt := xd[t*sm.In:(t+1)*sm.In], y[t*sm.Out:(t+1)*sm.Out]
			for i, m := range sm.Modules {
				h, s := c.h[i][t*m.Rank:(t+1)*m.Rank], m.Scale()
				for j := range h {
					h[j] = kernels.Dot(m.A[j*sm.In:(j+1)*sm.In], xt)
					kernels.Axpy(s*h[j], c.bt[i][j*sm.Out:(j+1)*sm.Out], yt)
				}
			}
		}
	})
}

// Backward adds the modules' gradients (GradA, GradB) and the LoRA path's
// input gradient to dx, from dy, the gradient of the site's output, and x,
// the input Forward saw.
func (sm *SiteModules) Backward(dx, dy, x []float32, T int, c *SiteCache) {
	xd, dxd := x, dx
	if c.dropped {
		xd, dxd = c.xd[:T*sm.In], c.dxd[:T*sm.In]
		clear(dxd)
	}
	for i, m := range sm.Modules {
		r, s := m.Rank, m.Scale()
		h, bt, dh := c.h[i], c.bt[i], c.dh[:T*r]
		parallel(T, func(lo, hi int) {
			for t := lo; t < hi; t++ {
				dyt := dy[t*sm.Out : (t+1)*sm.Out]
				for j := 0; j < r; j++ {
					dh[t*r+j] = s * kernels.Dot(bt[j*sm.Out:(j+1)*sm.Out], dyt)
				}
			}
		})
		dbt := c.dbt[:r*sm.Out]
		parallel(r, func(lo, hi int) {
			for j := lo; j < hi; j++ {
				row := dbt[j*sm.Out : (j+1)*sm.Out]
				clear(row)
				ga := m.GradA[j*sm.In : (j+1)*sm.In]
				for t := 0; t < T; t++ {
					if g := h[t*r+j]; g != 0 {
						kernels.Axpy(s*g, dy[t*sm.Out:(t+1)*sm.Out], row)
					}
					if g := dh[t*r+j]; g != 0 {
						kernels.Axpy(g, xd[t*sm.In:(t+1)*sm.In], ga)
					}
				}
			}
		})
		for o := 0; o < sm.Out; o++ {
			gb := m.GradB[o*r : (o+1)*r]
			for j := range gb {
				gb[j] += dbt[j*sm.Out+o]
			}
		}
		parallel(T, func(lo, hi int) {
			for t := lo; t < hi; t++ {
				dxt := dxd[t*sm.In : (t+1)*sm.In]
				for j := 0; j < r; j++ {
					if g := dh[t*r+j]; g != 0 {
						kernels.Axpy(g, m.A[j*sm.In:(j+1)*sm.In], dxt)
					}
				}
			}
		})
	}
	if c.dropped {
		mask := c.mask[:T*sm.In]
		for i, g := range dxd {
			dx[i] += g * mask[i]
		}
	}
}
