package quant

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func hexBlock(b []byte) string { return fmt.Sprintf("% x", b) }

func checkQuantBytes(t *testing.T, typ Type, x []float32, want []byte) {
	t.Helper()
	got, err := Quantize(typ, x)
	if err != nil {
		t.Fatalf("Quantize(%s): %v", typ, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Quantize(%s) =\n%s\nwant\n%s", typ, hexBlock(got), hexBlock(want))
	}
}

func TestQuantizeQ8_0Hand(t *testing.T) {
	x := make([]float32, 32)
	copy(x, []float32{127, -63.5, 0.5, 1.5, -0.5})
	// amax = 127 -> d = 1 (f16 0x3C00), id = 1; round half away from zero:
	// 127, -63.5 -> -64 (0xC0), 0.5 -> 1, 1.5 -> 2, -0.5 -> -1 (0xFF), 0 -> 0.
	want := make([]byte, 34)
	copy(want, []byte{0x00, 0x3c, 0x7f, 0xc0, 0x01, 0x02, 0xff})
	checkQuantBytes(t, Q8_0, x, want)
}

func TestQuantizeQ4_0Hand(t *testing.T) {
	x := make([]float32, 32)
	copy(x, []float32{-4, 2, 3.9, 0.26})
	x[16] = 4 // same magnitude as x[0]: the first one (-4) sets the sign
	// d = -4 / -8 = 0.5 (0x3800), id = 2; q = min(15, trunc(x*2 + 8.5)):
	// -4 -> 0.5 -> 0; 2 -> 12.5 -> 12; 3.9 -> 16.3 -> 16 -> 15; 0.26 -> 9.02 -> 9;
	// 0 -> 8; x[16] = 4 -> 16.5 -> 16 -> 15.
	want := []byte{0x00, 0x38, 0xf0, 0x8c, 0x8f, 0x89}
	for range 12 {
		want = append(want, 0x88)
	}
	checkQuantBytes(t, Q4_0, x, want)

	// All zeros: d = 0 / -8 = -0 (f16 0x8000, as ggml stores it), every level 8.
	zero := []byte{0x00, 0x80}
	for range 16 {
		zero = append(zero, 0x88)
	}
	checkQuantBytes(t, Q4_0, make([]float32, 32), zero)
}

func TestQuantizeQ4_1Hand(t *testing.T) {
	x := make([]float32, 32)
	for i := range x {
		x[i] = -1
	}
	x[1], x[16], x[17] = 0.1, 2.75, 0.13
	// min = -1 (0xBC00), d = 3.75/15 = 0.25 (0x3400), id = 4; q = min(15, trunc((x+1)*4 + 0.5)):
	// -1 -> 0; 0.1 -> 4.9 -> 4; 2.75 -> 15.5 -> 15; 0.13 -> 5.02 -> 5.
	want := make([]byte, 20)
	copy(want, []byte{0x00, 0x34, 0x00, 0xbc, 0xf0, 0x54})
	checkQuantBytes(t, Q4_1, x, want)
}

func TestQuantizeQ5_0Hand(t *testing.T) {
	x := make([]float32, 32)
	x[0], x[1], x[16], x[17] = -8, 3, 7.9, -0.3
	// d = -8 / -16 = 0.5 (0x3800), id = 2; q = min(31, trunc(x*2 + 16.5)):
	// -8 -> 0.5 -> 0; 3 -> 22.5 -> 22 (0b1_0110); 7.9 -> 32.3 -> 32 -> 31;
	// -0.3 -> 15.9 -> 15; 0 -> 16 (0b1_0000).
	// Fifth bits: every element but 0 and 17 -> qh = 0xFFFDFFFE.
	// qs[0] = 0 | 15<<4, qs[1] = 6 | 15<<4, the rest 0 | 0<<4.
	want := make([]byte, 22)
	copy(want, []byte{0x00, 0x38, 0xfe, 0xff, 0xfd, 0xff, 0xf0, 0xf6})
	checkQuantBytes(t, Q5_0, x, want)
}

func TestQuantizeQ5_1Hand(t *testing.T) {
	x := make([]float32, 32)
	x[0], x[1], x[16] = 31, 15.4, 16.6
	// min = 0 (0x0000), d = 31/31 = 1 (0x3C00); q = trunc(x + 0.5):
	// 31 -> 31 (low 15, fifth bit), 15.4 -> 15, 16.6 -> 17 (low 1, fifth bit), 0 -> 0.
	// qh: bits 0 and 16 -> 0x00010001.
	want := make([]byte, 24)
	copy(want, []byte{0x00, 0x3c, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x1f, 0x0f})
	checkQuantBytes(t, Q5_1, x, want)
}

// testInputs are blocks of n values with shapes that stress quantisers.
func testInputs(r *rand.Rand, n int) map[string][]float32 {
	gen := func(f func(i int) float64) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(f(i))
		}
		return x
	}
	return map[string][]float32{
		"gaussian":  gen(func(int) float64 { return r.NormFloat64() }),
		"small":     gen(func(int) float64 { return 1e-3 * r.NormFloat64() }),
		"large":     gen(func(int) float64 { return 300 * r.NormFloat64() }),
		"positive":  gen(func(int) float64 { return 1 + r.Float64() }),
		"negative":  gen(func(int) float64 { return -1 - r.Float64() }),
		"outliers":  gen(func(i int) float64 { return r.NormFloat64() * (1 + 49*float64(i%37/36)) }),
		"constant":  gen(func(int) float64 { return 3 }),
		"negconst":  gen(func(int) float64 { return -3 }),
		"zeros":     gen(func(int) float64 { return 0 }),
		"onehot":    gen(func(i int) float64 { return float64(i % 97 / 96) }),
		"mixedsign": gen(func(i int) float64 { return float64(i%5) - 2 }),
	}
}

