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

// RMSNorm on the tape, with a frozen weight vector w.
func (tp *Tape) RMSNorm(x *Tensor, w []float32, eps float32) *Tensor {
	y := New(x.Rows, x.Cols)
	rstd := make([]float32, x.Rows)
	RMSNorm(y.Data, rstd, x.Data, w, x.Cols, x.Rows, eps)
	tp.record(func() { RMSNormBackward(x.Grad, nil, x.Data, w, rstd, y.Grad, x.Cols, x.Rows) })
	return y
}
