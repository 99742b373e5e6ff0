package kernels

// Softmax replaces x by exp(x - max) / sum, in place. Probabilities that
// would be subnormal are zero (see ScaleNormal).
func Softmax(x []float32) {
	if len(x) == 0 {
		return
	}
	m := impl.max(x)
	sum := impl.expShift(x, m)
	ScaleNormal(1/sum, x)
}

// flushThreshold is twice the smallest normal float32: a value at least
// flushThreshold/s, scaled by s, stays normal whatever the rounding.
const flushThreshold = 0x1p-125

// ScaleNormal is Scale(s, x) for x ≥ 0 and s > 0 that leaves nothing
// subnormal: values that s would take below 2⁻¹²⁵ become zero. Softmax
// weights of scores more than ~87 below the largest come out subnormal,
// and on x86 every multiply that takes a subnormal operand is micro-coded
// (tens to hundreds of cycles instead of one): the products those weights
// go into (P·V, a loss gradient through an output head) slow down by up to
// an order of magnitude. Zero differs from each by less than 2⁻¹²⁵.
func ScaleNormal(s float32, x []float32) { impl.scaleNormal(s, x) }

// scaleNormalGeneric is ScaleNormal in Go, and the tail of the assembly's
// whole vectors.
func scaleNormalGeneric(s float32, x []float32) {
	thr := flushThreshold / s
	for i, v := range x {
		if v < thr {
			v = 0
		}
		x[i] = v * s
	}
}

// Max is the largest value of a non-empty x as maxOf finds it (a loop
// keeping v > m), on the level's SIMD max where it has one.
func Max(x []float32) float32 { return impl.max(x) }

// maxOf is the largest value of a non-empty x.
func maxOf(x []float32) float32 { return maxFrom(x[0], x[1:]) }

// maxFrom is the largest of m and x, taking a value only if it is greater
// (so a NaN in x is passed over, and a NaN m stays).
func maxFrom(m float32, x []float32) float32 {
	for _, v := range x {
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
