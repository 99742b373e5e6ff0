package tokenizer

import "bytes"

// bpeSession holds the scratch buffers of one byte-level BPE encoding, so
// a long text costs no per-word allocations beyond the output.
type bpeSession struct {
	t      *Tokenizer
	cpts   []uint32
	words  []int
	spare  []int
	raw    []byte
	word   []byte
	syms   []symbol
	queue  bigramQueue
	keyBuf []byte
}

// rank returns the merge rank of the pair (a, b), keyed like llama.cpp's
// bpe_ranks: a merge line "x y" is split at its first space after index 0,
// so a left part with an inner space can never match.
func (s *bpeSession) rank(a, b, _ []byte) (float64, bool) {
	if len(a) > 1 && bytes.IndexByte(a[1:], ' ') >= 0 {
		return 0, false
	}
	s.keyBuf = append(append(append(s.keyBuf[:0], a...), ' '), b...)
	r, ok := s.t.mergeRank[string(s.keyBuf)]
	return float64(r), ok
}

// encode appends the tokens of a raw-text fragment (no special tokens in it).
func (s *bpeSession) encode(text string, out []int32) []int32 {
	t := s.t
	s.cpts = decodeCodepoints(text, s.cpts)
	s.words, s.spare = t.pre.splitter.splitWords(s.cpts, s.words, s.spare)
	start := 0
	for _, n := range s.words {
		s.raw = s.raw[:0]
		for _, c := range s.cpts[start : start+n] {
			s.raw = appendCodepoint(s.raw, c)
		}
		start += n
		s.word = appendByteEncoded(s.word[:0], s.raw)
		out = s.encodeWord(s.word, out)
	}
	return out
}

// encodeWord merges one byte-encoded word and appends its tokens.
func (s *bpeSession) encodeWord(word []byte, out []int32) []int32 {
	t := s.t
	if t.pre.ignoreMerges {
		if id, ok := t.ids[string(word)]; ok {
			return append(out, id)
		}
	}
	s.syms = splitSymbols(word, s.syms)
	mergeSymbols(word, s.syms, &s.queue, s.rank)
	for i := int32(0); i >= 0 && int(i) < len(s.syms); i = s.syms[i].next {
		sym := s.syms[i]
		piece := word[sym.start : sym.start+sym.n]
		if id, ok := t.ids[string(piece)]; ok {
			out = append(out, id)
			continue
		}
		// llama.cpp falls back to looking up each byte of the (already
		// byte-encoded) piece as a one-byte token and drops misses.
		for j := range piece {
			if id, ok := t.ids[string(piece[j:j+1])]; ok {
				out = append(out, id)
			}
		}
	}
	return out
}
