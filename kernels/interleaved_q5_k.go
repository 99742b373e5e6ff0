package kernels

import "github.com/milp-lite/milp-lite/quant"

// The Q5_K interleaved layout (interleaved.go), per group and super-block
// (2816 bytes, the sixteen rows' 176-byte super-blocks): Q4_K's layout with
// the fifth bits between the scales and the nibbles,
//
//	[32 B: the rows' f16 d][32 B: their f16 dmin]
//	[3 × 64 B: the twelve packed scale and min bytes, as Q4_K]
//	[8 × 64 B: unit v holds, for each row l, its qh bytes 4v…4v+3]
//	[32 × 64 B: the nibble bytes, as Q4_K]
//
// Value i of chunk c (sub-block 2c, low nibble of byte 32c+i) takes bit 2c
// of qh byte i as its fifth bit, value i of sub-block 2c+1 (high nibble)
// bit 2c+1: one shift of the qh unit and a ternary-logic OR put it in place.
// Values are 0…31 with no offset (the mins carry it), so the kernel is Q4_K's
// with the fifth bits and the same activation terms (kSubSums).
const (
	k5GroupBlock = ilLanes * quant.BlockBytesQ5_K // bytes per group and super-block
	k5QhOffset   = 2*ilScaleSize + k4ScaleUnits*ilUnitSize
	k5QsOffset   = k5QhOffset + 8*ilUnitSize
	_            = k5QsOffset + k4QsUnits*ilUnitSize - k5GroupBlock // sizes agree
)

// interleaveQ5_K rewrites rows×cols Q5_K values (rows a multiple of
// ilLanes) into the interleaved layout.
func interleaveQ5_K(data []byte, rows, cols int) []byte {
	out := make([]byte, len(data))
	interleaveQ5_KGroups(data, out, cols, 0, rows/ilLanes)
	return out
}

// interleaveQ5_KGroups writes groups [g0, g1) of the interleaved layout of
// data into out.
func interleaveQ5_KGroups(data, out []byte, cols, g0, g1 int) {
	nb := cols / quant.QKK
	rb := nb * quant.BlockBytesQ5_K
	for g := g0; g < g1; g++ {
		for b := 0; b < nb; b++ {
			dst := out[(g*nb+b)*k5GroupBlock:][:k5GroupBlock]
			for l := 0; l < ilLanes; l++ {
				blk := data[(g*ilLanes+l)*rb+b*quant.BlockBytesQ5_K:][:quant.BlockBytesQ5_K]
				copy(dst[2*l:][:2], blk[0:2])
				copy(dst[ilScaleSize+2*l:][:2], blk[2:4])
				for s := 0; s < k4ScaleUnits; s++ {
					copy(dst[2*ilScaleSize+s*ilUnitSize+4*l:][:4], blk[4+4*s:])
				}
				for v := 0; v < 8; v++ {
					copy(dst[k5QhOffset+v*ilUnitSize+4*l:][:4], blk[16+4*v:])
				}
				for u := 0; u < k4QsUnits; u++ {
					copy(dst[k5QsOffset+u*ilUnitSize+4*l:][:4], blk[48+4*u:])
				}
			}
		}
	}
}

// gemvQ5_Kx16Generic is kernelSet.gemvQ5_Kx16's reference, as
// gemvQ4_Kx16Generic with the fifth bits.
func gemvQ5_Kx16Generic(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32) {
	for g := 0; g < groups; g++ {
		var acc [ilLanes]float32
		for b := 0; b < nb; b++ {
			blk := w[(g*nb+b)*k5GroupBlock:][:k5GroupBlock]
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
						q := blk[k5QsOffset+(8*c+u)*ilUnitSize+4*l:][:4]
						h := blk[k5QhOffset+u*ilUnitSize+4*l:][:4]
						for i, v := range q {
							lo += int32(v&15|h[i]>>(2*c)&1<<4) * int32(x[64*c+4*u+i])
							hi += int32(v>>4|h[i]>>(2*c+1)&1<<4) * int32(x[64*c+32+4*u+i])
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
