package sample

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

// survivors runs the penalty and filters of s on logits and returns the ids
// that remain drawable, in increasing order.
func survivors(s *Sampler, logits []float32, history []int32) []int32 {
	s.applyRepeatPenalty(logits, history)
	n := s.loadCandidates(logits)
	c, _ := s.filter(s.cands[:n])
	ids := make([]int32, len(c))
	for i, x := range c {
		ids[i] = x.id
	}
	slices.Sort(ids)
	return ids
}

// logProbs returns logits whose softmax is exactly probs (up to rounding).
func logProbs(probs ...float64) []float32 {
	out := make([]float32, len(probs))
	for i, p := range probs {
		out[i] = float32(math.Log(p))
	}
	return out
}

func randomLogits(rng *rand.Rand, n int) []float32 {
	l := make([]float32, n)
	for i := range l {
		l[i] = float32(rng.NormFloat64() * 3)
	}
	return l
}

func TestGreedyPicksArgmax(t *testing.T) {
	s := New(Params{}, 6)
	if got := s.Sample([]float32{0.1, 2, -1, 7.5, 7.4, 3}, nil); got != 3 {
		t.Errorf("argmax: got %d, want 3", got)
	}
	if got := s.Sample([]float32{1, 5, 2, 5, 5, 0}, nil); got != 1 {
		t.Errorf("tie: got %d, want lowest id 1", got)
	}
	nan := float32(math.NaN())
	if got := s.Sample([]float32{nan, -1, nan, -0.5, nan, -2}, nil); got != 3 {
		t.Errorf("NaN never wins: got %d, want 3", got)
	}
}

func TestTinyTemperatureEqualsGreedy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	greedy := New(Params{}, 1000)
	cold := New(Params{Temperature: 1e-3, Seed: 7}, 1000)
	for range 200 {
		l := randomLogits(rng, 1000)
		want := greedy.Sample(slices.Clone(l), nil)
		// Skip near-ties, where T=1e-3 still leaves real probability on the
		// runner-up; elsewhere the runner-up has weight below exp(-100).
		sorted := slices.Clone(l)
		slices.Sort(sorted)
		if sorted[len(sorted)-1]-sorted[len(sorted)-2] < 0.1 {
			continue
		}
		if got := cold.Sample(l, nil); got != want {
			t.Fatalf("T=1e-3 picked %d, greedy %d", got, want)
		}
	}
}

func drawSequence(s *Sampler, logits []float32, n int) []int32 {
	out := make([]int32, n)
	for i := range out {
		out[i] = s.Sample(slices.Clone(logits), nil)
	}
	return out
}

func TestSeedReproducibility(t *testing.T) {
	l := randomLogits(rand.New(rand.NewPCG(3, 4)), 500)
	p := Params{Temperature: 1.5, Seed: 42}
	a := drawSequence(New(p, 500), l, 100)
	b := drawSequence(New(p, 500), l, 100)
	if !slices.Equal(a, b) {
		t.Fatal("same seed gave different sequences")
	}
	p.Seed = 43
	c := drawSequence(New(p, 500), l, 100)
	if slices.Equal(a, c) {
		t.Fatal("different seeds gave the same 100-token sequence")
	}
	// Reset replays the sequence from the start.
	s := New(Params{Temperature: 1.5, Seed: 42}, 500)
	drawSequence(s, l, 37)
	s.Reset()
	if d := drawSequence(s, l, 100); !slices.Equal(a, d) {
		t.Fatal("Reset did not reproduce the sequence")
	}
}

func TestTopKOneEqualsGreedy(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	greedy := New(Params{}, 300)
	s := New(Params{Temperature: 2, TopK: 1, Seed: 1}, 300)
	for range 200 {
		l := randomLogits(rng, 300)
		if got, want := s.Sample(slices.Clone(l), nil), greedy.Sample(l, nil); got != want {
			t.Fatalf("top-k=1 picked %d, greedy %d", got, want)
		}
	}
}

