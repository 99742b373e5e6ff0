package quant

import (
	"math"
	"math/rand/v2"
	"testing"
)

// refF16Value is the value of half bits h computed from the IEEE 754 formula in
// float64, independently of F16ToF32.
func refF16Value(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp, mant := int(h>>10&0x1f), float64(h&0x3ff)
	switch exp {
	case 0x1f:
		if mant == 0 {
			return math.Inf(int(sign))
		}
		return math.NaN()
	case 0:
		return sign * math.Ldexp(mant, -24)
	}
	return sign * math.Ldexp(1+mant/1024, exp-15)
}

// refF32ToF16 rounds f to a half in float64 arithmetic: scale by the spacing of
// halves at f's magnitude, round to even, then encode the result. It does not
// handle NaN.
func refF32ToF16(f float32) uint16 {
	x := float64(f)
	var sign uint16
	if math.Signbit(x) {
		sign, x = 0x8000, -x
	}
	if math.IsInf(x, 0) {
		return sign | 0x7c00
	}
	quantum := 0x1p-24 // spacing of subnormal halves
	if x >= 0x1p-14 {
		_, e := math.Frexp(x) // x in [2^(e-1), 2^e): 10 fraction bits below 2^(e-1)
		quantum = math.Ldexp(1, e-11)
	}
	r := math.RoundToEven(x/quantum) * quantum
	if r >= 65536 { // rounds past the largest half, 65504
		return sign | 0x7c00
	}
	if r < 0x1p-14 {
		return sign | uint16(r/0x1p-24)
	}
	fr, e := math.Frexp(r)
	return sign | uint16(e-1+15)<<10 | uint16((fr*2-1)*1024)
}

func TestF16ToF32AllValues(t *testing.T) {
	for i := range 1 << 16 {
		h := uint16(i)
		got, want := F16ToF32(h), refF16Value(h)
		if math.IsNaN(want) {
			if !math.IsNaN(float64(got)) {
				t.Fatalf("F16ToF32(%#04x) = %v, want NaN", h, got)
			}
			continue
		}
		if float64(got) != want || math.Signbit(float64(got)) != math.Signbit(want) {
			t.Fatalf("F16ToF32(%#04x) = %v, want %v", h, got, want)
		}
	}
}

func TestF16RoundTripAllValues(t *testing.T) {
	for i := range 1 << 16 {
		h := uint16(i)
		f := F16ToF32(h)
		back := F32ToF16(f)
		if math.IsNaN(float64(f)) {
			if back&0x7c00 != 0x7c00 || back&0x3ff == 0 || back&0x8000 != h&0x8000 {
				t.Fatalf("NaN %#04x came back as %#04x, not a NaN of the same sign", h, back)
			}
			if h&0x200 != 0 && back != h { // quiet NaNs keep their payload exactly
				t.Fatalf("quiet NaN %#04x came back as %#04x", h, back)
			}
			continue
		}
		if back != h {
			t.Fatalf("F32ToF16(F16ToF32(%#04x)) = %#04x", h, back)
		}
	}
}

func TestF32ToF16HandValues(t *testing.T) {
	cases := []struct {
		in   float32
		want uint16
	}{
		{1, 0x3c00}, {-2, 0xc000}, {0.5, 0x3800}, {65504, 0x7bff},
		{65519, 0x7bff},               // below the halfway point to 65536
		{65520, 0x7c00},               // halfway: ties to even (the "infinity" side)
		{1e9, 0x7c00}, {-1e9, 0xfc00}, // overflow
		{0x1p-24, 0x0001},                       // smallest subnormal
		{0x1p-25, 0x0000},                       // exactly half of it: ties to even (0)
		{0x1.8p-24, 0x0002},                     // 1.5 units: ties to even (2)
		{0x1.000002p-25, 0x0001},                // just above half a unit
		{float32(math.Copysign(0, -1)), 0x8000}, // negative zero
		{1 + 0x1p-11, 0x3c00},                   // tie between 1 and 1+2^-10: even is 1
		{1 + 3*0x1p-11, 0x3c02},                 // tie between 1+2^-10 and 1+2^-9: even is the upper
		{0x1.ffcp-15, 0x0400},                   // largest subnormal plus half a unit rounds up to the smallest normal
	}
	for _, c := range cases {
		if got := F32ToF16(c.in); got != c.want {
			t.Errorf("F32ToF16(%g) = %#04x, want %#04x", c.in, got, c.want)
		}
	}
	if h := F32ToF16(float32(math.NaN())); h&0x7c00 != 0x7c00 || h&0x3ff == 0 {
		t.Errorf("F32ToF16(NaN) = %#04x, not a NaN", h)
	}
	// A signalling float32 NaN whose payload lies only in the dropped low bits
	// must still be a NaN (quiet bit set), not turn into infinity.
	if h := F32ToF16(math.Float32frombits(0x7f800001)); h != 0x7e00 {
		t.Errorf("F32ToF16(sNaN 0x7f800001) = %#04x, want 0x7e00", h)
	}
}

func TestF32ToF16AgainstReference(t *testing.T) {
	check := func(f float32) {
		if math.IsNaN(float64(f)) {
			return
		}
		if got, want := F32ToF16(f), refF32ToF16(f); got != want {
			t.Fatalf("F32ToF16(%g [%#08x]) = %#04x, reference %#04x", f, math.Float32bits(f), got, want)
		}
	}
	// Every half, the exact midpoint to the next half (a tie) and the float32
	// neighbours of that midpoint: this walks every rounding boundary,
	// including subnormals and the overflow threshold.
	for i := range 0x7c00 {
		for _, s := range []float32{1, -1} {
			lo := float64(F16ToF32(uint16(i)))
			hi := refF16Value(uint16(i + 1))
			if i+1 == 0x7c00 {
				hi = 65536 // the next step after 65504, where infinity starts
			}
			mid := float32((lo + hi) / 2)
			check(s * float32(lo))
			check(s * mid)
			check(s * math.Nextafter32(mid, 0))
			check(s * math.Nextafter32(mid, float32(math.Inf(1))))
		}
	}
	// A sweep over the whole float32 bit space and random values.
	for u := uint64(0); u < 1<<32; u += 4099 {
		check(math.Float32frombits(uint32(u)))
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		check(math.Float32frombits(r.Uint32()))
		check(float32(r.NormFloat64()))
	}
}
