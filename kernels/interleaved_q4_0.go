package kernels

import "github.com/milp-lite/milp-lite/quant"

// The Q4_0 interleaved layout (interleaved.go), per group and block (288
// bytes, the sixteen rows' 18-byte blocks):
//
//	[32 B: the sixteen rows' f16 scales][4 × 64 B: unit k holds, for each
//	row l, the row's nibble bytes 4k…4k+3 of the block]
//
// A Q4_0 nibble byte j holds quant j in its low nibble and quant j+16 in
// its high one, each stored as q+8: unit k's low nibbles meet activations
// 4k…4k+3, its high nibbles activations 16+4k…16+4k+3. The nibbles are
// already unsigned; the offset 8 comes back out with the bias terms.
const (
	q4GroupBlock = ilLanes * quant.BlockBytesQ4_0                  // bytes per group and block
	q4Units      = quant.QK / 8                                    // loads per block
	_            = ilScaleSize + q4Units*ilUnitSize - q4GroupBlock // sizes agree
)

// interleaveQ4_0 rewrites rows×cols Q4_0 values (rows a multiple of
// ilLanes) into the interleaved layout.
func interleaveQ4_0(data []byte, rows, cols int) []byte {
	out := make([]byte, len(data))
	interleaveQ4_0Groups(data, out, cols, 0, rows/ilLanes)
	return out
}

// interleaveQ4_0Groups writes groups [g0, g1) of the interleaved layout of
// data into out.
func interleaveQ4_0Groups(data, out []byte, cols, g0, g1 int) {
	nb := cols / quant.QK
	rb := nb * quant.BlockBytesQ4_0
	for g := g0; g < g1; g++ {
		for b := 0; b < nb; b++ {
			dst := out[(g*nb+b)*q4GroupBlock:][:q4GroupBlock]
			for l := 0; l < ilLanes; l++ {
				blk := data[(g*ilLanes+l)*rb+b*quant.BlockBytesQ4_0:][:quant.BlockBytesQ4_0]
				dst[2*l], dst[2*l+1] = blk[0], blk[1]
				for k := 0; k < q4Units; k++ {
					copy(dst[ilScaleSize+k*ilUnitSize+4*l:][:4], blk[2+4*k:])
				}
			}
		}
	}
}

// gemvQ4_0x16Generic is kernelSet.gemvQ4_0x16's reference: for each of
// groups interleaved groups of w (nb blocks each), out[16g+l] = Σ_b
// float(Σ_j n·x + xc[b]) · (scale_l·xd[b]), accumulated block by block in
// the assembly's order.
func gemvQ4_0x16Generic(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32) {
	for g := 0; g < groups; g++ {
		var acc [ilLanes]float32
		for b := 0; b < nb; b++ {
			blk := w[(g*nb+b)*q4GroupBlock:][:q4GroupBlock]
			x := xq[quant.QK*b:][:quant.QK]
			for l := 0; l < ilLanes; l++ {
				s := xc[b]
				for k := 0; k < q4Units; k++ {
					u := blk[ilScaleSize+k*ilUnitSize+4*l:][:4]
					for j, v := range u {
						s += int32(v&15)*int32(x[4*k+j]) + int32(v>>4)*int32(x[16+4*k+j])
					}
				}
				acc[l] += float32(s) * (f16le(blk[2*l:]) * xd[b])
			}
		}
		copy(out[ilLanes*g:], acc[:])
	}
}
