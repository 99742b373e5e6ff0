package quant

// UnpackScaleMinK4 returns the 6-bit scale and 6-bit min of sub-block j (0..7)
// of a Q4_K or Q5_K super-block from its 12 packed scale bytes.
//
// Packing: for j < 4, byte j holds scale j and byte j+4 holds min j in their low
// 6 bits. For j >= 4, byte j+4 holds the low 4 bits of scale j (low nibble) and
// of min j (high nibble); their top 2 bits sit in the top 2 bits of byte j-4
// (scale) and byte j (min).
func UnpackScaleMinK4(j int, scales *[12]byte) (scale, min uint8) {
	if j < 4 {
		return scales[j] & 63, scales[j+4] & 63
	}
	scale = scales[j+4]&0x0f | scales[j-4]>>6<<4
	min = scales[j+4]>>4 | scales[j]>>6<<4
	return scale, min
}

// packScaleMinK4 is the inverse of UnpackScaleMinK4 for all 8 sub-blocks;
// scales and mins must be below 64.
func packScaleMinK4(scale, min *[8]uint8) [12]byte {
	var p [12]byte
	for j := 0; j < 4; j++ {
		p[j] = scale[j] | scale[j+4]>>4<<6
		p[j+4] = min[j] | min[j+4]>>4<<6
		p[j+8] = scale[j+4]&0x0f | min[j+4]&0x0f<<4
	}
	return p
}

// UnpackScalesQ3K returns the 16 signed 6-bit scales of a Q3_K super-block
// (already offset by -32, so in -32..31) from its 12 packed bytes.
//
// Packing: the low 4 bits of scale k are the low nibble of byte k for k < 8 and
// the high nibble of byte k-8 for k >= 8; its top 2 bits are bits 2*(k/4) and
// 2*(k/4)+1 of byte 8 + k%4.
func UnpackScalesQ3K(scales *[12]byte) [16]int8 {
	var s [16]int8
	for k := 0; k < 16; k++ {
		low := scales[k%8] >> (4 * (k / 8)) & 0x0f
		high := scales[8+k%4] >> (2 * (k / 4)) & 3
		s[k] = int8(low|high<<4) - 32
	}
	return s
}
