package tokenizer

import "strings"

// Piece returns the bytes of one token as llama.cpp's token_to_piece with
// special=true (the form its piece cache holds): control and unknown tokens
// render as their text, normal tokens with "▁" turned back into spaces
// (SPM) or GPT-2 byte stand-ins turned back into bytes (BPE), byte tokens
// as their byte. Out-of-range ids give nil.
func (t *Tokenizer) Piece(id int32) []byte {
	return t.appendPiece(nil, id, true)
}

// appendPiece appends token id's piece; with special=false control and
// unknown tokens render as nothing (user-defined ones still render).
func (t *Tokenizer) appendPiece(dst []byte, id int32, special bool) []byte {
	if id < 0 || int(id) >= len(t.texts) {
		return dst
	}
	attr := t.attrs[id]
	text := t.texts[id]
	switch {
	case attr&(attrUnknown|attrControl) != 0 && !special:
		return dst
	case attr&(attrUnknown|attrControl|attrUserDefined) != 0:
		return append(dst, text...)
	case attr&attrNormal != 0:
		if t.spm {
			return append(dst, strings.ReplaceAll(text, "\u2581", " ")...)
		}
		return decodeByteUnits(dst, text)
	case attr&attrByte != 0:
		return append(dst, byteOfToken(text))
	}
	// unused and undefined tokens render as nothing, as in llama.cpp
	return dst
}

// byteOfToken reads the XX of a "<0xXX>" byte token (llama.cpp parses the
// two characters after "<0x" with strtol, giving 0 on garbage).
func byteOfToken(text string) byte {
	if len(text) < 5 {
		return 0
	}
	var v byte
	for _, c := range []byte(text[3:5]) {
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | (c - '0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | (c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			v = v<<4 | (c - 'A' + 10)
		default:
			return v
		}
	}
	return v
}

// Decode turns ids back into text like llama.cpp's llama_detokenize with
// remove_special=false and unparse_special=false: control tokens (BOS, EOS,
// <|im_end|> ...) and unknown tokens vanish, user-defined tokens keep their
// text, SPM vocabularies drop the one leading space that encoding added to
// the first token (only if that token is not BOS — llama.cpp keeps the space
// after a BOS), and BPE vocabularies whose pre-tokenizer asks for it get
// llama.cpp's clean-up of spaces before punctuation and contractions.
func (t *Tokenizer) Decode(ids []int32) string {
	return t.DecodeSpecial(ids, false)
}

// DecodeSpecial is Decode with a choice: special=true also renders control
// and unknown tokens as their text (llama_detokenize's unparse_special).
func (t *Tokenizer) DecodeSpecial(ids []int32, special bool) string {
	var out []byte
	removeSpace := t.addSpacePrefix
	for _, id := range ids {
		n := len(out)
		out = t.appendPiece(out, id, special)
		if removeSpace && len(out) > n && out[n] == ' ' {
			out = append(out[:n], out[n+1:]...)
		}
		removeSpace = false
	}
	if t.cleanSpaces {
		out = cleanSpaces(out)
	}
	return string(out)
}

// cleanSpaces is llama.cpp's clean_up_tokenization_spaces, three in-place
// passes: drop the space in " ?", " !", " .", " ,"; drop both spaces around
// a lone " ' "; drop the space before "'s", "'m", "'re", "'ve". The passes
// compact the buffer in place and the second one blanks the space it skips
// (so that byte no longer counts as a space for the next character), which
// is reproduced here because it decides edge cases like " ' ' ".
func cleanSpaces(text []byte) []byte {
	n := len(text)
	if n == 0 {
		return text
	}
	total := 1
	for i := 1; i < n; i++ {
		x := text[i]
		if text[i-1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',') {
			total--
		}
		text[total] = x
		total++
	}
	n, total = total, 1
	for i := 1; i < n; i++ {
		x := text[i]
		if x == '\'' && i+1 < n && text[i-1] == ' ' && text[i+1] == ' ' {
			total--
			i++
			text[i] = 0
		}
		text[total] = x
		total++
	}
	n, total = total, 1
	for i := 1; i < n; i++ {
		x := text[i]
		if text[i-1] == ' ' && x == '\'' && i+1 < n {
			x1 := text[i+1]
			switch {
			case x1 == 't' || x1 == 'd':
			case x1 == 's' || x1 == 'm':
				total--
			case i+2 < n:
				x2 := text[i+2]
				if (x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e') {
					total--
				}
			}
		}
		text[total] = x
		total++
	}
	return text[:total]
}