func TestTopKKeepsExactlyTheBest(t *testing.T) {
	s := New(Params{Temperature: 1, TopK: 3}, 8)
	got := survivors(s, []float32{0.5, 4, -2, 3.9, 1, 4.2, -7, 3.8}, nil)
	assert.Equal(t, []int32{1, 3, 5}, got, "top-3 kept")
	// Ties at the cut go to the lower id.
	got = survivors(s, []float32{1, 2, 2, 2, 2, 0}, nil)
	assert.Equal(t, []int32{1, 2, 3}, got, "top-3 with ties kept")
	// Against a full sort on a big random vocabulary.
	rng := rand.New(rand.NewPCG(9, 9))
	l := randomLogits(rng, 5000)
	big := New(Params{Temperature: 1, TopK: 40}, 5000)
	order := make([]int32, len(l))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if l[a] != l[b] {
			if l[a] > l[b] {
				return -1
			}
			return 1
		}
		return int(a - b)
	})
	want := slices.Clone(order[:40])
	slices.Sort(want)
	assert.Equal(t, want, survivors(big, slices.Clone(l), nil), "top-40 of 5000 against a full sort")
}

func TestTopPKeepsSmallestPrefix(t *testing.T) {
	// probabilities 0.5, 0.3, 0.15, 0.05 (ids shuffled)
	l := logProbs(0.15, 0.5, 0.05, 0.3)
	cases := []struct {
		p    float32
		want []int32
	}{
		{0.4, []int32{1}},           // 0.5 >= 0.4
		{0.75, []int32{1, 3}},       // 0.5 < 0.75 <= 0.8
		{0.9, []int32{0, 1, 3}},     // 0.8 < 0.9 <= 0.95
		{0.99, []int32{0, 1, 2, 3}}, // needs all
	}
	for _, c := range cases {
		s := New(Params{Temperature: 1, TopP: c.p}, 4)
		assert.Equal(t, c.want, survivors(s, slices.Clone(l), nil), "top-p %.2f", c.p)
	}
}

func TestMinPThreshold(t *testing.T) {
	l := logProbs(0.15, 0.5, 0.05, 0.3)
	cases := []struct {
		minP float32
		want []int32
	}{
		{0.05, []int32{0, 1, 2, 3}}, // threshold 0.025
		{0.25, []int32{0, 1, 3}},    // threshold 0.125
		{0.35, []int32{1, 3}},       // threshold 0.175
		{0.7, []int32{1}},           // threshold 0.35
		{5, []int32{1}},             // never empties the set
	}
	for _, c := range cases {
		s := New(Params{Temperature: 1, MinP: c.minP}, 4)
		assert.Equal(t, c.want, survivors(s, slices.Clone(l), nil), "min-p %.2f", c.minP)
		// Same answer when min-p runs on a sorted (top-k) set.
		s = New(Params{Temperature: 1, MinP: c.minP, TopK: 4}, 4)
		assert.Equal(t, c.want, survivors(s, slices.Clone(l), nil), "min-p %.2f after top-k", c.minP)
	}
}

func TestFilterChainOrder(t *testing.T) {
	// probabilities 0.4, 0.3, 0.2, 0.1: top-k 3 renormalises to 4/9, 3/9,
	// 2/9; top-p 0.7 then needs 4/9+3/9 = 0.78; min-p 0.8 of 4/9 drops 3/9.
	l := logProbs(0.4, 0.3, 0.2, 0.1)
	s := New(Params{Temperature: 1, TopK: 3, TopP: 0.7}, 4)
	assert.Equal(t, []int32{0, 1}, survivors(s, slices.Clone(l), nil), "top-k+top-p")
	s = New(Params{Temperature: 1, TopK: 3, TopP: 0.7, MinP: 0.8}, 4)
	assert.Equal(t, []int32{0}, survivors(s, slices.Clone(l), nil), "top-k+top-p+min-p")
}

