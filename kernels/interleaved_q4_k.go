package kernels

import "github.com/milp-lite/milp-lite/quant"

// The Q4_K interleaved layout (interleaved.go), per group and super-block
// (2304 bytes, the sixteen rows' 144-byte super-blocks):
//
//	[32 B: the rows' f16 d][32 B: their f16 dmin]
//	[3 × 64 B: unit s holds, for each row l, bytes 4s…4s+3 of its twelve
//	packed 6-bit scale and min bytes]
//	[32 × 64 B: unit u holds, for each row l, its nibble bytes 4u…4u+3]
//
// Nibble byte i of chunk c (bytes 32c…32c+31) holds value i of sub-block 2c
// in its low nibble and value i of sub-block 2c+1 in its high one. The
// kernel unpacks the scales in the lanes (one dword of scale bytes per row
// holds four of them), sums each sub-block's nibble·activation products
// with VPDPBUSD and weighs them by the scales in integers; the mins meet the
// activations' sub-block sums (kSubSums), which are the same for all rows.
// The AVX2 twin (interleaved_avx2_amd64.s) reads the same layout, a unit as
// two registers of eight rows, with VPMADDUBSW and VPMADDWD for VPDPBUSD.
const (
	k4GroupBlock = ilLanes * quant.BlockBytesQ4_K // bytes per group and super-block
	k4ScaleUnits = 3                              // 64-byte units of scale bytes
	k4QsOffset   = 2*ilScaleSize + k4ScaleUnits*ilUnitSize
	k4QsUnits    = quant.QKK / 8                                    // 64-byte units of nibble bytes
	_            = k4QsOffset + k4QsUnits*ilUnitSize - k4GroupBlock // sizes agree
)

// interleaveQ4_KGroups writes groups [g0, g1) of the interleaved layout of
// data into out.
func interleaveQ4_KGroups(data, out []byte, cols, g0, g1 int) {
	nb := cols / quant.QKK
	rb := nb * quant.BlockBytesQ4_K
	for g := g0; g < g1; g++ {
		for b := 0; b < nb; b++ {
			dst := out[(g*nb+b)*k4GroupBlock:][:k4GroupBlock]
			for l := 0; l < ilLanes; l++ {
				blk := data[(g*ilLanes+l)*rb+b*quant.BlockBytesQ4_K:][:quant.BlockBytesQ4_K]
				copy(dst[2*l:][:2], blk[0:2])
				copy(dst[ilScaleSize+2*l:][:2], blk[2:4])
				for s := 0; s < k4ScaleUnits; s++ {
					copy(dst[2*ilScaleSize+s*ilUnitSize+4*l:][:4], blk[4+4*s:])
				}
				for u := 0; u < k4QsUnits; u++ {
					copy(dst[k4QsOffset+u*ilUnitSize+4*l:][:4], blk[16+4*u:])
				}
			}
		}
	}
}

// kSubSums sets xc[j] = Σ xq over sub-block j (32 values) from the K
// activations' sums per 16 (xs).
func kSubSums(xs []int16, xc []int32) {
	for j := range xc {
		xc[j] = int32(xs[2*j]) + int32(xs[2*j+1])
	}
}

// gemvQ4_Kx16Generic is kernelSet.gemvQ4_Kx16's reference: for each of
// groups interleaved groups of w (nb super-blocks each), out[16g+l] = Σ_b
// float(Σ_j sc_j·Σ n·x)·(d_l·xd[b]) − float(Σ_j m_j·xc[8b+j])·(dmin_l·xd[b]),
// accumulated super-block by super-block in the assembly's order.
func gemvQ4_Kx16Generic(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32) {
	for g := 0; g < groups; g++ {
		var acc [ilLanes]float32
		for b := 0; b < nb; b++ {
			blk := w[(g*nb+b)*k4GroupBlock:][:k4GroupBlock]
			x := xq[quant.QKK*b:][:quant.QKK]
			for l := 0; l < ilLanes; l++ {
				var scales [12]byte
				for s := 0; s < k4ScaleUnits; s++ {
					copy(scales[4*s:4*s+4], blk[2*ilScaleSize+s*ilUnitSize+4*l:])
				}
				var sq, sm int32
				for c := 0; c < 4; c++ {
					var lo, hi int32
					for u := 0; u < 8; u++ {
						q := blk[k4QsOffset+(8*c+u)*ilUnitSize+4*l:][:4]
						for i, v := range q {
							lo += int32(v&15) * int32(x[64*c+4*u+i])
							hi += int32(v>>4) * int32(x[64*c+32+4*u+i])
						}
					}
					sc0, m0 := quant.UnpackScaleMinK4(2*c, &scales)
					sc1, m1 := quant.UnpackScaleMinK4(2*c+1, &scales)
					sq += int32(sc0)*lo + int32(sc1)*hi
					sm += int32(m0)*xc[8*b+2*c] + int32(m1)*xc[8*b+2*c+1]
				}
				acc[l] += float32(sq) * (f16le(blk[2*l:]) * xd[b])
				acc[l] -= float32(sm) * (f16le(blk[ilScaleSize+2*l:]) * xd[b])
			}
		}
		copy(out[ilLanes*g:], acc[:])
	}
}
