package tokenizer

// The splitters below reproduce llama.cpp's unicode_regex_split_custom_gpt2
// and unicode_regex_split_custom_llama3 rule by rule (they are hand-written
// there too, and differ from a regex engine in small ways, e.g. how a
// trailing run of spaces is cut). Each takes one fragment of code points and
// appends the lengths of the words it finds.
//
// Hand-written rather than regexp2: llama.cpp's output is defined by these
// rules (not by the regex), they avoid a backtracking engine's cost per
// code point, and they work on code points directly so no rune/byte offset
// mapping is needed. regexp2 serves as the independent reference in
// split_test.go for the one family llama.cpp runs through std::regex (qwen2).

// fragment gives bounds-checked access to a fragment: positions outside it
// read as outOfRange with no flags, which is what the rules test against.
type fragment []uint32

func (f fragment) cpt(i int) uint32 {
	if i < len(f) {
		return f[i]
	}
	return outOfRange
}

func (f fragment) flags(i int) cptFlags {
	if i < len(f) {
		return flagsOf(f[i])
	}
	return 0
}

// contractionLen reports the length (2 or 3) of an English contraction
// ('s 't 'm 'd 're 've 'll) starting at pos, or 0. With foldCase the letters
// match in either case, as in the (?i:...) of the Llama 3 regex.
func (f fragment) contractionLen(pos int, foldCase bool) int {
	if f.cpt(pos) != '\'' || pos+1 >= len(f) {
		return 0
	}
	lower := func(c uint32) uint32 {
		if foldCase && c >= 'A' && c <= 'Z' {
			return c + 'a' - 'A'
		}
		return c
	}
	c1 := lower(f.cpt(pos + 1))
	switch c1 {
	case 's', 't', 'm', 'd':
		return 2
	}
	if pos+2 >= len(f) {
		return 0
	}
	c2 := lower(f.cpt(pos + 2))
	if (c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l') {
		return 3
	}
	return 0
}

const wordClasses = flagSpace | flagLetter | flagNumber

// splitGPT2 implements 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
func splitGPT2(cpts []uint32, out []int) []int {
	f := fragment(cpts)
	w := wordCuts{out: out}
	for pos := 0; pos < len(f); {
		c := f.cpt(pos)
		if n := f.contractionLen(pos, false); n > 0 {
			pos += n
			w.cutAt(pos)
			continue
		}
		fl := f.flags(pos)
		if c == ' ' {
			fl = f.flags(pos + 1)
		}
		if fl&flagLetter != 0 || fl&flagNumber != 0 || (fl&wordClasses == 0 && fl != 0) {
			// " ?" then a run of the same class: letters, digits, or "other".
			class := fl & (flagLetter | flagNumber)
			if c == ' ' {
				pos++
			}
			for {
				g := f.flags(pos)
				if class != 0 && g&class == 0 || class == 0 && (g&wordClasses != 0 || g == 0) {
					break
				}
				pos++
			}
			w.cutAt(pos)
			continue
		}
		pos = f.spaceRunEnd(pos, false)
		w.cutAt(pos)
	}
	return w.out
}

// splitLlama3 implements the Llama 3 regex, with \p{N}{1,maxDigits}; with
// maxDigits 1 it is also the Qwen2 regex, which llama.cpp runs through
// std::regex over category-collapsed text — for every input that gives the
// same cuts as these rules.
func splitLlama3(cpts []uint32, maxDigits int, out []int) []int {
	f := fragment(cpts)
	w := wordCuts{out: out}
	for pos := 0; pos < len(f); {
		c := f.cpt(pos)
		fl := f.flags(pos)
		if n := f.contractionLen(pos, true); n > 0 {
			pos += n
			w.cutAt(pos)
			continue
		}
		// [^\r\n\p{L}\p{N}]?\p{L}+
		if c != '\r' && c != '\n' && fl&flagNumber == 0 && (fl&flagLetter != 0 || f.flags(pos+1)&flagLetter != 0) {
			pos++
			for f.flags(pos)&flagLetter != 0 {
				pos++
			}
			w.cutAt(pos)
			continue
		}
		// \p{N}{1,maxDigits}
		if fl&flagNumber != 0 {
			start := pos
			for f.flags(pos)&flagNumber != 0 {
				pos++
				if pos-start >= maxDigits {
					w.cutAt(pos)
					start = pos
				}
			}
			w.cutAt(pos)
			continue
		}
		// ?[^\s\p{L}\p{N}]+[\r\n]*
		fl2 := fl
		if c == ' ' {
			fl2 = f.flags(pos + 1)
		}
		if fl2&wordClasses == 0 && fl != 0 {
			if c == ' ' {
				pos++
			}
			for fl2&wordClasses == 0 && fl2 != 0 {
				pos++
				fl2 = f.flags(pos)
			}
			for c2 := f.cpt(pos); c2 == '\r' || c2 == '\n'; c2 = f.cpt(pos) {
				pos++
			}
			w.cutAt(pos)
			continue
		}
		pos = f.spaceRunEnd(pos, true)
		w.cutAt(pos)
	}
	return w.out
}