func roundTrip(t *testing.T, typ Type, x []float32) (q []byte, y []float32) {
	t.Helper()
	q, err := Quantize(typ, x)
	if err != nil {
		t.Fatalf("Quantize(%s): %v", typ, err)
	}
	y = make([]float32, len(x))
	if err := Dequantize(typ, q, y); err != nil {
		t.Fatalf("Dequantize(%s): %v", typ, err)
	}
	return q, y
}

func absf(v float32) float64 { return math.Abs(float64(v)) }

// TestQuantizeLegacyErrorBound checks every element of the 32-wide formats
// against the error the reference algorithm allows: half a step of the float32
// scale d, plus what storing d (and the min m) as f16 adds, q_max*|d-d16| +
// |m-m16|. Q4_0/Q5_0 map the largest magnitude to -8/-16, so the opposite
// extreme clamps at +7/+15 and may be off by a whole step.
func TestQuantizeLegacyErrorBound(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for name, x := range testInputs(r, 32*64) {
		for _, typ := range []Type{Q8_0, Q4_0, Q4_1, Q5_0, Q5_1} {
			q, y := roundTrip(t, typ, x)
			for blk := range len(x) / 32 {
				xb, yb, qb := x[32*blk:32*blk+32], y[32*blk:32*blk+32], q[blk*typ.BlockBytes():]
				d16, m16 := f16At(qb), float32(0)
				var d, m, qmax float32
				lo, hi := minMax(xb)
				switch typ {
				case Q8_0:
					d, qmax = max(-lo, hi)/127, 127
				case Q4_0:
					d, qmax = absMaxWithSign(xb)/-8, 8
				case Q5_0:
					d, qmax = absMaxWithSign(xb)/-16, 16
				case Q4_1:
					d, m, m16, qmax = (hi-lo)/15, lo, f16At(qb[2:]), 15
				case Q5_1:
					d, m, m16, qmax = (hi-lo)/31, lo, f16At(qb[2:]), 31
				}
				step := absf(d)
				storage := float64(qmax)*math.Abs(float64(d-d16)) + math.Abs(float64(m-m16))
				for i := range xb {
					bound := 0.5*step + storage + 1e-6*absf(xb[i])
					if (typ == Q4_0 || typ == Q5_0) && float64(xb[i])*float64(inverse(d)) > float64(qmax)-0.5 {
						bound += 0.5 * step // the clamped extreme
					}
					if err := math.Abs(float64(yb[i] - xb[i])); err > bound {
						t.Fatalf("%s %s block %d elem %d: x=%g y=%g err %g > bound %g (d=%g d16=%g)",
							typ, name, blk, i, xb[i], yb[i], err, bound, d, d16)
					}
				}
			}
		}
	}
}

// kStep returns the step and offset of every element of a K-quant block as the
// block itself stores them (decoded with the exported unpackers).
func kSteps(typ Type, b []byte) (step, off [QKK]float32) {
	switch typ {
	case Q4_K, Q5_K:
		d, dmin := f16At(b[0:]), f16At(b[2:])
		for i := range QKK {
			sc, m := UnpackScaleMinK4(i/32, (*[12]byte)(b[4:16]))
			step[i], off[i] = d*float32(sc), dmin*float32(m)
		}
	case Q6_K:
		d := f16At(b[208:])
		for i := range QKK {
			step[i] = d * float32(int8(b[192+i/16]))
		}
	}
	return step, off
}

