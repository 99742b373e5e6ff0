//go:build !noasm

package kernels

// Assembly f32 vector kernels (vec_avx2_amd64.s, vec_avx512_amd64.s); see
// kernelSet for their contracts.

//go:noescape
func dotAVX2(a, b []float32) float32

//go:noescape
func axpyAVX2(alpha float32, x, y []float32)

//go:noescape
func scaleAVX2(alpha float32, x []float32)

//go:noescape
func scaleNormal8AVX2(s, thr float32, x []float32)

// scaleNormalAVX2 is kernelSet.scaleNormal at both amd64 levels: whole
// vectors in assembly, the tail in Go.
func scaleNormalAVX2(s float32, x []float32) {
	n := len(x) &^ 7
	scaleNormal8AVX2(s, flushThreshold/s, x[:n])
	scaleNormalGeneric(s, x[n:])
}

//go:noescape
func sumAVX2(x []float32) float32

func peakFMAAVX2(iters int) int64

//go:noescape
func dotAVX512(a, b []float32) float32

//go:noescape
func axpyAVX512(alpha float32, x, y []float32)

//go:noescape
func scaleAVX512(alpha float32, x []float32)

//go:noescape
func sumAVX512(x []float32) float32

func peakFMAAVX512(iters int) int64