// TestFrequenciesMatchSoftmax draws many tokens from a small vocabulary and
// compares counts with softmax(logits/T) by a chi-square statistic. The seed
// is fixed, so the test is deterministic; the bound (df=4, 30) would fail a
// correct sampler with probability ~5e-6 for a random seed, while a wrong
// temperature (e.g. T applied twice) gives statistics in the thousands.
func TestFrequenciesMatchSoftmax(t *testing.T) {
	logits := []float32{1.0, 2.0, 0.5, -1.0, 1.5}
	for _, tc := range []struct {
		temp  float32
		topK  int
		allow []bool
	}{
		{0.7, 0, []bool{true, true, true, true, true}},
		{1.3, 0, []bool{true, true, true, true, true}},
		{1.0, 3, []bool{true, true, false, false, true}},
	} {
		s := New(Params{Temperature: tc.temp, TopK: tc.topK, Seed: 2024}, len(logits))
		const draws = 200000
		counts := make([]int, len(logits))
		for range draws {
			counts[s.Sample(slices.Clone(logits), nil)]++
		}
		weights := make([]float64, len(logits))
		total := 0.0
		for i, l := range logits {
			if tc.allow[i] {
				weights[i] = math.Exp(float64(l) / float64(tc.temp))
				total += weights[i]
			}
		}
		chi2 := 0.0
		for i := range logits {
			if !tc.allow[i] {
				if counts[i] != 0 {
					t.Errorf("T=%v k=%d: excluded token %d drawn %d times", tc.temp, tc.topK, i, counts[i])
				}
				continue
			}
			exp := draws * weights[i] / total
			d := float64(counts[i]) - exp
			chi2 += d * d / exp
		}
		if chi2 > 30 {
			t.Errorf("T=%v k=%d: chi-square %.1f too large; counts %v", tc.temp, tc.topK, chi2, counts)
		}
	}
}

func TestRepeatPenaltyMath(t *testing.T) {
	s := New(Params{RepeatPenalty: 2}, 5)
	l := []float32{2, -2, 1, 0.5, -0.25}
	// 0 appears twice but is penalised once; 9 and -1 are out of range.
	s.applyRepeatPenalty(l, []int32{0, 1, 0, 4, 9, -1})
	want := []float32{1, -4, 1, 0.5, -0.5}
	assert.Equal(t, want, l, "penalised logits")
	// A second call penalises again (state does not leak between calls).
	s.applyRepeatPenalty(l, []int32{0})
	if l[0] != 0.5 {
		t.Errorf("second call: logit %v, want 0.5", l[0])
	}

	// The window only looks at the last RepeatLastN tokens.
	s = New(Params{RepeatPenalty: 1.25, RepeatLastN: 2}, 4)
	l = []float32{1, 1, 1, -1}
	s.applyRepeatPenalty(l, []int32{0, 1, 2, 3})
	assert.Equal(t, []float32{1, 1, 0.8, -1.25}, l, "windowed penalty")

	// Penalty 1 and the zero value leave logits alone.
	for _, pen := range []float32{1, 0} {
		s = New(Params{RepeatPenalty: pen}, 2)
		l = []float32{3, -3}
		s.applyRepeatPenalty(l, []int32{0, 1})
		assert.Equal(t, []float32{3, -3}, l, "penalty %v", pen)
	}

	// Through Sample: the penalty flips the greedy choice.
	s = New(Params{RepeatPenalty: 2}, 2)
	if got := s.Sample([]float32{3, 2.9}, []int32{0}); got != 1 {
		t.Errorf("greedy with penalty picked %d, want 1", got)
	}
}

