//go:build !noasm

package kernels

// Assembly GEMM register tiles (gemm_amd64.s); see kernelSet.gemmMicro.

//go:noescape
func gemmMicro6x16AVX2(k int, a, b, c []float32, ldc int, accumulate bool)

//go:noescape
func gemmMicro12x32AVX512(k int, a, b, c []float32, ldc int, accumulate bool)
