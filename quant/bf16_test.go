package quant

import (
	"math"
	"math/rand/v2"
	"testing"
)

// refF32ToBF16 picks, in float64, the nearer of the two bfloat16 neighbours of
// a finite f (ties to the one with an even last bit). A neighbour with an
// all-ones exponent stands for infinity and is compared as 2^128, the first
// value past the largest finite bfloat16, as IEEE rounding does.
func refF32ToBF16(f float32) uint16 {
	u := math.Float32bits(f)
	lo := uint16(u >> 16)
	hi := lo + 1
	value := func(h uint16) float64 {
		if h&0x7f80 == 0x7f80 {
			return math.Copysign(0x1p128, float64(f))
		}
		return float64(BF16ToF32(h))
	}
	x := float64(f)
	dlo, dhi := math.Abs(x-value(lo)), math.Abs(value(hi)-x)
	switch {
	case dlo < dhi, dlo == dhi && lo&1 == 0:
		return lo
	}
	return hi
}

func TestBF16ToF32HandValues(t *testing.T) {
	cases := []struct {
		in   uint16
		want float32
	}{
		{0x3f80, 1}, {0xc000, -2}, {0x4049, 3.140625}, {0x0001, 0x1p-133}, {0x7f80, float32(math.Inf(1))},
	}
	for _, c := range cases {
		if got := BF16ToF32(c.in); got != c.want {
			t.Errorf("BF16ToF32(%#04x) = %g, want %g", c.in, got, c.want)
		}
	}
}

func TestF32ToBF16HandValues(t *testing.T) {
	cases := []struct {
		in   uint32 // float32 bits
		want uint16
	}{
		{0x3f808000, 0x3f80}, // tie, lower is even
		{0x3f818000, 0x3f82}, // tie, upper is even
		{0x3f808001, 0x3f81}, // just above the tie
		{0x7f7fffff, 0x7f80}, // largest float32 rounds to infinity
		{0x00000001, 0x0000}, // smallest subnormal: kept as subnormal, rounds to 0
		{0x00008001, 0x0001}, // subnormals are not flushed
		{0x7f800001, 0x7fc0}, // signalling NaN made quiet
		{0xffc00001, 0xffc0}, // quiet NaN keeps sign
	}
	for _, c := range cases {
		if got := F32ToBF16(math.Float32frombits(c.in)); got != c.want {
			t.Errorf("F32ToBF16(%#08x) = %#04x, want %#04x", c.in, got, c.want)
		}
	}
}

func TestBF16RoundTripAllValues(t *testing.T) {
	for i := range 1 << 16 {
		h := uint16(i)
		back := F32ToBF16(BF16ToF32(h))
		if h&0x7f80 == 0x7f80 && h&0x7f != 0 { // NaN: becomes the quiet NaN
			if back != h|0x40 {
				t.Fatalf("NaN %#04x came back as %#04x", h, back)
			}
			continue
		}
		if back != h {
			t.Fatalf("F32ToBF16(BF16ToF32(%#04x)) = %#04x", h, back)
		}
	}
}

func TestF32ToBF16AgainstReference(t *testing.T) {
	check := func(u uint32) {
		f := math.Float32frombits(u)
		if math.IsNaN(float64(f)) {
			return
		}
		if got, want := F32ToBF16(f), refF32ToBF16(f); got != want {
			t.Fatalf("F32ToBF16(%#08x) = %#04x, reference %#04x", u, got, want)
		}
	}
	for u := uint64(0); u < 1<<32; u += 4099 {
		check(uint32(u))
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 200000 {
		u := r.Uint32()
		check(u)
		check(u&^0xffff | 0x8000) // exact ties
	}
}
