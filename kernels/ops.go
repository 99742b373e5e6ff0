package kernels

import "math"

// RMSNorm writes x / sqrt(mean(x²) + eps) * weight into dst. The sum of squares
// is accumulated in float64 so that long rows do not lose precision, in four
// independent sums: one chain of dependent float64 adds made this loop a
// few percent of prompt processing.
func RMSNorm(dst, x, weight []float32, eps float32) {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		v := x[i : i+4 : i+4]
		s0 += float64(v[0]) * float64(v[0])
		s1 += float64(v[1]) * float64(v[1])
		s2 += float64(v[2]) * float64(v[2])
		s3 += float64(v[3]) * float64(v[3])
	}
	for ; i < len(x); i++ {
		s0 += float64(x[i]) * float64(x[i])
	}
	ss := (s0 + s1) + (s2 + s3)
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
	m := maxOf(x)
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
