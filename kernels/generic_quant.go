package kernels

import (
	"math"

	"github.com/milp-lite/milp-lite/quant"
)

// Quantised weights meet quantised activations: the activations of a MatMul
// call are rounded once to 8-bit integers with one float scale per block
// (Q8_0-like for the 32-wide formats, Q8_K-like with per-16 sums for the
// 256-wide K formats), and each block's dot product is then an exact integer
// sum. The scales only enter once per block (per sub-block for K formats).

// quantizeActQ8 rounds x (a multiple of 32 values) to xq with one scale per
// 32 in xd: xd[b] = max|x|/127, xq = round(x·(127/max|x|)) to nearest, ties
// to even, in [-127, 127]. The rounding error of each value is at most
// xd[b]/2 (blocks with max|x| < 2^-120 become zero; a NaN or infinity makes
// the block's scale NaN). The SIMD quantisers reproduce this bit for bit.
func quantizeActQ8(x []float32, xq []int8, xd []float32) {
	for b := range xd {
		xd[b] = quantizeBlock(x[32*b:32*b+32], xq[32*b:32*b+32])
	}
}

// quantizeActQ8K rounds x (a multiple of 256 values) with one scale per 256
// and stores the sum of each 16 consecutive quantised values in xs, which the
// K formats need for their minimum/offset terms.
func quantizeActQ8K(x []float32, xq []int8, xd []float32, xs []int16) {
	for b := range xd {
		q := xq[256*b : 256*b+256]
		xd[b] = quantizeBlock(x[256*b:256*b+256], q)
		for j := 0; j < 16; j++ {
			var s int16
			for _, v := range q[16*j : 16*j+16] {
				s += int16(v)
			}
			xs[16*b+j] = s
		}
	}
}

// quantizeBlock rounds x to q with the scale max|x|/127 and returns it.
func quantizeBlock(x []float32, q []int8) float32 {
	var amax float32
	for _, v := range x {
		amax = max(amax, abs32(v))
	}
	if amax < 0x1p-120 {
		// Zero, or so small (< 7.5e-37) that 127/amax would overflow to
		// +Inf: the block counts as zero, an error below 1e-36 per value.
		clear(q[:len(x)])
		return 0
	}
	if !(amax <= math.MaxFloat32) {
		// A NaN or infinity: the block's products become NaN (scale NaN
		// times an integer sum), as the float computation would, rather
		// than silently zero.
		clear(q[:len(x)])
		return math.Float32frombits(0x7fc00000)
	}
	d := amax / 127
	inv := 127 / amax
	q = q[:len(x)]
	for i, v := range x {
		// Adding 1.5·2^23 rounds v*inv (|v*inv| ≤ 127 up to one ulp) to an
		// integer, half to even, in the low mantissa bits: several times
		// faster than math.RoundToEven, and this runs serially before every
		// matrix-vector product. Go never reassociates float arithmetic, so
		// the trick is safe.
		// float32(v*inv) rounds the product before the addition: without
		// the conversion Go may fuse the two into one FMA (it does on
		// arm64), which rounds differently and would make the result
		// depend on the platform and differ from the SIMD quantisers.
		r := int32(math.Float32bits(float32(v*inv)+roundMagic)) - roundMagicBits
		q[i] = int8(max(-127, min(127, r)))
	}
	return d
}

const (
	roundMagic     = 12582912 // 1.5·2^23
	roundMagicBits = 0x4B400000
)

func abs32(v float32) float32 { return math.Float32frombits(math.Float32bits(v) &^ (1 << 31)) }

func f16le(b []byte) float32 { return quant.F16ToF32(uint16(b[0]) | uint16(b[1])<<8) }

func dotQ8_0Generic(w []byte, xq []int8, xd []float32) float32 {
	var sum float32
	for b := range xd {
		blk := w[quant.BlockBytesQ8_0*b : quant.BlockBytesQ8_0*(b+1)]
		x := xq[32*b : 32*b+32]
		var s int32
		for i, q := range blk[2:34] {
			s += int32(int8(q)) * int32(x[i])
		}
		sum += f16le(blk) * xd[b] * float32(s)
	}
	return sum
}

