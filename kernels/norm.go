package kernels

import "math"

// RMSNorm writes x / sqrt(mean(x²) + eps) · weight into dst and returns the
// scale 1/sqrt(mean(x²) + eps) it applied (training keeps it for the
// backward pass).
//
// The sum of squares is taken in float64, in sixteen lanes (element i goes
// to lane i mod 16) that are then added pairwise, lane j with j+8, j+4,
// j+2, j+1: the order the SIMD kernels keep, so every level gives the same
// bits. Each square of a float32 is exact in float64, so only the adds
// round. (Sixteen lanes also keep the scalar loop off one long chain.)
func RMSNorm(dst, x, weight []float32, eps float32) float32 {
	scale := float32(1 / math.Sqrt(sumSquares(x)/float64(len(x))+float64(eps)))
	impl.scaleMul(dst[:len(x)], x, weight[:len(x)], scale)
	return scale
}

// sumSquares is Σ x[i]² in float64, in the lane order RMSNorm describes.
func sumSquares(x []float32) float64 {
	// The lanes come back by value: a pointer handed through the kernel
	// table would escape, an allocation per norm.
	var lanes [16]float64
	n := len(x) &^ 15
	if n > 0 {
		lanes = impl.sumSquares16(x[:n])
	}
	for i, v := range x[n:] {
		lanes[i] += float64(v) * float64(v)
	}
	for half := 8; half >= 1; half /= 2 {
		for j := 0; j < half; j++ {
			lanes[j] += lanes[j+half]
		}
	}
	return lanes[0]
}

// sumSquares16Generic returns lanes[j] = Σ x[i]² over i ≡ j (mod 16), for
// len(x) a multiple of 16.
func sumSquares16Generic(x []float32) (lanes [16]float64) {
	for i := 0; i+16 <= len(x); i += 16 {
		for j, v := range x[i : i+16 : i+16] {
			lanes[j] += float64(v) * float64(v)
		}
	}
	return lanes
}

// scaleMulGeneric sets dst[i] = x[i]·s·w[i] (two roundings, in that order).
func scaleMulGeneric(dst, x, w []float32, s float32) {
	x, w = x[:len(dst)], w[:len(dst)]
	for i, v := range x {
		dst[i] = v * s * w[i]
	}
}
