package metrics

import (
	"math"
	"testing"
)

func TestMeanCIHandExample(t *testing.T) {
	// xs = 1..5: mean 3, s² = (4+1+0+1+4)/4 = 2.5, se = √(2.5/5) = √0.5,
	// t(0.975, 4) = 2.776445105 → half-width 1.963243…
	mean, lo, hi := MeanCI([]float64{1, 2, 3, 4, 5})
	half := 2.776445105 * math.Sqrt(0.5)
	near(t, "mean", mean, 3)
	if math.Abs(lo-(3-half)) > 1e-7 || math.Abs(hi-(3+half)) > 1e-7 {
		t.Errorf("interval = [%v, %v], want 3 ∓ %v", lo, hi, half)
	}
}

func TestMeanCIEdgeCases(t *testing.T) {
	m, lo, hi := MeanCI(nil)
	if !math.IsNaN(m) || !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("empty: got %v %v %v, want NaN", m, lo, hi)
	}
	m, lo, hi = MeanCI([]float64{0.7})
	if m != 0.7 || !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("one value: got %v %v %v, want 0.7 NaN NaN", m, lo, hi)
	}
	m, lo, hi = MeanCI([]float64{2, 2, 2})
	if m != 2 || lo != 2 || hi != 2 {
		t.Errorf("constant: got %v %v %v, want 2 2 2", m, lo, hi)
	}
}

func TestTQuantile(t *testing.T) {
	// Published table values (e.g. NIST/SEMATECH handbook, t at 0.975).
	for df, want := range map[int]float64{1: 12.706, 2: 4.303, 10: 2.228, 30: 2.042, 40: 2.021, 60: 2.000, 100: 1.984} {
		if got := tQuantile975(df); math.Abs(got-want) > 6e-4 {
			t.Errorf("t(0.975, %d) = %.5f, want %.3f", df, got, want)
		}
	}
	// Just past the table the expansion must already be accurate:
	// t(0.975, 31) = 2.0395134 (tables), and it decreases towards 1.96.
	if got := tQuantile975(31); math.Abs(got-2.0395134) > 1e-5 {
		t.Errorf("t(0.975, 31) = %.7f, want 2.0395134", got)
	}
	if got := tQuantile975(1_000_000); math.Abs(got-1.959964) > 1e-5 {
		t.Errorf("t(0.975, 1e6) = %v, want ≈ 1.959964", got)
	}
}

func TestMeanCICoverage(t *testing.T) {
	// Wider with fewer points from the same spread: n = 3 vs n = 30 with values
	// alternating 0 and 1 (s ≈ 0.5): half-width shrinks.
	small := []float64{0, 1, 0}
	large := make([]float64, 30)
	for i := range large {
		large[i] = float64(i % 2)
	}
	_, lo1, hi1 := MeanCI(small)
	_, lo2, hi2 := MeanCI(large)
	if !(hi1-lo1 > 3*(hi2-lo2)) {
		t.Errorf("n=3 width %v not much wider than n=30 width %v", hi1-lo1, hi2-lo2)
	}
}
