package metrics

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"gonum.org/v1/gonum/stat"
)

func TestSpearmanPublishedValues(t *testing.T) {
	// scipy.stats.spearmanr([1,2,3,4,5], [5,6,7,8,7]) = 0.8207826816681233:
	// the tie between the two 7s takes ranks 3.5 and 3.5.
	assert.InDelta(t, 0.8207826816681233, Spearman([]float64{1, 2, 3, 4, 5}, []float64{5, 6, 7, 8, 7}), 1e-12)
	// Without ties, ρ = 1 − 6Σd²/(n(n²−1)): d = (0,−2,1,1,0) gives 1 − 36/120.
	assert.InDelta(t, 0.7, Spearman([]float64{10, 20, 30, 40, 50}, []float64{1, 4, 2, 3, 5}), 1e-12)
	// A monotone transform changes nothing; reversing the order flips the sign.
	xs := []float64{0.3, -1, 2.5, 7, 0}
	ys := make([]float64, len(xs))
	for i, x := range xs {
		ys[i] = math.Exp(x)
	}
	assert.InDelta(t, 1, Spearman(xs, ys), 1e-12)
	for i := range ys {
		ys[i] = -ys[i]
	}
	assert.InDelta(t, -1, Spearman(xs, ys), 1e-12)
}

func TestSpearmanIsPearsonOfRanks(t *testing.T) {
	xs := []float64{3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5}
	ys := []float64{2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4}
	want := stat.Correlation(ranks(xs), ranks(ys), nil)
	assert.InDelta(t, want, Spearman(xs, ys), 1e-12)
	assert.Equal(t, []float64{4.5, 1.5, 6, 1.5, 8, 11, 3, 10, 8, 4.5, 8}, ranks(xs))
}

func TestSpearmanUndefined(t *testing.T) {
	for _, c := range [][2][]float64{{{1}, {2}}, {{1, 2}, {1}}, {{1, 1, 1}, {1, 2, 3}}, {nil, nil}} {
		assert.True(t, math.IsNaN(Spearman(c[0], c[1])), "Spearman(%v, %v)", c[0], c[1])
	}
}
