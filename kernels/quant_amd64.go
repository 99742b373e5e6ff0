//go:build !noasm

package kernels

import "github.com/milp-lite/milp-lite/quant"

// Assembly quantised-row dots (quant_avx2_amd64.s, quant_kq_amd64.s) and
// half-precision dots (half_amd64.s); see kernelSet for their contracts.

//go:noescape
func dotQ8_0AVX2(w []byte, xq []int8, xd []float32) float32

//go:noescape
func dotQ4_0AVX2(w []byte, xq []int8, xd []float32) float32

//go:noescape
func dotQ8_0VNNI(w []byte, xq []int8, xd []float32) float32

//go:noescape
func dotQ4_0VNNI(w []byte, xq []int8, xd []float32) float32

//go:noescape
func dotQ4_KAVX2(w []byte, xq []int8, xd []float32, xs []int16) float32

//go:noescape
func dotQ5_KAVX2(w []byte, xq []int8, xd []float32, xs []int16) float32

//go:noescape
func dotQ6_KAVX2(w []byte, xq []int8, xd []float32, xs []int16) float32

//go:noescape
func dotF16AVX2(w []byte, x []float32) float32

//go:noescape
func dotBF16AVX2(w []byte, x []float32) float32

// Activation quantisers (quantize_amd64.s), bit-exact with quantizeActQ8
// and quantizeActQ8K.

//go:noescape
func quantizeQ8AVX2(x []float32, xq []int8, xd []float32)

//go:noescape
func quantizeQ8KAVX2(x []float32, xq []int8, xd []float32, xs []int16)

// Q5_0 / Q4_1 / Q5_1 dots (quant_legacy_amd64.s): AVX2 and VNNI variants.

//go:noescape
func dotQ5_0AVX2(w []byte, xq []int8, xd []float32) float32

//go:noescape
func dotQ5_0VNNI(w []byte, xq []int8, xd []float32) float32

//go:noescape
func dotQ4_1AVX2(w []byte, xq []int8, xd, xs []float32) float32

//go:noescape
func dotQ4_1VNNI(w []byte, xq []int8, xd, xs []float32) float32

//go:noescape
func dotQ5_1AVX2(w []byte, xq []int8, xd, xs []float32) float32

//go:noescape
func dotQ5_1VNNI(w []byte, xq []int8, xd, xs []float32) float32

// dotQ8_0AVX512 is dotQ8_0VNNI on 512-bit registers, two blocks per step
// (quant_q8_avx512_amd64.s); it needs AVX-512 BW and VNNI. One row is a
// chunk of one for the many-rows kernel.
func dotQ8_0AVX512(w []byte, xq []int8, xd []float32) float32 {
	if len(xd) == 0 {
		return 0
	}
	var out [1]float32
	// The assembly does not check bounds: make the slices prove them.
	_, _ = w[len(xd)*quant.BlockBytesQ8_0-1], xq[len(xd)*quant.QK-1]
	dotQ8_0RowsAVX512(w, len(w), 1, xq, xd, out[:])
	return out[0]
}

// dotQ8_0RowsAVX512 is kernelSet.dotQ8_0Rows: out[r] = the dot of row r of
// w (rows of rowBytes) with the activations, for r < rows.
//
//go:noescape
func dotQ8_0RowsAVX512(w []byte, rowBytes, rows int, xq []int8, xd []float32, out []float32)

// gemvQ8_0x16AVX512, gemvQ4_0x16AVX512, gemvQ5_0x16AVX512, gemvQ4_Kx16AVX512
// and gemvQ6_Kx16AVX512 are the kernelSet's interleaved products on AVX-512
// with VNNI (interleaved_amd64.s).
//
//go:noescape
func gemvQ8_0x16AVX512(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)

//go:noescape
func gemvQ4_0x16AVX512(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)

//go:noescape
func gemvQ4_Kx16AVX512(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)

//go:noescape
func gemvQ5_0x16AVX512(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)

// gemvQ8_0x16AVX2, gemvQ4_0x16AVX2 and gemvQ5_0x16AVX2 are the interleaved
// products on AVX2 (interleaved_avx2_amd64.s).
//
//go:noescape
func gemvQ8_0x16AVX2(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)

//go:noescape
func gemvQ4_0x16AVX2(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)

//go:noescape
func gemvQ5_0x16AVX2(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)

//go:noescape
func gemvQ6_Kx16AVX512(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)

// gemvQ4_Kx16AVX2 is gemvQ4_Kx16AVX512's AVX2 twin (interleaved_avx2_amd64.s).
//
//go:noescape
func gemvQ4_Kx16AVX2(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)
