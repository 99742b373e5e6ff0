package quant

// DequantBlockQ2_K expands one Q2_K super-block of 256 values. Each 16-value
// sub-block k has a byte scales[k]: low nibble a scale, high nibble a min, both
// multiplied by the f16 super-block d and dmin; value = d*sc*q - dmin*m with q
// a 2-bit value.
//
// The 2-bit values of each 128-value half live in 32 bytes of qs: value
// 32*s + l of the half is bits 2s..2s+1 of byte l.
func DequantBlockQ2_K(dst *[QKK]float32, b *[BlockBytesQ2_K]byte) {
	scales := b[0:16]
	d, dmin := f16At(b[80:]), f16At(b[82:])
	for half := 0; half < 2; half++ {
		qs := b[16+32*half : 16+32*half+32]
		for s := 0; s < 4; s++ {
			shift := uint(2 * s)
			out := dst[128*half+32*s : 128*half+32*s+32]
			for part := 0; part < 2; part++ { // two 16-value sub-blocks per shift
				sc := scales[8*half+2*s+part]
				dl, ml := d*float32(sc&0x0f), dmin*float32(sc>>4)
				for l := 0; l < 16; l++ {
					q := qs[16*part+l] >> shift & 3
					out[16*part+l] = float32(dl*float32(q)) - ml
				}
			}
		}
	}
}

// DequantBlockQ3_K expands one Q3_K super-block of 256 values: 3-bit values
// made of 2 low bits (packed in qs like Q2_K) and a high bit from hmask, with
// 16 signed 6-bit sub-block scales (see UnpackScalesQ3K) times the f16 d.
// value = d*sc*(q - 4), where q = low2 | high<<2; the high bit of value
// 32*s + l in half h is bit 4*h+s of hmask[l].
func DequantBlockQ3_K(dst *[QKK]float32, b *[BlockBytesQ3_K]byte) {
	hmask := b[0:32]
	sc := UnpackScalesQ3K((*[12]byte)(b[96:108]))
	d := f16At(b[108:])
	for half := 0; half < 2; half++ {
		qs := b[32+32*half : 32+32*half+32]
		for s := 0; s < 4; s++ {
			shift := uint(2 * s)
			m := uint8(1) << (4*half + s)
			out := dst[128*half+32*s : 128*half+32*s+32]
			for part := 0; part < 2; part++ {
				dl := d * float32(sc[8*half+2*s+part])
				for l := 16 * part; l < 16*part+16; l++ {
					q := int(qs[l] >> shift & 3)
					if hmask[l]&m == 0 {
						q -= 4 // a clear high bit means the value is negative
					}
					out[l] = dl * float32(q)
				}
			}
		}
	}
}
