package tensor

import (
	"math"
	"testing"
)

// TestExpAccuracy compares Exp with math.Exp on a dense grid over the whole
// normal range and on the special values.
func TestExpAccuracy(t *testing.T) {
	worst, at := 0.0, 0.0
	for x := -87.33; x <= 88.7; x += 1.0 / 8192 {
		xf := float32(x)
		want := math.Exp(float64(xf))
		got := float64(Exp(xf))
		if rel := math.Abs(got-want) / want; rel > worst {
			worst, at = rel, float64(xf)
		}
	}
	t.Logf("max relative error %.3g at x = %g", worst, at)
	if worst > 2e-7 {
		t.Fatalf("max relative error %.3g at x = %g, want ≤ 2e-7", worst, at)
	}
	cases := []struct{ x, want float32 }{
		{0, 1}, {1, float32(math.E)}, {-88, 0}, {-1000, 0}, {89, float32(math.Inf(1))},
		{float32(math.Inf(1)), float32(math.Inf(1))}, {float32(math.Inf(-1)), 0},
	}
	for _, c := range cases {
		if got := Exp(c.x); got != c.want {
			t.Errorf("Exp(%g) = %g, want %g", c.x, got, c.want)
		}
	}
	if got := Exp(float32(math.NaN())); got == got {
		t.Errorf("Exp(NaN) = %g, want NaN", got)
	}
	// The ends of the range.
	for _, x := range []float32{88.7, -87.336} {
		if got, want := float64(Exp(x)), math.Exp(float64(x)); math.Abs(got-want)/want > 2e-7 {
			t.Errorf("Exp(%g) = %g, want %g", x, got, want)
		}
	}
}

func BenchmarkExp(b *testing.B) {
	x := make([]float32, 4096)
	for i := 0; i < b.N; i++ {
		for j := range x {
			x[j] = float32(j) * -0.01
		}
		for j, v := range x {
			x[j] = Exp(v)
		}
	}
}