// TestQuantizeKErrorBound checks the range-covering K quantisers: every value is
// within half of its sub-block's stored step (or, for a sub-block of equal
// negative values with step 0, within dmin).
func TestQuantizeKErrorBound(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for name, x := range testInputs(r, QKK*16) {
		for _, typ := range []Type{Q4_K, Q5_K, Q6_K} {
			q, y := roundTrip(t, typ, x)
			for blk := range len(x) / QKK {
				b := q[blk*typ.BlockBytes() : (blk+1)*typ.BlockBytes()]
				step, off := kSteps(typ, b)
				for i := range QKK {
					xi, yi := x[blk*QKK+i], y[blk*QKK+i]
					bound := 0.5*float64(step[i]) + 1e-6*(absf(xi)+float64(off[i]))
					if step[i] == 0 && typ != Q6_K {
						bound = float64(f16At(b[2:])) + 1e-6*absf(xi)
					}
					if err := math.Abs(float64(yi - xi)); err > bound {
						t.Fatalf("%s %s block %d elem %d: x=%g y=%g err %g > bound %g (step %g)",
							typ, name, blk, i, xi, yi, err, bound, step[i])
					}
				}
			}
		}
	}
}

// TestQuantizeKQuality measures the RMS error on Gaussian weights relative to
// their standard deviation. A uniform quantiser over about +-2.5 sigma per
// sub-block gives roughly range/(levels*sqrt(12)); the limits leave room for
// the rounded-up scales but catch a quantiser that wastes its levels.
func TestQuantizeKQuality(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	x := make([]float32, QKK*64)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	for _, c := range []struct {
		typ   Type
		limit float64
	}{{Q4_K, 0.12}, {Q5_K, 0.06}, {Q6_K, 0.035}, {Q8_0, 0.01}, {Q4_0, 0.12}} {
		_, y := roundTrip(t, c.typ, x)
		var se float64
		for i := range x {
			se += math.Pow(float64(y[i]-x[i]), 2)
		}
		rms := math.Sqrt(se / float64(len(x)))
		t.Logf("%s: relative RMS error %.4f", c.typ, rms)
		if rms > c.limit {
			t.Errorf("%s: relative RMS error %.4f > %.4f", c.typ, rms, c.limit)
		}
	}
}

func TestQuantizePlainTypes(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	x := make([]float32, 1000)
	for i := range x {
		x[i] = float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(12)-6)))
	}
	x[0], x[1] = float32(math.Inf(-1)), 70000 // f16 overflow
	for _, c := range []struct {
		typ  Type
		conv func(float32) float32
	}{
		{F32, func(v float32) float32 { return v }},
		{F16, func(v float32) float32 { return F16ToF32(F32ToF16(v)) }},
		{BF16, func(v float32) float32 { return BF16ToF32(F32ToBF16(v)) }},
	} {
		_, y := roundTrip(t, c.typ, x)
		for i := range x {
			if want := c.conv(x[i]); y[i] != want {
				t.Fatalf("%s: element %d %g -> %g, want %g", c.typ, i, x[i], y[i], want)
			}
		}
	}
	// Spot values by hand: 1 -> f16 0x3C00, bf16 0x3F80; -2 -> 0xC000 / 0xC000.
	checkQuantBytes(t, F16, []float32{1, -2}, []byte{0x00, 0x3c, 0x00, 0xc0})
	checkQuantBytes(t, BF16, []float32{1, -2}, []byte{0x80, 0x3f, 0x00, 0xc0})
	checkQuantBytes(t, F32, []float32{1.5}, []byte{0x00, 0x00, 0xc0, 0x3f})
}

func TestQuantizeBadInput(t *testing.T) {
	if _, err := Quantize(Q4_K, make([]float32, 100)); err == nil ||
		err.Error() != "quantize: Q4_K: 100 values is not a whole number of 256-value blocks" {
		t.Errorf("Quantize(Q4_K, 100 values) error = %v", err)
	}
	if _, err := Quantize(Q2_K, make([]float32, 256)); err == nil ||
		err.Error() != "tensor type Q2_K is not supported for quantization" {
		t.Errorf("Quantize(Q2_K) error = %v", err)
	}
	if b, err := Quantize(Q8_0, nil); err != nil || len(b) != 0 {
		t.Errorf("Quantize(Q8_0, nil) = %v, %v; want empty, nil", b, err)
	}
	// NaN and infinite inputs give some block, never a panic.
	x := make([]float32, QKK)
	x[3], x[7] = float32(math.NaN()), float32(math.Inf(1))
	for typ := range quantizers {
		if _, err := Quantize(typ, x); err != nil {
			t.Errorf("Quantize(%s, NaN/Inf) = %v", typ, err)
		}
	}
}

func TestCanQuantize(t *testing.T) {
	for _, typ := range []Type{F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K, Q6_K} {
		if !CanQuantize(typ) {
			t.Errorf("CanQuantize(%s) = false", typ)
		}
	}
	for _, typ := range []Type{Q2_K, Q3_K, Q8_K, IQ2_XXS, Type(99)} {
		if CanQuantize(typ) {
			t.Errorf("CanQuantize(%s) = true", typ)
		}
	}
}
