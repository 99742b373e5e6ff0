//go:build !noasm

package kernels

// RMSNorm's two loops (norm_amd64.s): the sum of squares in float64 lanes
// and the scaled product, at both amd64 levels.

//go:noescape
func sumSquares16AVX2(x []float32) [16]float64

//go:noescape
func sumSquares16AVX512(x []float32) [16]float64

//go:noescape
func scaleMul8AVX2(dst, x, w []float32, s float32)

//go:noescape
func scaleMulAVX512(dst, x, w []float32, s float32)

// scaleMulAVX2 is kernelSet.scaleMul: groups of eight in assembly, the rest
// in Go.
func scaleMulAVX2(dst, x, w []float32, s float32) {
	x, w = x[:len(dst)], w[:len(dst)]
	n := len(dst) &^ 7
	scaleMul8AVX2(dst[:n], x, w, s)
	scaleMulGeneric(dst[n:], x[n:], w[n:], s)
}
