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
const (
	k4GroupBlock = ilLanes * quant.BlockBytesQ4_K                  // bytes per group and super-block
	k4ScaleUnits = 3                                               // 64-byte units of scale bytes
	k45Scaled    = 2*ilScaleSize + k4ScaleUnits*ilUnitSize         // bytes before Q4_K's nibbles, Q5_K's fifth bits
	k4QsUnits    = quant.QKK / 8                                   // 64-byte units of nibble bytes
	_            = k45Scaled + k4QsUnits*ilUnitSize - k4GroupBlock // sizes agree
)

// interleaveQ4_K rewrites rows×cols Q4_K values (rows a multiple of
// ilLanes) into the interleaved layout.
func interleaveQ4_K(data []byte, rows, cols int) []byte {
	out := make([]byte, len(data))
	interleaveQ4_KGroups(data, out, cols, 0, rows/ilLanes)
	return out
}

// interleaveQ4_KGroups writes groups [g0, g1) of the interleaved layout of
// data into out.
func interleaveQ4_KGroups(data, out []byte, cols, g0, g1 int) {
	interleaveK45Groups(quant.Q4_K, data, out, cols, g0, g1)
}

// k45QhBytes is how many fifth-bit bytes a row's super-block of t (Q4_K or
// Q5_K) has: they sit between the scales and the nibbles, in the GGUF block
// and in the interleaved layout alike.
func k45QhBytes(t quant.Type) int {
	if t == quant.Q5_K {
		return 32
	}
	return 0
}

// interleaveK45Groups writes groups [g0, g1) of the interleaved layout of a
// Q4_K or Q5_K matrix.
func interleaveK45Groups(t quant.Type, data, out []byte, cols, g0, g1 int) {
	nb, bb, qh := cols/quant.QKK, t.BlockBytes(), k45QhBytes(t)
	gb := ilLanes * bb
	for g := g0; g < g1; g++ {
		for b := 0; b < nb; b++ {
			dst := out[(g*nb+b)*gb:][:gb]
			for l := 0; l < ilLanes; l++ {
				blk := data[((g*ilLanes+l)*nb+b)*bb:][:bb]
				copy(dst[2*l:][:2], blk[0:2])
				copy(dst[ilScaleSize+2*l:][:2], blk[2:4])
				for s := 0; s < k4ScaleUnits; s++ {
					copy(dst[2*ilScaleSize+s*ilUnitSize+4*l:][:4], blk[4+4*s:])
				}
				for v := 0; v < qh/4; v++ {
					copy(dst[k45Scaled+v*ilUnitSize+4*l:][:4], blk[16+4*v:])
				}
				for u := 0; u < k4QsUnits; u++ {
					copy(dst[k45Scaled+qh*ilLanes+u*ilUnitSize+4*l:][:4], blk[16+qh+4*u:])
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
	gemvK45x16Generic(quant.Q4_K, w, groups, nb, xq, xd, xc, out)
}

// gemvK45x16Generic is the reference of the Q4_K and Q5_K kernels: a Q5_K
// value takes bit 2c (low nibble) or 2c+1 (high) of its qh byte as its fifth
// bit in chunk c.
func gemvK45x16Generic(t quant.Type, w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32) {
	qh := k45QhBytes(t)
	gb, qsOff := ilLanes*t.BlockBytes(), k45Scaled+qh*ilLanes
	for g := 0; g < groups; g++ {
		var acc [ilLanes]float32
		for b := 0; b < nb; b++ {
			blk := w[(g*nb+b)*gb:][:gb]
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
						q := blk[qsOff+(8*c+u)*ilUnitSize+4*l:][:4]
						for i, v := range q {
							var h0, h1 int32
							if qh > 0 {
								hb := blk[k45Scaled+u*ilUnitSize+4*l+i]
								h0, h1 = int32(hb>>(2*c)&1)<<4, int32(hb>>(2*c+1)&1)<<4
							}
							lo += (int32(v&15) | h0) * int32(x[64*c+4*u+i])
							hi += (int32(v>>4) | h1) * int32(x[64*c+32+4*u+i])
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
