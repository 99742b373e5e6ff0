package metrics

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMeanCIHandExample(t *testing.T) {
	// xs = 1..5: mean 3, s² = (4+1+0+1+4)/4 = 2.5, se = √(2.5/5) = √0.5,
	// t(0.975, 4) = 2.776445105 → half-width 1.963243…
	mean, lo, hi := MeanCI([]float64{1, 2, 3, 4, 5})
	half := 2.776445105 * math.Sqrt(0.5)
	assert.InDelta(t, 3, mean, 1e-9, "mean")
	assert.InDelta(t, 3-half, lo, 1e-7, "lower bound")
	assert.InDelta(t, 3+half, hi, 1e-7, "upper bound")
}

func TestMeanCIEdgeCases(t *testing.T) {
	m, lo, hi := MeanCI(nil)
	assert.True(t, math.IsNaN(m) && math.IsNaN(lo) && math.IsNaN(hi), "empty: got %v %v %v, want NaN", m, lo, hi)
	m, lo, hi = MeanCI([]float64{0.7})
	assert.Equal(t, 0.7, m, "one value")
	assert.True(t, math.IsNaN(lo) && math.IsNaN(hi), "one value: interval [%v, %v], want NaN", lo, hi)
	m, lo, hi = MeanCI([]float64{2, 2, 2})
	assert.Equal(t, [3]float64{2, 2, 2}, [3]float64{m, lo, hi}, "constant")
}

func TestTQuantile(t *testing.T) {
	// Published table values (e.g. NIST/SEMATECH handbook, t at 0.975).
	for df, want := range map[int]float64{1: 12.706, 2: 4.303, 10: 2.228, 30: 2.042, 40: 2.021, 60: 2.000, 100: 1.984} {
		assert.InDelta(t, want, tQuantile975(df), 6e-4, "t(0.975, %d)", df)
	}
	// Just past the table the expansion must already be accurate:
	// t(0.975, 31) = 2.0395134 (tables), and it decreases towards 1.96.
	assert.InDelta(t, 2.0395134, tQuantile975(31), 1e-5, "t(0.975, 31)")
	assert.InDelta(t, 1.959964, tQuantile975(1_000_000), 1e-5, "t(0.975, 1e6)")
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
