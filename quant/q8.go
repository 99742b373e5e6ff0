package quant

// DequantBlockQ8_0 expands one Q8_0 block: 32 signed bytes with one f16 scale,
// value = q*d.
func DequantBlockQ8_0(dst *[QK]float32, b *[BlockBytesQ8_0]byte) {
	d := f16At(b[0:])
	for j, q := range b[2:34] {
		dst[j] = float32(int8(q)) * d
	}
}

// DequantBlockQ8_K expands one Q8_K block: a float32 scale d and 256 signed
// bytes, value = d*q. The trailing 16 int16 sums (bsums) only speed up dot
// products and are not needed here.
func DequantBlockQ8_K(dst *[QKK]float32, b *[BlockBytesQ8_K]byte) {
	d := f32At(b[0:])
	for j, q := range b[4:260] {
		dst[j] = d * float32(int8(q))
	}
}
