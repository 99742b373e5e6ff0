package tensor

// SwiGLU writes h = silu(g) ⊙ u element-wise.
func SwiGLU(h, g, u []float32) {
	for i, x := range g {
		h[i] = x / (1 + Exp(-x)) * u[i]
	}
}

// SwiGLUBackward adds the gradients of g and u from dh:
// d silu(x)/dx = σ(x)·(1 + x·(1−σ(x))).
func SwiGLUBackward(dg, du, g, u, dh []float32) {
	for i, x := range g {
		s := 1 / (1 + Exp(-x))
		du[i] += dh[i] * x * s
		dg[i] += dh[i] * u[i] * s * (1 + x*(1-s))
	}
}

// SwiGLU on the tape.
func (tp *Tape) SwiGLU(g, u *Tensor) *Tensor {
	sameShape("SwiGLU", g, u)
	h := New(g.Rows, g.Cols)
	SwiGLU(h.Data, g.Data, u.Data)
	tp.record(func() { SwiGLUBackward(g.Grad, u.Grad, g.Data, u.Data, h.Grad) })
	return h
}
