package tokenizer

import "fmt"

// GPT-2's byte-level BPE works on printable stand-ins for raw bytes: each
// byte b maps to one code point, b itself for the printable Latin-1 ranges
// '!'..'~', '¡'..'¬', '®'..'ÿ', and 256, 257, ... (in byte order) for the
// rest (so ' ' becomes 'Ġ' U+0120 and '\n' becomes 'Ċ' U+010A).

// byteToUnit holds the UTF-8 encoding of each byte's stand-in code point.
var byteToUnit [256]string

// unitToByte inverts byteToUnit, keyed by the stand-in code point.
var unitToByte = map[rune]byte{}

func init() {
	printable := func(b int) bool {
		return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)
	}
	next := rune(256)
	for b := 0; b < 256; b++ {
		r := rune(b)
		if !printable(b) {
			r = next
			next++
		}
		byteToUnit[b] = string(r)
		unitToByte[r] = byte(b)
	}
}

// appendByteEncoded appends the GPT-2 stand-ins for every byte of s.
func appendByteEncoded(dst []byte, s []byte) []byte {
	for _, b := range s {
		dst = append(dst, byteToUnit[b]...)
	}
	return dst
}

// decodeByteUnits maps a byte-level BPE token text back to raw bytes, as
// llama.cpp's llama_decode_text: code points that are not stand-ins are
// rendered as "[UNK_BYTE_0x..]" markers.
func decodeByteUnits(dst []byte, text string) []byte {
	cpts := decodeCodepoints(text, nil)
	for _, c := range cpts {
		if b, ok := unitToByte[rune(c)]; ok {
			dst = append(dst, b)
			continue
		}
		// llama.cpp appends the whole token text after the hex bytes; keep
		// that odd format so decoded output matches byte for byte.
		unit := appendCodepoint(nil, c)
		dst = append(dst, "[UNK_BYTE_0x"...)
		for _, b := range unit {
			dst = fmt.Appendf(dst, "%02x", b)
		}
		dst = append(dst, text...)
		dst = append(dst, ']')
	}
	return dst
}
