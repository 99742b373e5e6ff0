package quant

import (
	"math"
	"math/bits"
)

// F16ToF32 converts an IEEE 754 binary16 value, given by its bits, to float32.
// Every half value is exactly representable as a float32, so the conversion is
// exact: subnormals become normal float32s, infinities stay infinities and NaNs
// keep their sign and payload (shifted into the top of the float32 mantissa).
func F16ToF32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f: // infinity or NaN
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case exp != 0: // normal: rebias the exponent from 15 to 127
		return math.Float32frombits(sign | (exp+112)<<23 | mant<<13)
	case mant == 0: // signed zero
		return math.Float32frombits(sign)
	}
	// Subnormal half: value = mant * 2^-24. With its leading one at bit p the
	// value is 2^(p-24) * 1.fraction, a normal float32.
	p := uint32(bits.Len32(mant) - 1)
	frac := (mant << (23 - p)) & 0x7fffff
	return math.Float32frombits(sign | (p+103)<<23 | frac)
}

// F32ToF16 converts a float32 to the bits of the nearest IEEE 754 binary16
// value, rounding ties to even, as ggml's GGML_FP32_TO_FP16 and the F16C
// instruction do. Values too large for a half become infinity, values too small
// become subnormal halves or signed zero. A NaN stays a NaN of the same sign: it
// keeps the top 10 bits of its payload and gets the quiet bit, as the hardware
// conversion does (ggml's portable C path returns the canonical 0x7E00 instead;
// both are quiet NaNs).
func F32ToF16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23) & 0xff
	mant := b & 0x7fffff
	if exp == 0xff {
		if mant == 0 {
			return sign | 0x7c00
		}
		return sign | 0x7e00 | uint16(mant>>13)
	}
	e := exp - 127 + 15 // the exponent field the value would have as a half
	if e >= 0x1f {
		return sign | 0x7c00
	}
	if e > 0 {
		// Normal half: drop 13 mantissa bits. A carry out of the mantissa
		// correctly bumps the exponent, up to infinity (0x7c00).
		return sign | uint16(roundShift(uint32(e)<<23|mant, 13))
	}
	if e < -10 {
		// Below half the smallest subnormal (2^-25): rounds to zero. This
		// includes float32 zeros and subnormals.
		return sign
	}
	// Subnormal half, counted in units of 2^-24: value = m * 2^(exp-150) with
	// the implicit bit restored, so units = m >> (14-e). Rounding up to 0x400
	// gives the smallest normal half, which is right.
	m := mant | 0x800000
	return sign | uint16(roundShift(m, uint(14-e)))
}

// roundShift returns v >> s rounded to nearest, ties to even (1 <= s <= 31).
func roundShift(v uint32, s uint) uint32 {
	q := v >> s
	rem := v & (1<<s - 1)
	half := uint32(1) << (s - 1)
	if rem > half || (rem == half && q&1 == 1) {
		q++
	}
	return q
}