func dotQ4_0Generic(w []byte, xq []int8, xd []float32) float32 {
	var sum float32
	for b := range xd {
		blk := w[quant.BlockBytesQ4_0*b : quant.BlockBytesQ4_0*(b+1)]
		x := xq[32*b : 32*b+32]
		sum += f16le(blk) * xd[b] * float32(nibbleDot(blk[2:18], 8, x))
	}
	return sum
}

// nibbleDot is the integer dot of a 32-value block of 4-bit quants (value j
// in the low nibble of qs[j], value j+16 in the high one) less offset, with
// the block's 32 activations x. Integer sums are exact: every format that
// stores its quants this way gets the same bits from it.
func nibbleDot(qs []byte, offset int32, x []int8) int32 {
	x = x[:32]
	var s int32
	for j, q := range qs[:16] {
		s += (int32(q&15)-offset)*int32(x[j]) + (int32(q>>4)-offset)*int32(x[j+16])
	}
	return s
}

func dotQ4_KGeneric(w []byte, xq []int8, xd []float32, xs []int16) float32 {
	var sum float32
	for b := range xd {
		blk := (*[quant.BlockBytesQ4_K]byte)(w[quant.BlockBytesQ4_K*b:])
		x := xq[256*b : 256*b+256]
		var sq, sm int32
		for g := 0; g < 4; g++ {
			qs := blk[16+32*g : 48+32*g]
			var lo, hi int32
			for l, q := range qs {
				lo += int32(q&15) * int32(x[64*g+l])
				hi += int32(q>>4) * int32(x[64*g+32+l])
			}
			sc0, m0 := quant.UnpackScaleMinK4(2*g, (*[12]byte)(blk[4:16]))
			sc1, m1 := quant.UnpackScaleMinK4(2*g+1, (*[12]byte)(blk[4:16]))
			sq += int32(sc0)*lo + int32(sc1)*hi
			sm += int32(m0)*(int32(xs[16*b+4*g])+int32(xs[16*b+4*g+1])) + int32(m1)*(int32(xs[16*b+4*g+2])+int32(xs[16*b+4*g+3]))
		}
		sum += xd[b] * (f16le(blk[0:])*float32(sq) - f16le(blk[2:])*float32(sm))
	}
	return sum
}

func dotQ5_KGeneric(w []byte, xq []int8, xd []float32, xs []int16) float32 {
	var sum float32
	for b := range xd {
		blk := (*[quant.BlockBytesQ5_K]byte)(w[quant.BlockBytesQ5_K*b:])
		x := xq[256*b : 256*b+256]
		qh := blk[16:48]
		var sq, sm int32
		for g := 0; g < 4; g++ {
			qs := blk[48+32*g : 80+32*g]
			var lo, hi int32
			for l, q := range qs {
				h0 := int32(qh[l]>>(2*g)&1) << 4
				h1 := int32(qh[l]>>(2*g+1)&1) << 4
				lo += (int32(q&15) | h0) * int32(x[64*g+l])
				hi += (int32(q>>4) | h1) * int32(x[64*g+32+l])
			}
			sc0, m0 := quant.UnpackScaleMinK4(2*g, (*[12]byte)(blk[4:16]))
			sc1, m1 := quant.UnpackScaleMinK4(2*g+1, (*[12]byte)(blk[4:16]))
			sq += int32(sc0)*lo + int32(sc1)*hi
			sm += int32(m0)*(int32(xs[16*b+4*g])+int32(xs[16*b+4*g+1])) + int32(m1)*(int32(xs[16*b+4*g+2])+int32(xs[16*b+4*g+3]))
		}
		sum += xd[b] * (f16le(blk[0:])*float32(sq) - f16le(blk[2:])*float32(sm))
	}
	return sum
}

