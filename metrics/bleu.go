package metrics

import "math"

// bleuMaxN is the highest n-gram order of BLEU-4; weights are uniform 1/4.
const bleuMaxN = 4

// bleuEpsilon is the Chen & Cherry (2014) method-1 constant: an order whose
// clipped match count is 0 gets precision ε/den instead of 0, so one missing
// order does not zero the geometric mean.
const bleuEpsilon = 0.1

// CorpusBLEU is corpus-level BLEU-4 (Papineni et al. 2002) of cands against
// refs (one reference per candidate, same length slices; extra elements of the
// longer slice are ignored), tokenised by Tokenize, uniform weights, brevity
// penalty over the corpus, Chen & Cherry method-1 smoothing (ε = 0.1). It
// returns 0 when the corpus has no candidate tokens or no unigram matches.
// The result is in [0, 1] (multiply by 100 for the usual reporting scale).
func CorpusBLEU(cands, refs []string) float64 {
	n := min(len(cands), len(refs))
	ct := make([][]string, n)
	rt := make([][][]string, n)
	for i := range n {
		ct[i] = Tokenize(cands[i])
		rt[i] = [][]string{Tokenize(refs[i])}
	}
	return corpusBLEUTokens(ct, rt)
}

// corpusBLEUTokens is BLEU-4 over pre-tokenised candidates, each with one or
// more references (multi-reference form, so the published NLTK examples can
// be checked). Clipping uses the maximum count of an n-gram in any one
// reference; the reference length of a sentence is the one closest to the
// candidate length, the shorter on ties.
func corpusBLEUTokens(cands [][]string, refs [][][]string) float64 {
	var num, den [bleuMaxN + 1]int
	candLen, refLen := 0, 0
	for i, cand := range cands {
		for n := 1; n <= bleuMaxN; n++ {
			m, d := clippedMatches(cand, refs[i], n)
			num[n] += m
			den[n] += d
		}
		candLen += len(cand)
		refLen += closestRefLength(len(cand), refs[i])
	}
	if candLen == 0 || num[1] == 0 {
		return 0
	}
	logSum := 0.0
	for n := 1; n <= bleuMaxN; n++ {
		d := float64(max(den[n], 1))
		p := float64(num[n]) / d
		if num[n] == 0 {
			p = bleuEpsilon / d
		}
		logSum += math.Log(p) / bleuMaxN
	}
	return brevityPenalty(candLen, refLen) * math.Exp(logSum)
}

// clippedMatches returns Σ_g min(count_cand(g), max_ref count_ref(g)) and the
// number of candidate n-grams (the modified n-gram precision's numerator and
// denominator).
func clippedMatches(cand []string, refs [][]string, n int) (matches, total int) {
	cc := ngramCounts(cand, n)
	maxRef := make(map[string]int)
	for _, ref := range refs {
		for g, k := range ngramCounts(ref, n) {
			maxRef[g] = max(maxRef[g], k)
		}
	}
	for g, k := range cc {
		matches += min(k, maxRef[g])
	}
	return matches, countTotal(cc)
}

// closestRefLength picks the reference length nearest to candLen, preferring
// the shorter reference on a tie (the NLTK and mteval convention).
func closestRefLength(candLen int, refs [][]string) int {
	best := -1
	for _, ref := range refs {
		l := len(ref)
		if best < 0 || absInt(l-candLen) < absInt(best-candLen) ||
			(absInt(l-candLen) == absInt(best-candLen) && l < best) {
			best = l
		}
	}
	return max(best, 0)
}

// brevityPenalty is 1 when the candidates are longer than the references and
// exp(1 - r/c) otherwise.
func brevityPenalty(c, r int) float64 {
	if c > r {
		return 1
	}
	return math.Exp(1 - float64(r)/float64(c))
}

func absInt(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
