package metrics

import "strings"

// ngramKeySep joins the tokens of an n-gram into a map key. Tokenize output
// never contains it, so keys cannot collide; callers of the token-level BLEU
// with their own tokens are assumed not to use it either.
const ngramKeySep = "\x00"

// ngramCounts counts the n-grams of toks (none when len(toks) < n).
func ngramCounts(toks []string, n int) map[string]int {
	counts := make(map[string]int)
	for i := 0; i+n <= len(toks); i++ {
		counts[strings.Join(toks[i:i+n], ngramKeySep)]++
	}
	return counts
}

// countTotal sums the counts of a multiset.
func countTotal(counts map[string]int) int {
	total := 0
	for _, k := range counts {
		total += k
	}
	return total
}
