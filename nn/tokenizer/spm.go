package tokenizer

import "strings"

// spmSession holds the scratch buffers of one SentencePiece encoding.
type spmSession struct {
	t     *Tokenizer
	text  []byte
	syms  []symbol
	queue bigramQueue
}

// score ranks a candidate merge by the score of the token it would form;
// pairs that form no token are not candidates.
func (s *spmSession) score(_, _, merged []byte) (float64, bool) {
	id, ok := s.t.ids[string(merged)]
	if !ok {
		return 0, false
	}
	return -float64(s.t.scores[id]), true
}

// encode appends the tokens of one raw-text fragment, already given its
// leading space by the caller, like llama.cpp's llm_tokenizer_spm_session.
func (s *spmSession) encode(fragment string, out []int32) []int32 {
	t := s.t
	// spaces become U+2581 "▁" before merging
	s.text = append(s.text[:0], strings.ReplaceAll(fragment, " ", "\u2581")...)
	s.syms = splitSymbols(s.text, s.syms)
	mergeSymbols(s.text, s.syms, &s.queue, s.score)
	for i := int32(0); i >= 0 && int(i) < len(s.syms); i = s.syms[i].next {
		sym := s.syms[i]
		piece := s.text[sym.start : sym.start+sym.n]
		if id, ok := t.ids[string(piece)]; ok {
			out = append(out, id)
			continue
		}
		// Merged symbols are always tokens, so only unmerged characters
		// get here; llama.cpp's rev_merge lookup can never hit for them
		// (its keys are token texts), so go straight to byte fallback.
		for _, b := range piece {
			out = append(out, t.byteToken(b))
		}
	}
	return out
}
