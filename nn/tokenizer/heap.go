package tokenizer

// bigram is a candidate merge of two adjacent symbols. key orders the
// queue: BPE uses the merge rank (lower first), SPM the negated token
// score (higher score first); ties go to the leftmost pair, as in llama.cpp.
type bigram struct {
	key   float64
	left  int32
	right int32
	size  int32 // byte length of the merged text, to detect stale entries
}

func (a bigram) before(b bigram) bool {
	return a.key < b.key || (a.key == b.key && a.left < b.left)
}

// bigramQueue is a binary min-heap of bigrams, reused across calls.
type bigramQueue []bigram

func (q *bigramQueue) push(b bigram) {
	h := append(*q, b)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !h[i].before(h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
	*q = h
}

func (q *bigramQueue) pop() bigram {
	h := *q
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(h) && h[l].before(h[m]) {
			m = l
		}
		if r < len(h) && h[r].before(h[m]) {
			m = r
		}
		if m == i {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	*q = h
	return top
}

// symbol is a piece of the text being merged: text[start:start+n], linked
// to its live neighbours. n == 0 marks a symbol merged into its left one.
type symbol struct {
	start, n   int32
	prev, next int32
}

// splitSymbols cuts text into one symbol per UTF-8 character (by lead byte,
// as llama.cpp does, so stray bytes become one-byte symbols).
func splitSymbols(text []byte, syms []symbol) []symbol {
	syms = syms[:0]
	for off := 0; off < len(text); {
		n := min(utf8Len(text[off]), len(text)-off)
		i := int32(len(syms))
		next := i + 1
		if off+n == len(text) {
			next = -1
		}
		syms = append(syms, symbol{start: int32(off), n: int32(n), prev: i - 1, next: next})
		off += n
	}
	return syms
}

// mergeSymbols repeatedly merges the best queued bigram (llama.cpp's loop,
// shared by SPM and BPE). pair scores a candidate from the two symbols'
// texts and their (adjacent) concatenation, returning ok=false when they
// may not merge.
func mergeSymbols(text []byte, syms []symbol, q *bigramQueue, pair func(a, b, merged []byte) (float64, bool)) {
	*q = (*q)[:0]
	try := func(l, r int32) {
		if l < 0 || r < 0 {
			return
		}
		a, b := syms[l], syms[r]
		key, ok := pair(text[a.start:a.start+a.n], text[b.start:b.start+b.n], text[a.start:a.start+a.n+b.n])
		if ok {
			q.push(bigram{key: key, left: l, right: r, size: a.n + b.n})
		}
	}
	for i := 1; i < len(syms); i++ {
		try(int32(i-1), int32(i))
	}
	for len(*q) > 0 {
		bg := q.pop()
		l, r := &syms[bg.left], &syms[bg.right]
		if l.n == 0 || r.n == 0 || l.n+r.n != bg.size {
			continue // stale: one side was merged since this entry was queued
		}
		l.n += r.n
		r.n = 0
		l.next = r.next
		if r.next >= 0 {
			syms[r.next].prev = bg.left
		}
		try(l.prev, bg.left)
		try(bg.left, l.next)
	}
}
