package kernels

// Softmax replaces x by exp(x - max) / sum, in place.
func Softmax(x []float32) {
	if len(x) == 0 {
		return
	}
	m := impl.max(x)
	sum := impl.expShift(x, m)
	impl.scale(1/sum, x)
}

// maxOf is the largest value of a non-empty x.
func maxOf(x []float32) float32 {
	m := x[0]
	for _, v := range x[1:] {
		if v > m {
			m = v
		}
	}
	return m
}

// ExpShift replaces x by exp(x − shift) and returns the sum of the results:
// the inner loop of a softmax or a cross-entropy, on the SIMD exp.
func ExpShift(x []float32, shift float32) float32 { return impl.expShift(x, shift) }

// SiLUMul computes gate = silu(gate) * up in place: the SwiGLU activation.
func SiLUMul(gate, up []float32) {
	impl.siluMul(gate, up[:len(gate)])
}
