package metrics

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRougeCatMat(t *testing.T) {
	// cand: the cat sat on the mat / ref: the cat lay on the mat (6 tokens each)
	// ROUGE-1: the×2, cat, on, mat match = 5 → P = R = 5/6.
	// ROUGE-2: cand bigrams {the cat, cat sat, sat on, on the, the mat}; ref has
	//          the cat, on the, the mat → 3 of 5 → P = R = 3/5.
	// ROUGE-L: LCS "the cat on the mat" = 5 → P = R = 5/6.
	s := Rouge("the cat sat on the mat", "the cat lay on the mat")
	nearPRF(t, "R1", s.R1, 5.0/6, 5.0/6)
	nearPRF(t, "R2", s.R2, 3.0/5, 3.0/5)
	nearPRF(t, "RL", s.RL, 5.0/6, 5.0/6)
}

func TestRougeReadmeExample(t *testing.T) {
	// The example in the rouge-score README: target "The quick brown fox jumps
	// over the lazy dog", prediction "The quick brown dog jumps on the log.";
	// published rouge1 P=0.75 R=0.6667, rougeL P=0.625 R=0.5556.
	// By hand: unigram matches the×2 quick brown dog jumps = 6 → 6/8, 6/9;
	// LCS "the quick brown jumps the" = 5 → 5/8, 5/9;
	// bigram matches "the quick", "quick brown" = 2 of 7 (cand) and 8 (ref).
	s := Rouge("The quick brown dog jumps on the log.", "The quick brown fox jumps over the lazy dog")
	nearPRF(t, "R1", s.R1, 0.75, 6.0/9)
	assert.InDelta(t, 0.7058823529411765, s.R1.F, 1e-9, "R1.F (published)")
	nearPRF(t, "RL", s.RL, 0.625, 5.0/9)
	assert.InDelta(t, 0.5882352941176471, s.RL.F, 1e-9, "RL.F (published)")
	nearPRF(t, "R2", s.R2, 2.0/7, 2.0/8)
}

func TestRougeAsymmetricLengths(t *testing.T) {
	// cand "the cat" vs ref "the cat sat on the mat":
	// R1: 2 matches → P = 2/2, R = 2/6; R2: "the cat" → P = 1/1, R = 1/5; RL: LCS 2.
	s := Rouge("the cat", "the cat sat on the mat")
	nearPRF(t, "R1", s.R1, 1, 1.0/3)
	assert.InDelta(t, 0.5, s.R1.F, 1e-9, "R1.F")
	nearPRF(t, "R2", s.R2, 1, 1.0/5)
	assert.InDelta(t, 1.0/3, s.R2.F, 1e-9, "R2.F")
	nearPRF(t, "RL", s.RL, 1, 1.0/3)
}

func TestRougeLIsOrderSensitive(t *testing.T) {
	// Same bag of words reversed: R1 = 1, no bigram in common, LCS = 1 of 4.
	s := Rouge("a b c d", "d c b a")
	nearPRF(t, "R1", s.R1, 1, 1)
	nearPRF(t, "R2", s.R2, 0, 0)
	nearPRF(t, "RL", s.RL, 0.25, 0.25)
}

func TestRougeEdgeCases(t *testing.T) {
	zero := Scores{}
	for _, c := range [][2]string{
		{"", "the cat"},
		{"the cat", ""},
		{"", ""},       // rouge-score also scores two empty strings 0
		{"?!", "..."},  // punctuation only tokenises to nothing
		{"dog", "cat"}, // no overlap
	} {
		if got := Rouge(c[0], c[1]); got != zero {
			t.Errorf("Rouge(%q, %q) = %+v, want all zero", c[0], c[1], got)
		}
	}
	same := Rouge("Hello there, friend!", "hello THERE friend")
	for name, v := range map[string]PRF{"R1": same.R1, "R2": same.R2, "RL": same.RL} {
		nearPRF(t, name+" identical", v, 1, 1)
	}
	// A one-token pair has no bigram: R2 is 0 while R1 and RL are 1.
	one := Rouge("yes", "Yes.")
	nearPRF(t, "R1 one token", one.R1, 1, 1)
	nearPRF(t, "R2 one token", one.R2, 0, 0)
}

func TestLCSLength(t *testing.T) {
	cases := []struct {
		a, b string
		want int
	}{
		{"a b c b d a b", "b d c a b a", 4}, // CLRS example (BCBA)
		{"x", "x", 1},
		{"", "x", 0},
		{"a a a", "a a", 2},
	}
	for _, c := range cases {
		if got := lcsLength(Tokenize(c.a), Tokenize(c.b)); got != c.want {
			t.Errorf("lcs(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
