//go:build !noasm

package kernels

// gemvQ8_0x16SDOT, gemvQ4_0x16SDOT and gemvQ5_0x16SDOT are the interleaved
// products on NEON with the dot-product extension (interleaved_arm64.s).
//
//go:noescape
func gemvQ8_0x16SDOT(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)

//go:noescape
func gemvQ4_0x16SDOT(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)

//go:noescape
func gemvQ5_0x16SDOT(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)

// gemmQ8_0x16x4SDOT, gemmQ4_0x16x4SDOT and gemmQ5_0x16x4SDOT are the
// batched twins on NEON with the dot-product extension
// (interleaved_gemm_arm64.s), four tokens per tile, each bit-identical to
// the single-token kernel.
//
//go:noescape
func gemmQ8_0x16x4SDOT(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32, ldo int)

//go:noescape
func gemmQ4_0x16x4SDOT(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32, ldo int)

//go:noescape
func gemmQ5_0x16x4SDOT(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32, ldo int)
