package quant

// q5High returns the fifth bits of element j and j+16 of a Q5 block, already
// shifted to bit 4, from the little-endian 32-bit qh field (bit i belongs to
// element i).
func q5High(qh uint32, j int) (lo, hi uint8) {
	return uint8(qh>>j&1) << 4, uint8(qh>>(j+16)&1) << 4
}

func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

// DequantBlockQ5_0 expands one Q5_0 block: 32 5-bit values with one f16 scale,
// value = (q-16)*d. The low 4 bits are packed like Q4_0; the fifth bit of
// element i is bit i of the 32-bit little-endian qh.
func DequantBlockQ5_0(dst *[QK]float32, b *[BlockBytesQ5_0]byte) {
	d := f16At(b[0:])
	qh := le32(b[2:6])
	qs := b[6:22]
	for j, q := range qs {
		h0, h1 := q5High(qh, j)
		dst[j] = float32(int(q&0x0f|h0)-16) * d
		dst[j+16] = float32(int(q>>4|h1)-16) * d
	}
}

// DequantBlockQ5_1 expands one Q5_1 block: like Q5_0 but unsigned with an f16
// offset m, value = q*d + m.
func DequantBlockQ5_1(dst *[QK]float32, b *[BlockBytesQ5_1]byte) {
	d, m := f16At(b[0:]), f16At(b[2:])
	qh := le32(b[4:8])
	qs := b[8:24]
	for j, q := range qs {
		h0, h1 := q5High(qh, j)
		dst[j] = float32(float32(q&0x0f|h0)*d) + m
		dst[j+16] = float32(float32(q>>4|h1)*d) + m
	}
}
