package kernels

// SwiGLU writes h = silu(g) ⊙ u element-wise, the training activation:
// with the bit-exact Exp and every operation rounded on its own, so that
// every level gives the Go loop's bits (inference's SiLUMul is faster and
// only accurate).
func SwiGLU(h, g, u []float32) {
	impl.swiglu(h[:len(g)], g, u[:len(g)])
}

// SwiGLUBackward adds the gradients of g and u from dh, bit-exact as
// SwiGLU: d silu(x)/dx = σ(x)·(1 + x·(1−σ(x))).
func SwiGLUBackward(dg, du, g, u, dh []float32) {
	n := len(g)
	impl.swigluBack(dg[:n], du[:n], g, u[:n], dh[:n])
}

func swigluGeneric(h, g, u []float32) {
	for i, x := range g {
		h[i] = x / (1 + Exp(-x)) * u[i]
	}
}

// swigluBackGeneric converts every product to float32 before it is added,
// so that Go cannot fuse the two into an FMA (see ExpCore).
func swigluBackGeneric(dg, du, g, u, dh []float32) {
	for i, x := range g {
		s := 1 / (1 + Exp(-x))
		du[i] += float32(float32(dh[i]*x) * s)
		dg[i] += float32(float32(float32(dh[i]*u[i])*s) * (1 + float32(x*(1-s))))
	}
}
