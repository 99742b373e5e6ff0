package quant

import "math"

// BF16ToF32 converts a bfloat16 value, given by its bits, to float32. bfloat16
// is the top half of a float32, so the conversion is exact.
func BF16ToF32(h uint16) float32 {
	return math.Float32frombits(uint32(h) << 16)
}

// F32ToBF16 converts a float32 to bfloat16 bits the way ggml's
// ggml_compute_fp32_to_bf16 does: round to nearest, ties to even (overflowing
// to infinity), subnormals kept (not flushed), and a NaN made quiet by setting
// the top mantissa bit while keeping its sign and upper payload.
func F32ToBF16(f float32) uint16 {
	u := math.Float32bits(f)
	if u&0x7fffffff > 0x7f800000 {
		return uint16(u>>16) | 0x40
	}
	// Adding 0x7fff plus the lowest kept bit rounds to nearest even before the
	// truncating shift. It cannot overflow: the largest finite input is
	// 0xff7fffff.
	return uint16((u + 0x7fff + (u>>16)&1) >> 16)
}
