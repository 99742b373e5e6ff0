package quant

// DequantBlockQ4_K expands one Q4_K super-block of 256 values: 8 sub-blocks of
// 32, each with a 6-bit scale and min (see UnpackScaleMinK4) multiplied by the
// f16 d and dmin; value = d*sc*q - dmin*m with q a 4-bit value.
//
// Each 64 values use 32 bytes of qs: the first 32 values are the low nibbles,
// the next 32 the high nibbles.
func DequantBlockQ4_K(dst *[QKK]float32, b *[BlockBytesQ4_K]byte) {
	d, dmin := f16At(b[0:]), f16At(b[2:])
	scales := (*[12]byte)(b[4:16])
	for g := 0; g < 4; g++ {
		d1, m1 := kScaleMin(d, dmin, 2*g, scales)
		d2, m2 := kScaleMin(d, dmin, 2*g+1, scales)
		qs := b[16+32*g : 16+32*g+32]
		out := dst[64*g : 64*g+64]
		for l, q := range qs {
			out[l] = float32(d1*float32(q&0x0f)) - m1
			out[l+32] = float32(d2*float32(q>>4)) - m2
		}
	}
}

// DequantBlockQ5_K expands one Q5_K super-block: Q4_K plus a fifth bit per
// value. The fifth bit of value l (low nibble) and l+32 (high nibble) of group
// g of 64 is bit 2g and 2g+1 of qh[l]; value = d*sc*q - dmin*m.
func DequantBlockQ5_K(dst *[QKK]float32, b *[BlockBytesQ5_K]byte) {
	d, dmin := f16At(b[0:]), f16At(b[2:])
	scales := (*[12]byte)(b[4:16])
	qh := b[16:48]
	for g := 0; g < 4; g++ {
		d1, m1 := kScaleMin(d, dmin, 2*g, scales)
		d2, m2 := kScaleMin(d, dmin, 2*g+1, scales)
		qs := b[48+32*g : 48+32*g+32]
		out := dst[64*g : 64*g+64]
		for l, q := range qs {
			h0 := qh[l] >> (2 * g) & 1 << 4
			h1 := qh[l] >> (2*g + 1) & 1 << 4
			out[l] = float32(d1*float32(q&0x0f|h0)) - m1
			out[l+32] = float32(d2*float32(q>>4|h1)) - m2
		}
	}
}

// kScaleMin is the effective step and offset of sub-block j of a Q4_K/Q5_K
// super-block: d*scale and dmin*min.
func kScaleMin(d, dmin float32, j int, scales *[12]byte) (step, offset float32) {
	sc, m := UnpackScaleMinK4(j, scales)
	return d * float32(sc), dmin * float32(m)
}
