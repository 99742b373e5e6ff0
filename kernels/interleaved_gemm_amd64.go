//go:build !noasm

package kernels

// gemmQ8_0x16x8AVX512, gemmQ4_0x16x8AVX512 and gemmQ5_0x16x8AVX512 (tiles
// of eight tokens), gemmQ4_Kx16x4AVX512 and gemmQ6_Kx16x4AVX512 (four) are
// the kernelSet's batched interleaved products on AVX-512 with VNNI
// (interleaved_gemm_amd64.s).
//
//go:noescape
func gemmQ8_0x16x8AVX512(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32, ldo int)

//go:noescape
func gemmQ4_0x16x8AVX512(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32, ldo int)

//go:noescape
func gemmQ4_Kx16x4AVX512(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32, ldo int)

//go:noescape
func gemmQ5_0x16x8AVX512(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32, ldo int)

//go:noescape
func gemmQ6_Kx16x4AVX512(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32, ldo int)

// gemmQ8_0x16x4AVX2, gemmQ4_0x16x4AVX2, gemmQ5_0x16x4AVX2 (four tokens per
// tile) and gemmQ4_Kx16x2AVX2 (two) are the batched products on AVX2
// (interleaved_gemm_avx2_amd64.s), each token bit-identical to the
// single-token AVX2 kernel.
//
//go:noescape
func gemmQ8_0x16x4AVX2(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32, ldo int)

//go:noescape
func gemmQ4_0x16x4AVX2(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32, ldo int)

//go:noescape
func gemmQ4_Kx16x2AVX2(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32, ldo int)

//go:noescape
func gemmQ5_0x16x4AVX2(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32, ldo int)
