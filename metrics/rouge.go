package metrics

// PRF is a precision, recall and F1 triple, each in [0, 1].
type PRF struct {
	P, R, F float64
}

// Scores holds ROUGE-1, ROUGE-2 and ROUGE-L for one candidate/reference pair.
type Scores struct {
	R1, R2, RL PRF
}

// Rouge scores candidate against reference with ROUGE-1, ROUGE-2 (clipped
// n-gram overlap) and ROUGE-L (longest common subsequence), sentence level,
// tokenised by Tokenize, no stemming. As in rouge-score, an empty candidate or
// reference (after tokenisation) scores 0 on every metric, even when both are
// empty.
func Rouge(candidate, reference string) Scores {
	c, r := Tokenize(candidate), Tokenize(reference)
	return Scores{
		R1: rougeN(c, r, 1),
		R2: rougeN(c, r, 2),
		RL: rougeL(c, r),
	}
}

// rougeN is the clipped n-gram overlap: matches = Σ_g min(count_c(g), count_r(g)),
// P = matches/#cand n-grams, R = matches/#ref n-grams.
func rougeN(cand, ref []string, n int) PRF {
	cc, rc := ngramCounts(cand, n), ngramCounts(ref, n)
	matches := 0
	for g, k := range cc {
		matches += min(k, rc[g])
	}
	return prf(matches, countTotal(cc), countTotal(rc))
}

// rougeL uses the LCS length: P = LCS/|cand|, R = LCS/|ref|.
func rougeL(cand, ref []string) PRF {
	return prf(lcsLength(cand, ref), len(cand), len(ref))
}

// prf turns a match count into precision/recall/F1; a zero denominator gives
// 0 rather than NaN so empty inputs score 0.
func prf(matches, candTotal, refTotal int) PRF {
	if candTotal == 0 || refTotal == 0 {
		return PRF{}
	}
	p := float64(matches) / float64(candTotal)
	r := float64(matches) / float64(refTotal)
	return PRF{P: p, R: r, F: f1(p, r)}
}

// f1 is the harmonic mean, 0 when both inputs are 0.
func f1(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// lcsLength is the classic O(|a|·|b|) dynamic programme, kept to two rows
// because replies are short but corpora are long.
func lcsLength(a, b []string) int {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			if a[i-1] == b[j-1] {
				cur[j] = prev[j-1] + 1
			} else {
				cur[j] = max(prev[j], cur[j-1])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
