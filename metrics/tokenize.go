package metrics

import (
	"strings"
	"unicode"
)

// Tokenize splits text the way the rouge-score package's default tokeniser
// does without stemming: lowercase, replace every character that is not an
// ASCII letter or digit with a space, split on whitespace. Non-ASCII letters
// (é, ß, CJK) therefore act as separators, exactly as in rouge-score.
func Tokenize(text string) []string {
	mapped := strings.Map(func(r rune) rune {
		r = unicode.ToLower(r)
		if ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') {
			return r
		}
		return ' '
	}, text)
	return strings.Fields(mapped)
}

// ContentTokens is Tokenize with English stop words removed (see StopWord).
func ContentTokens(text string) []string {
	toks := Tokenize(text)
	out := toks[:0]
	for _, t := range toks {
		if !StopWord(t) {
			out = append(out, t)
		}
	}
	return out
}
