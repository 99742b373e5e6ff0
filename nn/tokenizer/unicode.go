package tokenizer

import "unicode"

// cptFlags classifies a code point the way llama.cpp's unicode tables do
// (one general-category bit plus a whitespace bit). Unassigned code points
// fall into the "other" (\p{C}) category exactly as in llama.cpp, whose
// tables were generated with Python's regex \p{C}, which includes Cn.
type cptFlags uint8

const (
	flagNumber    cptFlags = 1 << iota // \p{N}
	flagLetter                         // \p{L}
	flagSeparator                      // \p{Z}
	flagMark                           // \p{M}
	flagPunct                          // \p{P}
	flagSymbol                         // \p{S}
	flagControl                        // \p{C}, including unassigned
	flagSpace                          // Unicode White_Space (regex \s)
)

// outOfRange is what llama.cpp's splitters see past the end of a fragment:
// no flags at all, which no rule matches.
const outOfRange = ^uint32(0)

var asciiFlags [128]cptFlags

func init() {
	for c := range asciiFlags {
		asciiFlags[c] = classify(rune(c))
	}
}

// flagsOf returns the flags of code point c; out-of-range values have none.
func flagsOf(c uint32) cptFlags {
	if c < 128 {
		return asciiFlags[c]
	}
	if c > unicode.MaxRune {
		return 0
	}
	return classify(rune(c))
}

func classify(r rune) cptFlags {
	var f cptFlags
	switch {
	case unicode.IsLetter(r):
		f = flagLetter
	case unicode.IsNumber(r):
		f = flagNumber
	case unicode.IsMark(r):
		f = flagMark
	case unicode.IsPunct(r):
		f = flagPunct
	case unicode.IsSymbol(r):
		f = flagSymbol
	case unicode.Is(unicode.Z, r):
		f = flagSeparator
	default:
		f = flagControl
	}
	if isWhiteSpace(r) {
		f |= flagSpace
	}
	return f
}

// isWhiteSpace is the Unicode White_Space property: the 25 code points of
// llama.cpp's unicode_set_whitespace.
func isWhiteSpace(r rune) bool {
	switch {
	case r >= 0x09 && r <= 0x0D, r == 0x20, r == 0x85, r == 0xA0, r == 0x1680:
		return true
	case r >= 0x2000 && r <= 0x200A, r == 0x2028, r == 0x2029, r == 0x202F, r == 0x205F, r == 0x3000:
		return true
	}
	return false
}

// utf8Len is llama.cpp's unicode_len_utf8: the sequence length announced by
// a lead byte, judged from its high nibble only (continuation bytes count 1).
func utf8Len(b byte) int {
	switch b >> 4 {
	case 0xC, 0xD:
		return 2
	case 0xE:
		return 3
	case 0xF:
		return 4
	}
	return 1
}

// decodeCodepoints mirrors llama.cpp's unicode_cpts_from_utf8: it is more
// lenient than Go's decoder (accepts surrogates and overlong forms) and
// turns each byte it cannot decode into U+FFFD, consuming one byte. Keeping
// the same leniency matters because the BPE pre-tokeniser re-encodes the
// code points, so the bytes that reach the merges must match llama.cpp's.
func decodeCodepoints(s string, dst []uint32) []uint32 {
	dst = dst[:0]
	for i := 0; i < len(s); {
		c, n := decodeOne(s, i)
		dst = append(dst, c)
		i += n
	}
	return dst
}

func decodeOne(s string, i int) (uint32, int) {
	b0 := s[i]
	cont := func(k int) bool { return i+k < len(s) && s[i+k]&0xC0 == 0x80 }
	switch {
	case b0&0x80 == 0:
		return uint32(b0), 1
	case b0&0x40 == 0:
		return 0xFFFD, 1
	case b0&0x20 == 0:
		if !cont(1) {
			return 0xFFFD, 1
		}
		return uint32(b0&0x1F)<<6 | uint32(s[i+1]&0x3F), 2
	case b0&0x10 == 0:
		if !cont(1) || !cont(2) {
			return 0xFFFD, 1
		}
		return uint32(b0&0x0F)<<12 | uint32(s[i+1]&0x3F)<<6 | uint32(s[i+2]&0x3F), 3
	case b0&0x08 == 0:
		if !cont(1) || !cont(2) || !cont(3) {
			return 0xFFFD, 1
		}
		c := uint32(b0&0x07)<<18 | uint32(s[i+1]&0x3F)<<12 | uint32(s[i+2]&0x3F)<<6 | uint32(s[i+3]&0x3F)
		if c > unicode.MaxRune {
			// llama.cpp would throw when re-encoding this; degrade gracefully.
			c = 0xFFFD
		}
		return c, 4
	}
	return 0xFFFD, 1
}

// appendCodepoint is llama.cpp's unicode_cpt_to_utf8 (no surrogate check).
func appendCodepoint(dst []byte, c uint32) []byte {
	switch {
	case c <= 0x7F:
		return append(dst, byte(c))
	case c <= 0x7FF:
		return append(dst, 0xC0|byte(c>>6), 0x80|byte(c&0x3F))
	case c <= 0xFFFF:
		return append(dst, 0xE0|byte(c>>12), 0x80|byte(c>>6&0x3F), 0x80|byte(c&0x3F))
	default:
		return append(dst, 0xF0|byte(c>>18&0x07), 0x80|byte(c>>12&0x3F), 0x80|byte(c>>6&0x3F), 0x80|byte(c&0x3F))
	}
}

// isCSpace is C's isspace in the "C" locale, which llama.cpp uses for the
// lstrip/rstrip attributes of special tokens.
func isCSpace(b byte) bool {
	return b == ' ' || (b >= '\t' && b <= '\r')
}
