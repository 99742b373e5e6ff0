package tokenizer

import "strings"

// part is a piece of the input after special-token partitioning: either a
// special token (tok >= 0) or raw text text[start:end] (tok == -1).
type part struct {
	tok        int32
	start, end int
}

// partition finds special tokens written in text, as llama.cpp's
// tokenizer_st_partition: special tokens are tried one after another,
// longest text first, and each splits every raw piece at all of its
// occurrences. User-defined tokens are always recognised; control and
// unknown tokens only when parseSpecial. A token's lstrip/rstrip attribute
// eats the whitespace before/after it.
func (t *Tokenizer) partition(text string, parseSpecial bool) []part {
	if text == "" {
		return nil
	}
	parts := []part{{tok: -1, start: 0, end: len(text)}}
	var next []part
	for _, id := range t.specials {
		attr := t.attrs[id]
		if !parseSpecial && attr&(attrControl|attrUnknown) != 0 {
			continue
		}
		tokText := t.texts[id]
		next = next[:0]
		for _, p := range parts {
			if p.tok >= 0 {
				next = append(next, p)
				continue
			}
			next = splitAtToken(text, p, id, tokText, attr, next)
		}
		parts, next = next, parts
	}
	return parts
}

// splitAtToken splits raw piece p at every occurrence of tokText.
func splitAtToken(text string, p part, id int32, tokText string, attr tokenAttr, out []part) []part {
	start, end := p.start, p.end
	for start < end {
		i := strings.Index(text[start:end], tokText)
		if i < 0 {
			break
		}
		match := start + i
		leftEnd := match
		if attr&attrLStrip != 0 {
			for leftEnd > start && isCSpace(text[leftEnd-1]) {
				leftEnd--
			}
		}
		if leftEnd > start {
			out = append(out, part{tok: -1, start: start, end: leftEnd})
		}
		out = append(out, part{tok: id})
		start = match + len(tokText)
		if attr&attrRStrip != 0 {
			for start < end && isCSpace(text[start]) {
				start++
			}
		}
	}
	if start < end {
		out = append(out, part{tok: -1, start: start, end: end})
	}
	return out
}
