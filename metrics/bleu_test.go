package metrics

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestModifiedPrecisionPapineni(t *testing.T) {
	// Papineni et al. 2002, §2.1: candidate "the the the the the the the" has
	// modified unigram precision 2/7 ("the" occurs at most twice in a reference).
	cand := strings.Fields("the the the the the the the")
	refs := [][]string{
		strings.Fields("the cat is on the mat"),
		strings.Fields("there is a cat on the mat"),
	}
	m, d := clippedMatches(cand, refs, 1)
	if m != 2 || d != 7 {
		t.Fatalf("modified unigram precision = %d/%d, want 2/7", m, d)
	}
}

// NLTK's documented bleu_score example (case-sensitive tokens as given there).
var (
	nltkHyp1  = strings.Fields("It is a guide to action which ensures that the military always obeys the commands of the party")
	nltkRef1a = strings.Fields("It is a guide to action that ensures that the military will forever heed Party commands")
	nltkRef1b = strings.Fields("It is the guiding principle which guarantees the military forces always being under the command of the Party")
	nltkRef1c = strings.Fields("It is the practical guide for the army always to heed the directions of the party")
	nltkHyp2  = strings.Fields("he read the book because he was interested in world history")
	nltkRef2a = strings.Fields("he was interested in world history because he read the book")
)

func TestBLEUNLTKPublishedExamples(t *testing.T) {
	// NLTK docs: modified_precision(refs, hyp1, 1) = 17/18 = 0.9444…,
	// n = 2 → 10/17 = 0.5882…
	refs1 := [][]string{nltkRef1a, nltkRef1b, nltkRef1c}
	if m, d := clippedMatches(nltkHyp1, refs1, 1); m != 17 || d != 18 {
		t.Errorf("unigram precision = %d/%d, want 17/18", m, d)
	}
	if m, d := clippedMatches(nltkHyp1, refs1, 2); m != 10 || d != 17 {
		t.Errorf("bigram precision = %d/%d, want 10/17", m, d)
	}
	// NLTK docs: sentence_bleu([ref1a, ref1b, ref1c], hyp1) = 0.5045666840058485
	// (p = 17/18, 10/17, 7/16, 4/15; c = 18 = r so BP = 1).
	assert.InDelta(t, 0.5045666840058485, corpusBLEUTokens([][]string{nltkHyp1}, [][][]string{refs1}), 1e-9, "sentence BLEU")
	// NLTK docs: corpus_bleu(...) = 0.5920778868801042
	// (p = 28/29, 19/27, 13/25, 8/23; c = 29 = r so BP = 1). No order has zero
	// matches, so smoothing does not act and the value must match exactly.
	got := corpusBLEUTokens([][]string{nltkHyp1, nltkHyp2}, [][][]string{refs1, {nltkRef2a}})
	assert.InDelta(t, 0.5920778868801042, got, 1e-9, "corpus BLEU")
}

func TestCorpusBLEUHandExamples(t *testing.T) {
	// Identical corpus: every precision 1, BP 1.
	assert.InDelta(t, 1, CorpusBLEU([]string{"the cat sat on the mat"}, []string{"The cat sat on the mat."}), 1e-9, "identical")

	// Brevity: cand "the cat sat on" (4) vs ref of 6 tokens. All precisions 1
	// (4/4, 3/3, 2/2, 1/1); BP = exp(1 - 6/4) = exp(-0.5).
	assert.InDelta(t, math.Exp(-0.5), CorpusBLEU([]string{"the cat sat on"}, []string{"the cat sat on the mat"}), 1e-9, "brevity")

	// Smoothing: "the cat sat down" vs "the cat sat up": p1 = 3/4, p2 = 2/3,
	// p3 = 1/2, p4 = 0/1 → ε/1 = 0.1; BP = 1. BLEU = (0.75·(2/3)·0.5·0.1)^¼ = 0.025^¼.
	assert.InDelta(t, math.Pow(0.025, 0.25), CorpusBLEU([]string{"the cat sat down"}, []string{"the cat sat up"}), 1e-9, "smoothed")

	// Corpus pooling, not an average of sentence scores: sentence 1 identical
	// (4 tokens), sentence 2 "x y" vs "p q" (nothing matches). Pooled:
	// p1 = 4/6, p2 = 3/4 ("x y" has one bigram), p3 = 2/2, p4 = 1/1; c = r = 6.
	// BLEU = (2/3·3/4)^¼ = 0.5^¼ ≈ 0.841,
	// whereas the mean of sentence BLEUs would be (1 + 0)/2 = 0.5.
	assert.InDelta(t, math.Pow(0.5, 0.25), CorpusBLEU([]string{"a b c d", "x y"}, []string{"a b c d", "p q"}), 1e-9, "pooled")
}

func TestCorpusBLEUEdgeCases(t *testing.T) {
	cases := []struct {
		name        string
		cands, refs []string
	}{
		{"no sentences", nil, nil},
		{"empty candidate", []string{""}, []string{"the cat"}},
		{"no overlap", []string{"dog runs fast"}, []string{"cat sleeps all day"}},
		{"punctuation only", []string{"?!"}, []string{"..."}},
	}
	for _, c := range cases {
		if got := CorpusBLEU(c.cands, c.refs); got != 0 {
			t.Errorf("%s: BLEU = %v, want 0", c.name, got)
		}
	}
	// An empty reference with a non-empty candidate: no matches → 0, no NaN.
	if got := CorpusBLEU([]string{"hello"}, []string{""}); got != 0 {
		t.Errorf("empty reference: BLEU = %v, want 0", got)
	}
	// Mismatched lengths use the common prefix rather than panicking.
	assert.InDelta(t, 1, CorpusBLEU([]string{"a b c d", "extra"}, []string{"a b c d"}), 1e-9, "length mismatch")
}

func TestClosestRefLengthPrefersShorterOnTie(t *testing.T) {
	refs := [][]string{make([]string, 7), make([]string, 5)}
	if got := closestRefLength(6, refs); got != 5 {
		t.Errorf("closestRefLength = %d, want 5", got)
	}
}
