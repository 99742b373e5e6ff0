package tokenizer

import "unicode/utf8"

// StreamDecoder turns tokens into text as they are generated. Byte-fallback
// and byte-level tokens can carry part of a multi-byte UTF-8 character; the
// decoder holds such an incomplete tail back until the rest arrives, so it
// never splits a character. Bytes that can never become valid UTF-8 are
// passed through unchanged.
//
// Pieces are rendered as in Decode (control tokens vanish, the SPM leading
// space of the first token is dropped), so the concatenated output equals
// Decode(ids) except for llama.cpp's clean-up of spaces before punctuation,
// which needs look-ahead and is not applied here.
type StreamDecoder struct {
	t       *Tokenizer
	pending []byte
	started bool
}

// NewStreamDecoder returns a decoder with nothing pending.
func (t *Tokenizer) NewStreamDecoder() *StreamDecoder {
	return &StreamDecoder{t: t}
}

// Add takes the next token and returns the text that is now complete.
func (d *StreamDecoder) Add(id int32) string {
	n := len(d.pending)
	d.pending = d.t.appendPiece(d.pending, id, false)
	if !d.started && d.t.addSpacePrefix && len(d.pending) > n && d.pending[n] == ' ' {
		d.pending = append(d.pending[:n], d.pending[n+1:]...)
	}
	d.started = true
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
	d.started = false
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
