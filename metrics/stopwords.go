package metrics

// stopWords is a fixed list of English function words, already in Tokenize's
// output form (lowercase, apostrophes split off, so "don't" arrives as "don"
// and "t"). It is frozen: changing it changes every Persona-F1 and BM25
// score computed with stop-word removal, so scores stay comparable only while
// this list is unchanged.
var stopWords = func() map[string]bool {
	words := []string{
		"a", "about", "above", "after", "again", "against", "all", "am", "an", "and",
		"any", "are", "as", "at", "be", "because", "been", "before", "being", "below",
		"between", "both", "but", "by", "can", "could", "d", "did", "do", "does",
		"doing", "don", "down", "during", "each", "few", "for", "from", "further",
		"had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him",
		"himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself",
		"just", "ll", "m", "me", "more", "most", "my", "myself", "no", "nor", "not",
		"now", "o", "of", "off", "on", "once", "only", "or", "other", "our", "ours",
		"ourselves", "out", "over", "own", "re", "s", "same", "she", "should", "so",
		"some", "such", "t", "than", "that", "the", "their", "theirs", "them",
		"themselves", "then", "there", "these", "they", "this", "those", "through",
		"to", "too", "under", "until", "up", "ve", "very", "was", "we", "were", "what",
		"when", "where", "which", "while", "who", "whom", "why", "will", "with",
		"would", "y", "you", "your", "yours", "yourself", "yourselves",
	}
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}()

// StopWord reports whether tok (a Tokenize token) is in the fixed English
// stop-word list used by PersonaF1 and by BM25 retrieval with stop words on.
func StopWord(tok string) bool { return stopWords[tok] }
