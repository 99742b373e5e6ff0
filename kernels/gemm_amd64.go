//go:build !noasm

package kernels

// Assembly GEMM register tiles (gemm_amd64.s); see kernelSet.gemmMicro.

//go:noescape
func gemmMicro6x16AVX2(k int, a, b, c []float32, ldc int, accumulate bool)

//go:noescape
func gemmMicro12x32AVX512(k int, a, b, c []float32, ldc int, accumulate bool)

// gemmWT8x32AVX512 computes c[t·ldc+i] = Σ_p w[i·ldw+p]·x[p·32+t] for the
// 8 rows i of W and the 32 tokens t of a packed X panel (k rows of 32),
// over p < k, overwriting c (gemm_wt.go). At every k step it prefetches
// the cache line at pf, then moves pf on by pfStep bytes.
//
//go:noescape
func gemmWT8x32AVX512(k int, w []float32, ldw int, x, c []float32, ldc int, pf []float32, pfStep int)

// gemmWT6x16AVX2 is gemmWT8x32AVX512's AVX2 twin: 6 rows of W by a packed
// panel of 16 tokens.
//
//go:noescape
func gemmWT6x16AVX2(k int, w []float32, ldw int, x, c []float32, ldc int, pf []float32, pfStep int)

// gemmMicro12x32B16AVX512 and gemmMicro12x32LdbAVX512 are
// kernelSet.gemmMicroB16 and gemmMicroLdb on AVX-512.
//
//go:noescape
func gemmMicro12x32B16AVX512(k int, a []float32, b []uint16, ldb int, c []float32, ldc int)

//go:noescape
func gemmMicro12x32LdbAVX512(k int, a, b []float32, ldb int, c []float32, ldc int)

// gemmMicro12x32Q8AVX512 is kernelSet.gemmMicroQ8 on AVX-512.
//
//go:noescape
func gemmMicro12x32Q8AVX512(k int, a []float32, b []int8, ldb int, c []float32, ldc int, bs []float32)
