package kernels

import (
	"encoding/binary"

	"github.com/milp-lite/milp-lite/quant"
)

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

// interleaveQ4_0Groups writes groups [g0, g1) of the interleaved layout of
// data into out.
func interleaveQ4_0Groups(data, out []byte, cols, g0, g1 int) {
	interleaveNibbleGroups(quant.Q4_0, data, out, cols, g0, g1)
}

// gemvQ4_0x16Generic is kernelSet.gemvQ4_0x16's reference: for each of
// groups interleaved groups of w (nb blocks each), out[16g+l] = Σ_b
// float(Σ_j n·x + xc[b]) · (scale_l·xd[b]), accumulated block by block in
// the assembly's order.
func gemvQ4_0x16Generic(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32) {
	gemvNibbleX16Generic(quant.Q4_0, w, groups, nb, xq, xd, xc, out)
}

// nibbleFifthBits reports whether t (Q4_0 or Q5_0) has fifth bits: Q5_0's
// block keeps them in 4 bytes before its nibbles, its interleaved layout in
// one unit (q5HighBits) before its nibble units.
func nibbleFifthBits(t quant.Type) bool { return t == quant.Q5_0 }

// interleaveNibbleGroups writes groups [g0, g1) of the interleaved layout of
// a Q4_0 or Q5_0 matrix.
func interleaveNibbleGroups(t quant.Type, data, out []byte, cols, g0, g1 int) {
	nb, bb := cols/quant.QK, t.BlockBytes()
	gb, qsOff, qsSrc := ilLanes*bb, ilScaleSize, 2
	fifth := nibbleFifthBits(t)
	if fifth {
		qsOff, qsSrc = q5QsOffset, 6
	}
	for g := g0; g < g1; g++ {
		for b := 0; b < nb; b++ {
			dst := out[(g*nb+b)*gb:][:gb]
			for l := 0; l < ilLanes; l++ {
				blk := data[((g*ilLanes+l)*nb+b)*bb:][:bb]
				dst[2*l], dst[2*l+1] = blk[0], blk[1]
				if fifth {
					h := q5HighBits(binary.LittleEndian.Uint32(blk[2:]))
					binary.LittleEndian.PutUint32(dst[ilScaleSize+4*l:], h)
				}
				for k := 0; k < q4Units; k++ {
					copy(dst[qsOff+k*ilUnitSize+4*l:][:4], blk[qsSrc+4*k:])
				}
			}
		}
	}
}

// gemvNibbleX16Generic is the reference of the Q4_0 and Q5_0 kernels: a
// Q5_0 value of unit k takes bit k (low nibble) or 4+k (high) of its byte of
// the row's fifth-bit dword.
func gemvNibbleX16Generic(t quant.Type, w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32) {
	gb, qsOff := ilLanes*t.BlockBytes(), ilScaleSize
	fifth := nibbleFifthBits(t)
	if fifth {
		qsOff = q5QsOffset
	}
	for g := 0; g < groups; g++ {
		var acc [ilLanes]float32
		for b := 0; b < nb; b++ {
			blk := w[(g*nb+b)*gb:][:gb]
			x := xq[quant.QK*b:][:quant.QK]
			for l := 0; l < ilLanes; l++ {
				s := xc[b]
				for k := 0; k < q4Units; k++ {
					u := blk[qsOff+k*ilUnitSize+4*l:][:4]
					for i, v := range u {
						lo, hi := int32(v&15), int32(v>>4)
						if fifth {
							hb := blk[ilScaleSize+4*l+i]
							lo |= int32(hb>>k&1) << 4
							hi |= int32(hb>>(4+k)&1) << 4
						}
						s += lo*int32(x[4*k+i]) + hi*int32(x[16+4*k+i])
					}
				}
				acc[l] += float32(s) * (f16le(blk[2*l:]) * xd[b])
			}
		}
		copy(out[ilLanes*g:], acc[:])
	}
}
