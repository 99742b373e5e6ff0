package tokenizer

import "unicode/utf8"

// StreamDecoder turns tokens into text as they are generated. Byte-fallback
// and byte-level tokens can carry part of a multi-byte UTF-8 character; the
// decoder holds such an incomplete tail back until the rest arrives, so it
// never splits a character. Bytes that can never become valid UTF-8 are
// passed through unchanged.
//
// Pieces are rendered as llama.cpp's token_to_piece renders generated tokens:
// control tokens vanish and a SentencePiece token keeps its leading space,
// because a generated token continues a prompt (" time" after "Once upon a")
// rather than starting a text. Decode, which starts a text, drops that space
// from its first token; llama.cpp's clean-up of spaces before punctuation
// needs look-ahead and is not applied here.
type StreamDecoder struct {
	t       *Tokenizer
	pending []byte
}

// NewStreamDecoder returns a decoder with nothing pending.
func (t *Tokenizer) NewStreamDecoder() *StreamDecoder {
	return &StreamDecoder{t: t}
}

// Add takes the next token and returns the text that is now complete.
func (d *StreamDecoder) Add(id int32) string {
	d.pending = d.t.appendPiece(d.pending, id, false)
	cut := completeUTF8Prefix(d.pending)
	out := string(d.pending[:cut])
	d.pending = append(d.pending[:0], d.pending[cut:]...)
	return out
}

// Flush returns whatever is still held back (an incomplete character at
// the end of generation) and resets the decoder for a new stream.
func (d *StreamDecoder) Flush() string {
	out := string(d.pending)
	d.pending = d.pending[:0]
	return out
}

// completeUTF8Prefix returns the length of b without a trailing incomplete
// (but so far valid) UTF-8 sequence.
func completeUTF8Prefix(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax+1; i-- {
		if !utf8.RuneStart(b[i]) {
			continue
		}
		if !utf8.FullRune(b[i:]) {
			return i
		}
		break
	}
	return len(b)
}
