package sample

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// referenceTopP is the textbook nucleus: full sort (ties to lower id),
// softmax, smallest prefix reaching p.
func referenceTopP(l []float32, p float64) []int32 {
	ids := make([]int32, len(l))
	for i := range ids {
		ids[i] = int32(i)
	}
	slices.SortFunc(ids, func(a, b int32) int {
		return compareDescending(candidate{l[a], a}, candidate{l[b], b})
	})
	maxL := float64(l[ids[0]])
	total := 0.0
	for _, x := range l {
		total += math.Exp(float64(x) - maxL)
	}
	acc := 0.0
	for i, id := range ids {
		acc += math.Exp(float64(l[id]) - maxL)
		if acc >= p*total {
			ids = ids[:i+1]
			break
		}
	}
	slices.Sort(ids)
	return ids
}

// TestTopPMatchesFullSort checks the bucketed top-p against a full sort on
// vocabularies whose logits span a little (most mass in one bucket), a lot
// (past the 32-logit bucket range) and in between.
func TestTopPMatchesFullSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, spread := range []float64{0.01, 1, 3, 10, 40} {
		for _, p := range []float32{0.1, 0.5, 0.9, 0.95, 0.999} {
			l := make([]float32, 20000)
			for i := range l {
				l[i] = float32(rng.NormFloat64() * spread)
			}
			s := New(Params{Temperature: 1, TopP: p}, len(l))
			got := survivors(s, slices.Clone(l), nil)
			if want := referenceTopP(l, float64(p)); !slices.Equal(got, want) {
				t.Errorf("spread %v p %v: kept %d tokens, reference %d", spread, p, len(got), len(want))
			}
		}
	}
}
