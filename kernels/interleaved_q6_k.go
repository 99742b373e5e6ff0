package kernels

import "github.com/milp-lite/milp-lite/quant"

// The Q6_K interleaved layout (interleaved.go), per group and super-block
// (3360 bytes, the sixteen rows' 210-byte super-blocks):
//
//	[32 B: the rows' f16 d]
//	[4 × 64 B: unit s holds, for each row l, its int8 scales 4s…4s+3]
//	[16 quads × 3 × 64 B: quad 8h+m holds, for each row l, units of its ql
//	bytes 64h+4m…, ql bytes 64h+32+4m… and qh bytes 32h+4m…]
//
// In half h of a super-block, ql byte 64h+i (i < 32) holds the low four bits
// of values 128h+i (low nibble) and 128h+64+i (high), ql byte 64h+32+i those
// of values 128h+32+i and 128h+96+i, and qh byte 32h+i their top two bits
// (bits 0–1, 2–3, 4–5, 6–7 for the four values in that order). A quad's
// three units are what the kernel reads together, so they sit together:
// the kernel reads the super-block front to back (read in the GGUF's order,
// three streams apart, it lost to the row dot streaming from memory). Values
// are q−32 with q in 0…63: the kernel assembles q in every byte lane, sums
// each 16-value sub-block with VPDPBUSD starting from −32·Σx of the
// sub-block (q6BiasTerms) and weighs the sub-blocks by their int8 scales in
// integers.
const (
	k6GroupBlock  = ilLanes * quant.BlockBytesQ6_K // bytes per group and super-block
	k6ScaleOffset = ilScaleSize                    // after the d values
	k6QuadOffset  = k6ScaleOffset + 4*ilUnitSize
	k6QuadBytes   = 3 * ilUnitSize
	_             = k6QuadOffset + 16*k6QuadBytes - k6GroupBlock // sizes agree
)

// k6QlUnit and k6QhUnit are where unit k of a row's ql bytes (bytes 4k…4k+3,
// k < 32) and of its qh bytes (k < 16) sit in a group's super-block.
func k6QlUnit(k int) int {
	h, r := k/16, k%16
	return k6QuadOffset + (8*h+r%8)*k6QuadBytes + r/8*ilUnitSize
}

func k6QhUnit(k int) int { return k6QuadOffset + k*k6QuadBytes + 2*ilUnitSize }

// interleaveQ6_KGroups writes groups [g0, g1) of the interleaved layout of
// data into out.
func interleaveQ6_KGroups(data, out []byte, cols, g0, g1 int) {
	nb := cols / quant.QKK
	rb := nb * quant.BlockBytesQ6_K
	for g := g0; g < g1; g++ {
		for b := 0; b < nb; b++ {
			dst := out[(g*nb+b)*k6GroupBlock:][:k6GroupBlock]
			for l := 0; l < ilLanes; l++ {
				blk := data[(g*ilLanes+l)*rb+b*quant.BlockBytesQ6_K:][:quant.BlockBytesQ6_K]
				copy(dst[2*l:][:2], blk[208:210])
				for s := 0; s < 4; s++ {
					copy(dst[k6ScaleOffset+s*ilUnitSize+4*l:][:4], blk[192+4*s:])
				}
				for u := 0; u < 32; u++ {
					copy(dst[k6QlUnit(u)+4*l:][:4], blk[4*u:])
				}
				for v := 0; v < 16; v++ {
					copy(dst[k6QhUnit(v)+4*l:][:4], blk[128+4*v:])
				}
			}
		}
	}
}

// q6BiasTerms sets xc[j] = −32·Σ xq over sub-block j (16 values) from the K
// activations' sums per 16 (xs).
func q6BiasTerms(xs []int16, xc []int32) {
	for j := range xc {
		xc[j] = -32 * int32(xs[j])
	}
}

// gemvQ6_Kx16Generic is kernelSet.gemvQ6_Kx16's reference: for each of
// groups interleaved groups of w (nb super-blocks each), out[16g+l] = Σ_b
// float(Σ_j sc_j·(Σ q·x + xc[16b+j])) · (d_l·xd[b]), accumulated
// super-block by super-block in the assembly's order.
func gemvQ6_Kx16Generic(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32) {
	for g := 0; g < groups; g++ {
		var acc [ilLanes]float32
		for b := 0; b < nb; b++ {
			blk := w[(g*nb+b)*k6GroupBlock:][:k6GroupBlock]
			x := xq[quant.QKK*b:][:quant.QKK]
			for l := 0; l < ilLanes; l++ {
				scaleAt := func(i int) byte { return blk[k6ScaleOffset+(i/4)*ilUnitSize+4*l+i%4] }
				qlAt := func(i int) byte { return blk[k6QlUnit(i/4)+4*l+i%4] }
				qhAt := func(i int) byte { return blk[k6QhUnit(i/4)+4*l+i%4] }
				var sub [16]int32
				copy(sub[:], xc[16*b:16*b+16])
				for h := 0; h < 2; h++ {
					for i := 0; i < 32; i++ {
						a, c, hb := qlAt(64*h+i), qlAt(64*h+32+i), qhAt(32*h+i)
						q := [4]byte{a&15 | hb&3<<4, c&15 | hb>>2&3<<4, a>>4 | hb>>4&3<<4, c>>4 | hb>>6&3<<4}
						for k, v := range q {
							idx := 128*h + 32*k + i
							sub[idx/16] += int32(v) * int32(x[idx])
						}
					}
				}
				var total int32
				for j, s := range sub {
					total += int32(int8(scaleAt(j))) * s
				}
				acc[l] += float32(total) * (f16le(blk[2*l:]) * xd[b])
			}
		}
		copy(out[ilLanes*g:], acc[:])
	}
}
