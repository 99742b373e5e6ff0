package metrics

// PersonaF1 measures how much of a user's persona a reply talks about: the F1
// of the set of content words of the reply against the set of content words
// of all persona sentences together (content words = Tokenize tokens that are
// not stop words, see StopWord). With R and P those two sets,
//
//	precision = |R ∩ P| / |R|,  recall = |R ∩ P| / |P|,  F1 = 2·p·r / (p + r)
//
// Sets, not bags: the persona is a description, so saying "dog" twice is no
// more faithful than saying it once. A reply or persona with no content words
// scores 0.
func PersonaF1(reply string, persona []string) float64 {
	replySet := tokenSet(ContentTokens(reply))
	personaSet := make(map[string]bool)
	for _, s := range persona {
		for _, t := range ContentTokens(s) {
			personaSet[t] = true
		}
	}
	if len(replySet) == 0 || len(personaSet) == 0 {
		return 0
	}
	common := 0
	for t := range replySet {
		if personaSet[t] {
			common++
		}
	}
	p := float64(common) / float64(len(replySet))
	r := float64(common) / float64(len(personaSet))
	return f1(p, r)
}

func tokenSet(toks []string) map[string]bool {
	set := make(map[string]bool, len(toks))
	for _, t := range toks {
		set[t] = true
	}
	return set
}
