//go:build !noasm

package kernels

// gemmMicro8x12NEON is the NEON f32 GEMM register tile (gemm_arm64.s):
// gemmMR = 8, gemmNR = 12, with the packed-panel contract of kernelSet.
//
//go:noescape
func gemmMicro8x12NEON(k int, a, b, c []float32, ldc int, accumulate bool)
