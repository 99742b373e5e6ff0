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
