package quant

// DequantBlockQ4_0 expands one Q4_0 block: 32 4-bit values q with one f16
// scale d, value = (q-8)*d. Byte j of qs holds element j in its low nibble and
// element j+16 in its high nibble.
func DequantBlockQ4_0(dst *[QK]float32, b *[BlockBytesQ4_0]byte) {
	d := f16At(b[0:])
	qs := b[2:18]
	for j, q := range qs {
		dst[j] = float32(int(q&0x0f)-8) * d
		dst[j+16] = float32(int(q>>4)-8) * d
	}
}

// DequantBlockQ4_1 expands one Q4_1 block: like Q4_0 but unsigned with an f16
// offset m, value = q*d + m.
func DequantBlockQ4_1(dst *[QK]float32, b *[BlockBytesQ4_1]byte) {
	d, m := f16At(b[0:]), f16At(b[2:])
	qs := b[4:20]
	for j, q := range qs {
		// The explicit float32 conversion rounds the product, so no platform
		// fuses it into an FMA: results match ggml's separate multiply and add.
		dst[j] = float32(float32(q&0x0f)*d) + m
		dst[j+16] = float32(float32(q>>4)*d) + m
	}
}
