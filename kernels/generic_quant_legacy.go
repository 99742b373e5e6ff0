package kernels

import "github.com/milp-lite/milp-lite/quant"

// Integer dots for the 32-wide "legacy" formats besides Q8_0/Q4_0: Q5_0,
// Q4_1 and Q5_1. llama.cpp's Q4_K_M/Q5_K_M files store every matrix whose
// rows are not whole 256-blocks in these formats (all of a 576- or
// 896-wide model), so they matter as much as the K formats.
//
// Q4_1 and Q5_1 add an offset m to every value of a block: (q·d + m)·x̂
// summed over the block is d·Σq·x̂ + m·Σx̂, and Σx̂ (the block sum of the
// rounded activations, xs[b] = xd[b]·Σxq) does not depend on the row, so
// MatMul computes it once per call (actBlockSums) instead of every row.

// actBlockSums sets xs[b] = xd[b]·Σ_{i<32} xq[32b+i] for every block b of
// activations quantised by quantizeActQ8: the sum of the values the integer
// dots see, one rounding each.
func actBlockSums(xq []int8, xd, xs []float32) {
	for b := range xs {
		var s int32
		for _, v := range xq[32*b : 32*b+32] {
			s += int32(v)
		}
		xs[b] = xd[b] * float32(s)
	}
}

// q5Bits returns the fifth bits of elements j and j+16 of a Q5 block,
// shifted to bit 4, from its little-endian 32-bit qh field.
func q5Bits(qh uint32, j int) (lo, hi int32) {
	return int32(qh>>j&1) << 4, int32(qh>>(j+16)&1) << 4
}

// nibble5Dot is nibbleDot for 5-bit quants: the fifth bit of value j (and
// j+16) is bit j (and j+16) of qh.
func nibble5Dot(qs []byte, qh uint32, offset int32, x []int8) int32 {
	x = x[:32]
	var s int32
	for j, q := range qs[:16] {
		h0, h1 := q5Bits(qh, j)
		s += ((int32(q&15)|h0)-offset)*int32(x[j]) + ((int32(q>>4)|h1)-offset)*int32(x[j+16])
	}
	return s
}

func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func dotQ5_0Generic(w []byte, xq []int8, xd []float32) float32 {
	var sum float32
	for b := range xd {
		blk := w[quant.BlockBytesQ5_0*b : quant.BlockBytesQ5_0*(b+1)]
		x := xq[32*b : 32*b+32]
		sum += f16le(blk) * xd[b] * float32(nibble5Dot(blk[6:22], le32(blk[2:6]), 16, x))
	}
	return sum
}

func dotQ4_1Generic(w []byte, xq []int8, xd, xs []float32) float32 {
	var sum float32
	for b := range xd {
		blk := w[quant.BlockBytesQ4_1*b : quant.BlockBytesQ4_1*(b+1)]
		x := xq[32*b : 32*b+32]
		sum += f16le(blk)*xd[b]*float32(nibbleDot(blk[4:20], 0, x)) + f16le(blk[2:])*xs[b]
	}
	return sum
}

func dotQ5_1Generic(w []byte, xq []int8, xd, xs []float32) float32 {
	var sum float32
	for b := range xd {
		blk := w[quant.BlockBytesQ5_1*b : quant.BlockBytesQ5_1*(b+1)]
		x := xq[32*b : 32*b+32]
		sum += f16le(blk)*xd[b]*float32(nibble5Dot(blk[8:24], le32(blk[4:8]), 0, x)) + f16le(blk[2:])*xs[b]
	}
	return sum
}