func dotQ6_KGeneric(w []byte, xq []int8, xd []float32, xs []int16) float32 {
	var sum float32
	for b := range xd {
		blk := (*[quant.BlockBytesQ6_K]byte)(w[quant.BlockBytesQ6_K*b:])
		x := xq[256*b : 256*b+256]
		// Sixteen sub-block sums of q*x with q unsigned (0..63).
		var sub [16]int32
		for h := 0; h < 2; h++ {
			ql := blk[64*h : 64*h+64]
			qh := blk[128+32*h : 128+32*h+32]
			xh := x[128*h : 128*h+128]
			for l := 0; l < 32; l++ {
				q1 := int32(ql[l]&15 | (qh[l]>>0&3)<<4)
				q2 := int32(ql[l+32]&15 | (qh[l]>>2&3)<<4)
				q3 := int32(ql[l]>>4 | (qh[l]>>4&3)<<4)
				q4 := int32(ql[l+32]>>4 | (qh[l]>>6&3)<<4)
				is := 8*h + l/16
				sub[is] += q1 * int32(xh[l])
				sub[is+2] += q2 * int32(xh[l+32])
				sub[is+4] += q3 * int32(xh[l+64])
				sub[is+6] += q4 * int32(xh[l+96])
			}
		}
		var s int32
		for g := 0; g < 16; g++ {
			s += int32(int8(blk[192+g])) * (sub[g] - 32*int32(xs[16*b+g]))
		}
		sum += xd[b] * f16le(blk[208:]) * float32(s)
	}
	return sum
}

func dotF16Generic(w []byte, x []float32) float32 {
	var s0, s1, s2, s3 float32
	w = w[:2*len(x)]
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += f16le(w[2*i:]) * x[i]
		s1 += f16le(w[2*i+2:]) * x[i+1]
		s2 += f16le(w[2*i+4:]) * x[i+2]
		s3 += f16le(w[2*i+6:]) * x[i+3]
	}
	for ; i < len(x); i++ {
		s0 += f16le(w[2*i:]) * x[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func bf16le(b []byte) float32 { return math.Float32frombits(uint32(b[0])<<16 | uint32(b[1])<<24) }

func dotBF16Generic(w []byte, x []float32) float32 {
	var s0, s1, s2, s3 float32
	w = w[:2*len(x)]
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += bf16le(w[2*i:]) * x[i]
		s1 += bf16le(w[2*i+2:]) * x[i+1]
		s2 += bf16le(w[2*i+4:]) * x[i+2]
		s3 += bf16le(w[2*i+6:]) * x[i+3]
	}
	for ; i < len(x); i++ {
		s0 += bf16le(w[2*i:]) * x[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// dequantF16Generic expands len(dst) little-endian halves.
func dequantF16Generic(w []byte, dst []float32) {
	for i := range dst {
		dst[i] = quant.F16ToF32(uint16(w[2*i]) | uint16(w[2*i+1])<<8)
	}
}

// dequantQ4_0Generic expands len(dst)/32 Q4_0 blocks.
func dequantQ4_0Generic(w []byte, dst []float32) {
	for i := range len(dst) / quant.QK {
		quant.DequantBlockQ4_0((*[quant.QK]float32)(dst[i*quant.QK:]), (*[quant.BlockBytesQ4_0]byte)(w[i*quant.BlockBytesQ4_0:]))
	}
}

// dequantQ4_KGeneric expands len(dst)/256 Q4_K super-blocks.
func dequantQ4_KGeneric(w []byte, dst []float32) {
	for i := range len(dst) / quant.QKK {
		quant.DequantBlockQ4_K((*[quant.QKK]float32)(dst[i*quant.QKK:]), (*[quant.BlockBytesQ4_K]byte)(w[i*quant.BlockBytesQ4_K:]))
	}
}

// dequantQ6_KGeneric expands len(dst)/256 Q6_K super-blocks.
func dequantQ6_KGeneric(w []byte, dst []float32) {
	for i := range len(dst) / quant.QKK {
		quant.DequantBlockQ6_K((*[quant.QKK]float32)(dst[i*quant.QKK:]), (*[quant.BlockBytesQ6_K]byte)(w[i*quant.BlockBytesQ6_K:]))
	}
}

// dequantQ5_0Generic expands len(dst)/32 Q5_0 blocks.
func dequantQ5_0Generic(w []byte, dst []float32) {
	for i := range len(dst) / quant.QK {
		quant.DequantBlockQ5_0((*[quant.QK]float32)(dst[i*quant.QK:]), (*[quant.BlockBytesQ5_0]byte)(w[i*quant.BlockBytesQ5_0:]))
	}
}

// dequantQ8_0Generic expands len(dst)/32 Q8_0 blocks: d·q, one rounding.
func dequantQ8_0Generic(w []byte, dst []float32) {
	for i := range len(dst) / quant.QK {
		quant.DequantBlockQ8_0((*[quant.QK]float32)(dst[i*quant.QK:]), (*[quant.BlockBytesQ8_0]byte)(w[i*quant.BlockBytesQ8_0:]))
	}
}