func TestDegenerateLogits(t *testing.T) {
	s := New(Params{Temperature: 1, TopP: 0.9, MinP: 0.1}, 4)
	if got := s.Sample(nil, nil); got != -1 {
		t.Errorf("empty logits: got %d", got)
	}
	inf := float32(math.Inf(1))
	ninf := float32(math.Inf(-1))
	if got := s.Sample([]float32{ninf, ninf, 3, ninf}, nil); got != 2 {
		t.Errorf("single finite logit: got %d", got)
	}
	if got := s.Sample([]float32{0, inf, 5, 1}, nil); got != 1 {
		t.Errorf("+Inf logit: got %d", got)
	}
	if got := s.Sample([]float32{ninf, ninf, ninf, ninf}, nil); got != 0 {
		t.Errorf("all -Inf: got %d", got)
	}
	// Logits longer than the vocabulary are cut to it.
	if got := New(Params{}, 2).Sample([]float32{1, 2, 9}, nil); got != 1 {
		t.Errorf("long logits: got %d", got)
	}
}

func TestSampleDoesNotAllocate(t *testing.T) {
	const vocab = 151936
	l := randomLogits(rand.New(rand.NewPCG(11, 12)), vocab)
	buf := make([]float32, vocab)
	history := []int32{5, 17, 4000, 151935, 17, 99}
	for _, p := range []Params{
		{},
		{Temperature: 0.8, Seed: 1},
		{Temperature: 0.8, TopK: 40, TopP: 0.95, MinP: 0.05, RepeatPenalty: 1.1, Seed: 1},
		{Temperature: 0.8, TopP: 0.9, RepeatPenalty: 1.1, Seed: 1}, // full sort path
		{Temperature: 0.8, MinP: 0.05, Seed: 1},
	} {
		s := New(p, vocab)
		allocs := testing.AllocsPerRun(5, func() {
			copy(buf, l)
			s.Sample(buf, history)
		})
		if allocs != 0 {
			t.Errorf("%+v: %v allocations per Sample", p, allocs)
		}
	}
}

func benchmarkSample(b *testing.B, p Params) {
	const vocab = 151936
	l := randomLogits(rand.New(rand.NewPCG(1, 1)), vocab)
	buf := make([]float32, vocab)
	s := New(p, vocab)
	history := []int32{1, 2, 3, 4, 5, 6, 7, 8}
	b.ResetTimer()
	for range b.N {
		copy(buf, l)
		s.Sample(buf, history)
	}
}

func BenchmarkGreedy150k(b *testing.B) { benchmarkSample(b, Params{RepeatPenalty: 1.1}) }
func BenchmarkTopK40_150k(b *testing.B) {
	benchmarkSample(b, Params{Temperature: 0.8, TopK: 40, TopP: 0.95, MinP: 0.05, RepeatPenalty: 1.1})
}
func BenchmarkTopPOnly150k(b *testing.B) { benchmarkSample(b, Params{Temperature: 0.8, TopP: 0.9}) }
func BenchmarkMinPOnly150k(b *testing.B) { benchmarkSample(b, Params{Temperature: 0.8, MinP: 0.05}) }

// TestArgmaxMatchesInOrder: the four-lane scan picks what a scan in order
// picks, on every length to 13 and on values drawn from a few (ties
// across and within lanes), with ±Inf and NaN among them.
func TestArgmaxMatchesInOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	pool := []float32{-1, 0, 2, 2, 5, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}
	for n := 1; n <= 13; n++ {
		for trial := 0; trial < 2000; trial++ {
			l := make([]float32, n)
			for i := range l {
				l[i] = pool[rng.IntN(len(pool))]
			}
			if got, want := argmax(l), argmaxInOrder(l); got != want {
				t.Fatalf("%v: %d, want %d", l, got, want)
			}
		}
	}
	long := make([]float32, 49152)
	for i := range long {
		long[i] = float32(rng.IntN(1000))
	}
	if got, want := argmax(long), argmaxInOrder(long); got != want {
		t.Fatalf("49152 values: %d, want %d", got, want)
	}
}
