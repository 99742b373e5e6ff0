package quant

import "math"

// The quantisers in this file reproduce ggml's reference quantisers
// (quantize_row_*_ref) bit for bit: same choice of scale, same rounding. One
// deliberate detail: products are rounded before they are added (explicit
// float32 conversions), so no platform fuses them into an FMA.

// absMaxWithSign returns the value of largest magnitude (the first one on a
// tie), keeping its sign, as ggml's Q4_0/Q5_0 quantisers choose it.
func absMaxWithSign(x []float32) float32 {
	var amax, m float32
	for _, v := range x {
		if a := float32(math.Abs(float64(v))); amax < a {
			amax, m = a, v
		}
	}
	return m
}

// minMax returns the smallest and largest of x (x is not empty).
func minMax(x []float32) (lo, hi float32) {
	lo, hi = math.MaxFloat32, -math.MaxFloat32
	for _, v := range x {
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	return lo, hi
}

// inverse is 1/d, or 0 when d is zero (an all-zero block).
func inverse(d float32) float32 {
	if d == 0 {
		return 0
	}
	return 1 / d
}

// QuantBlockQ8_0 quantises 32 values to one Q8_0 block like ggml's
// quantize_row_q8_0_ref: d = max|x|/127 and q = round(x/d), halves away from
// zero. The scale used for rounding is the float32 d, before it is stored as f16.
func QuantBlockQ8_0(dst *[BlockBytesQ8_0]byte, x *[QK]float32) {
	var amax float32
	for _, v := range x {
		amax = max(amax, float32(math.Abs(float64(v))))
	}
	d := amax / 127
	id := inverse(d)
	putF16(dst[0:], F32ToF16(d))
	for j, v := range x {
		dst[2+j] = byte(int8(math.Round(float64(float32(v * id)))))
	}
}

// QuantBlockQ4_0 quantises 32 values to one Q4_0 block like ggml's
// quantize_row_q4_0_ref: d = m / -8 where m is the value of largest magnitude
// (so m itself maps to level 0, i.e. -8), q = min(15, trunc(x/d + 8.5)).
func QuantBlockQ4_0(dst *[BlockBytesQ4_0]byte, x *[QK]float32) {
	d := absMaxWithSign(x[:]) / -8
	id := inverse(d)
	putF16(dst[0:], F32ToF16(d))
	for j := 0; j < QK/2; j++ {
		q0 := min(15, int8(float32(x[j]*id)+8.5))
		q1 := min(15, int8(float32(x[j+QK/2]*id)+8.5))
		dst[2+j] = byte(q0) | byte(q1)<<4
	}
}

// QuantBlockQ4_1 quantises 32 values to one Q4_1 block like ggml's
// quantize_row_q4_1_ref: m = min(x), d = (max-min)/15, q = min(15, trunc((x-m)/d + 0.5)).
func QuantBlockQ4_1(dst *[BlockBytesQ4_1]byte, x *[QK]float32) {
	lo, hi := minMax(x[:])
	d := (hi - lo) / 15
	id := inverse(d)
	putF16(dst[0:], F32ToF16(d))
	putF16(dst[2:], F32ToF16(lo))
	for j := 0; j < QK/2; j++ {
		q0 := min(15, int8(float32((x[j]-lo)*id)+0.5))
		q1 := min(15, int8(float32((x[j+QK/2]-lo)*id)+0.5))
		dst[4+j] = byte(q0) | byte(q1)<<4
	}
}

// QuantBlockQ5_0 quantises 32 values to one Q5_0 block like ggml's
// quantize_row_q5_0_ref: d = m / -16, q = min(31, trunc(x/d + 16.5)).
func QuantBlockQ5_0(dst *[BlockBytesQ5_0]byte, x *[QK]float32) {
	d := absMaxWithSign(x[:]) / -16
	id := inverse(d)
	putF16(dst[0:], F32ToF16(d))
	var qh uint32
	for j := 0; j < QK/2; j++ {
		q0 := uint8(min(31, int8(float32(x[j]*id)+16.5)))
		q1 := uint8(min(31, int8(float32(x[j+QK/2]*id)+16.5)))
		dst[6+j] = q0&0x0f | q1&0x0f<<4
		qh |= uint32(q0>>4)<<j | uint32(q1>>4)<<(j+QK/2)
	}
	dst[2], dst[3], dst[4], dst[5] = byte(qh), byte(qh>>8), byte(qh>>16), byte(qh>>24)
}

// QuantBlockQ5_1 quantises 32 values to one Q5_1 block like ggml's
// quantize_row_q5_1_ref: m = min(x), d = (max-min)/31, q = trunc((x-m)/d + 0.5).
func QuantBlockQ5_1(dst *[BlockBytesQ5_1]byte, x *[QK]float32) {
	lo, hi := minMax(x[:])
	d := (hi - lo) / 31
	id := inverse(d)
	putF16(dst[0:], F32ToF16(d))
	putF16(dst[2:], F32ToF16(lo))
	var qh uint32
	for j := 0; j < QK/2; j++ {
		// ggml converts straight to uint8 here; the value is in [0, 31.5).
		q0 := uint8(float32((x[j]-lo)*id) + 0.5)
		q1 := uint8(float32((x[j+QK/2]-lo)*id) + 0.5)
		dst[8+j] = q0&0x0f | q1&0x0f<<4
		qh |= uint32(q0>>4&1)<<j | uint32(q1>>4&1)<<(j+QK/2)
	}
	dst[4], dst[5], dst[6], dst[7] = byte(qh), byte(qh>>8), byte(qh>>16), byte(qh>>24)
}
