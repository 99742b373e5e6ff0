package tensor

import "github.com/milp-lite/milp-lite/kernels"

// RMSNorm writes y[t] = x[t] / rms(x[t]) ⊙ w for T rows of n values and
// keeps 1/rms per row in rstd for the backward pass.
func RMSNorm(y, rstd, x, w []float32, n, T int, eps float32) {
	for t := 0; t < T; t++ {
		rstd[t] = kernels.RMSNorm(y[t*n:(t+1)*n], x[t*n:(t+1)*n], w, eps)
	}
}

// RMSNormBackward adds the input gradient: with g = w ⊙ dy and r = rstd,
// dx = r·g − r³/n · (x·g) · x. dw (optional) gets Σ_t dy ⊙ x·r.
func RMSNormBackward(dx, dw, x, w, rstd, dy []float32, n, T int) {
	for t := 0; t < T; t++ {
		xt, dyt, dxt := x[t*n:(t+1)*n], dy[t*n:(t+1)*n], dx[t*n:(t+1)*n]
		r := rstd[t]
		var dot float64
		for i, v := range xt {
			dot += float64(v) * float64(w[i]) * float64(dyt[i])
		}
		c := float32(dot) * r * r * r / float32(n)
		for i, v := range xt {
			dxt[i] += r*w[i]*dyt[i] - c*v
		}
		if dw != nil {
			for i, v := range xt {
				dw[i] += dyt[i] * v * r
			}
		}
	}
}

// normRowsChunk is how many rows a pool task of ParallelRMSNormBackward
// takes: SmolLM2-135M's 256 rows of 576 make eight.
const normRowsChunk = 32

// ParallelRMSNormBackward is RMSNormBackward without dw (the decoder's
// norms are frozen) on the kernel pool, in chunks of rows: each row's
// gradient is its own, so the results are the serial function's bit for
// bit, and the other workers do not wait on the caller. Make
// one per decoder: it holds the task so that a call allocates nothing.
type ParallelRMSNormBackward struct {
	dx, x, w, rstd, dy []float32
	n, T               int
}

// Run is RMSNormBackward(dx, nil, x, w, rstd, dy, n, T) on the pool.
func (p *ParallelRMSNormBackward) Run(dx, x, w, rstd, dy []float32, n, T int) {
	*p = ParallelRMSNormBackward{dx: dx, x: x, w: w, rstd: rstd, dy: dy, n: n, T: T}
	kernels.Default().For((T+normRowsChunk-1)/normRowsChunk, 1, p)
	*p = ParallelRMSNormBackward{}
}

// Do runs chunks [lo, hi) of rows.
func (p *ParallelRMSNormBackward) Do(lo, hi, _ int) {
	t0, t1, n := lo*normRowsChunk, min(hi*normRowsChunk, p.T), p.n
	RMSNormBackward(p.dx[t0*n:t1*n], nil, p.x[t0*n:t1*n], p.w, p.rstd[t0:t1], p.dy[t0*n:t1*n], n, t1-t0)
}
