package kernels

import "math"

// RMSNorm writes x / sqrt(mean(x²) + eps) * weight into dst. The sum of squares
// is accumulated in float64 so that long rows do not lose precision.
func RMSNorm(dst, x, weight []float32, eps float32) {
	var ss float64
	for _, v := range x {
		ss += float64(v) * float64(v)
	}
	scale := float32(1 / math.Sqrt(ss/float64(len(x))+float64(eps)))
	weight, dst = weight[:len(x)], dst[:len(x)]
	for i, v := range x {
		dst[i] = v * scale * weight[i]
	}
}

// Softmax replaces x by exp(x - max) / sum, in place.
func Softmax(x []float32) {
	if len(x) == 0 {
		return
	}
	m := x[0]
	for _, v := range x[1:] {
		m = max(m, v)
	}
	sum := impl.expShift(x, m)
	impl.scale(1/sum, x)
}

// ExpShift replaces x by exp(x − shift) and returns the sum of the results:
// the inner loop of a softmax or a cross-entropy, on the SIMD exp.
func ExpShift(x []float32, shift float32) float32 { return impl.expShift(x, shift) }

// SiLUMul computes gate = silu(gate) * up in place: the SwiGLU activation.
func SiLUMul(gate, up []float32) {
	impl.siluMul(gate, up[:len(gate)])
}
