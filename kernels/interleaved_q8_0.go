package kernels

import (
	"encoding/binary"

	"github.com/milp-lite/milp-lite/quant"
)

// The Q8_0 interleaved layout (interleaved.go), per group and block (544
// bytes, the sixteen rows' 34-byte blocks):
//
//	[32 B: the sixteen rows' f16 scales][8 × 64 B: unit k holds, for each
//	row l, the row's quants 4k…4k+3 of the block, each XOR 0x80]
//
// Every Q8_0 value, −128 included, survives the round trip.
const (
	q8GroupBlock = ilLanes * quant.BlockBytesQ8_0                  // bytes per group and block
	q8Units      = quant.QK / 4                                    // VPDPBUSDs per block
	_            = ilScaleSize + q8Units*ilUnitSize - q8GroupBlock // sizes agree
)

// interleaveQ8_0Groups writes groups [g0, g1) of the interleaved layout of
// data into out.
func interleaveQ8_0Groups(data, out []byte, cols, g0, g1 int) {
	nb := cols / quant.QK
	rb := nb * quant.BlockBytesQ8_0
	for g := g0; g < g1; g++ {
		for b := 0; b < nb; b++ {
			dst := out[(g*nb+b)*q8GroupBlock:][:q8GroupBlock]
			for l := 0; l < ilLanes; l++ {
				blk := data[(g*ilLanes+l)*rb+b*quant.BlockBytesQ8_0:][:quant.BlockBytesQ8_0]
				dst[2*l], dst[2*l+1] = blk[0], blk[1]
				for k := 0; k < q8Units; k++ {
					v := binary.LittleEndian.Uint32(blk[2+4*k:])
					binary.LittleEndian.PutUint32(dst[ilScaleSize+k*ilUnitSize+4*l:], v^0x80808080)
				}
			}
		}
	}
}

// gemvQ8_0x16Generic is kernelSet.gemvQ8_0x16's reference: for each of
// groups interleaved groups of w (nb blocks each), out[16g+l] = Σ_b
// float(Σ_j u·x + xc[b]) · (scale_l·xd[b]), accumulated block by block in
// the assembly's order.
func gemvQ8_0x16Generic(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32) {
	for g := 0; g < groups; g++ {
		var acc [ilLanes]float32
		for b := 0; b < nb; b++ {
			blk := w[(g*nb+b)*q8GroupBlock:][:q8GroupBlock]
			x := xq[quant.QK*b:][:quant.QK]
			for l := 0; l < ilLanes; l++ {
				s := xc[b]
				for k := 0; k < q8Units; k++ {
					u := blk[ilScaleSize+k*ilUnitSize+4*l:][:4]
					for j, v := range u {
						s += int32(v) * int32(x[4*k+j])
					}
				}
				acc[l] += float32(s) * (f16le(blk[2*l:]) * xd[b])
			}
		}
		copy(out[ilLanes*g:], acc[:])
	}
}