// wordCuts collects a fragment's word lengths from where each word ends.
type wordCuts struct {
	out  []int
	prev int // where the last word ended
}

// cutAt ends a word at end, if one has begun since the last cut.
func (w *wordCuts) cutAt(end int) {
	if end > w.prev {
		w.out = append(w.out, end-w.prev)
	}
	w.prev = end
}

// spaceRunEnd is where the word that starts with the whitespace at pos
// ends: \s+(?!\S)|\s+ leaves a run's last space to the next word unless
// the run ends the fragment; with newlines, \s*[\r\n]+ comes first and
// the word ends after the run's last newline. Without whitespace at pos the
// word is the one code point there.
func (f fragment) spaceRunEnd(pos int, newlines bool) int {
	n, lastNewline := 0, 0
	for f.flags(pos+n)&flagSpace != 0 {
		if c := f.cpt(pos + n); newlines && (c == '\r' || c == '\n') {
			lastNewline = pos + n + 1
		}
		n++
	}
	switch {
	case lastNewline > 0: // \s*[\r\n]+
		return lastNewline
	case n > 1 && f.cpt(pos+n) != outOfRange: // \s+(?!\S)
		return pos + n - 1
	case n > 0: // \s+
		return pos + n
	}
	return pos + 1
}

// splitMatches cuts a fragment the way std::regex_iterator does for a regex
// that never matches the empty string: each match is a word and the text
// between matches is a word too. match returns the match length at pos or 0.
func splitMatches(cpts []uint32, out []int, match func(f []uint32, pos int) int) []int {
	gap := 0
	for pos := 0; pos < len(cpts); {
		n := match(cpts, pos)
		if n == 0 {
			pos++
			continue
		}
		if pos > gap {
			out = append(out, pos-gap)
		}
		out = append(out, n)
		pos += n
		gap = pos
	}
	if gap < len(cpts) {
		out = append(out, len(cpts)-gap)
	}
	return out
}

// The simple regexes llama.cpp runs with std::regex over "collapsed" text,
// where each non-ASCII code point stands for its category (non-ASCII
// whitespace first, as \s); ASCII keeps std::regex's own classes.

// isCollapsedDigit is \p{N} in collapsed text.
func isCollapsedDigit(c uint32) bool {
	if c < 128 {
		return c >= '0' && c <= '9'
	}
	fl := flagsOf(c)
	return fl&flagSpace == 0 && fl&flagNumber != 0
}

// matchOneDigit is \p{N}.
func matchOneDigit(f []uint32, pos int) int {
	if isCollapsedDigit(f[pos]) {
		return 1
	}
	return 0
}

// matchDigitRun is \p{N}+.
func matchDigitRun(f []uint32, pos int) int {
	n := 0
	for pos+n < len(f) && isCollapsedDigit(f[pos+n]) {
		n++
	}
	return n
}

// matchPunctRun is [\p{P}\$\+<=>\^~\|]+: llama.cpp's ASCII stand-in for
// \p{P} is !-# %-* ,-/ :-; ?-@ [-] _ { } (no backtick).
func matchPunctRun(f []uint32, pos int) int {
	in := func(c uint32) bool {
		if c < 128 {
			switch {
			case c >= '!' && c <= '#', c >= '%' && c <= '*', c >= ',' && c <= '/', c == ':', c == ';',
				c == '?', c == '@', c >= '[' && c <= ']', c == '_', c == '{', c == '}',
				c == '$', c == '+', c == '<', c == '=', c == '>', c == '^', c == '~', c == '|':
				return true
			}
			return false
		}
		fl := flagsOf(c)
		return fl&flagSpace == 0 && fl&flagPunct != 0
	}
	n := 0
	for pos+n < len(f) && in(f[pos+n]) {
		n++
	}
	return n
}

// matchThreeASCIIDigits is [0-9][0-9][0-9].
func matchThreeASCIIDigits(f []uint32, pos int) int {
	if pos+3 > len(f) {
		return 0
	}
	for _, c := range f[pos : pos+3] {
		if c < '0' || c > '9' {
			return 0
		}
	}
	return 3
}
