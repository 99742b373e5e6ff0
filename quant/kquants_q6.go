package quant

// DequantBlockQ6_K expands one Q6_K super-block of 256 values: 6-bit values
// (stored minus 32) in 16 sub-blocks of 16 with signed 8-bit scales times the
// f16 d; value = d*sc*(q-32).
//
// In each 128-value half h, value 32*k + l (k = 0..3, l = 0..31) takes its low
// 4 bits from ql[64h + 32*(k%2) + l] (low nibble for k < 2, high nibble for
// k >= 2) and its top 2 bits from bits 2k..2k+1 of qh[32h + l].
func DequantBlockQ6_K(dst *[QKK]float32, b *[BlockBytesQ6_K]byte) {
	d := f16At(b[208:])
	for h := 0; h < 2; h++ {
		ql := b[64*h : 64*h+64]
		qh := b[128+32*h : 128+32*h+32]
		sc := b[192+8*h : 192+8*h+8]
		out := dst[128*h : 128*h+128]
		for l := 0; l < 32; l++ {
			is := l / 16
			q1 := int(ql[l]&0x0f|(qh[l]>>0&3)<<4) - 32
			q2 := int(ql[l+32]&0x0f|(qh[l]>>2&3)<<4) - 32
			q3 := int(ql[l]>>4|(qh[l]>>4&3)<<4) - 32
			q4 := int(ql[l+32]>>4|(qh[l]>>6&3)<<4) - 32
			out[l] = d * float32(int8(sc[is])) * float32(q1)
			out[l+32] = d * float32(int8(sc[is+2])) * float32(q2)
			out[l+64] = d * float32(int8(sc[is+4])) * float32(q3)
			out[l+96] = d * float32(int8(sc[is+6])) * float32(q4)
		}
	}
}
