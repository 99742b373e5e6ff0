// Package tokenizer reproduces llama.cpp's tokenisation of GGUF
// vocabularies: SentencePiece-style ("llama") and GPT-2 byte-level BPE
// ("gpt2") models, special-token parsing, detokenisation and streaming.
//
// Every rule (merge order, pre-tokeniser cuts, special-token partitioning,
// defaults for BOS/EOS) follows llama.cpp's src/llama-vocab.cpp and
// src/unicode.cpp; the package tests check the ids against llama.cpp's
// tokenizer test vectors.
package tokenizer

import "sync"

// tokenAttr is llama.cpp's llama_token_attr bit set.
type tokenAttr uint16

const (
	attrUnknown tokenAttr = 1 << iota
	attrUnused
	attrNormal
	attrControl
	attrUserDefined
	attrByte
	attrNormalized
	attrLStrip
	attrRStrip
	attrSingleWord
)

// noToken is llama.cpp's LLAMA_TOKEN_NULL.
const noToken int32 = -1

// Tokenizer encodes and decodes text for one vocabulary. It is safe for
// concurrent use.
type Tokenizer struct {
	spm      bool   // SentencePiece-style ("llama") rather than byte-level BPE
	model    string // tokenizer.ggml.model
	preName  string // tokenizer.ggml.pre
	pre      preConfig
	texts    []string
	scores   []float32
	attrs    []tokenAttr
	ids      map[string]int32
	specials []int32 // control/user-defined/unknown tokens, longest text first

	mergeRank map[string]int32 // BPE: "left right" -> rank

	bos, eos, eot, eom, unk int32
	fim                     fimIDs
	eog                     map[int32]bool
	addBOS, addEOS          bool
	addSpacePrefix          bool
	cleanSpaces             bool
	byteTokens              [256]int32 // SPM byte fallback, noToken if absent

	bpePool sync.Pool
	spmPool sync.Pool
}

// Encode tokenises text. With addSpecial the vocabulary's BOS (and EOS)
// are added as its add_bos/add_eos settings say. With parseSpecial,
// control tokens written in the text (e.g. "<|im_start|>") become single
// tokens; user-defined tokens are recognised either way, as in llama.cpp.
func (t *Tokenizer) Encode(text string, addSpecial, parseSpecial bool) []int32 {
	var out []int32
	if addSpecial && t.addBOS && t.bos != noToken {
		out = append(out, t.bos)
	}
	parts := t.partition(text, parseSpecial)
	if t.spm {
		out = t.encodeSPM(text, parts, out)
	} else {
		out = t.encodeBPE(text, parts, out)
	}
	if addSpecial && t.addEOS && t.eos != noToken {
		out = append(out, t.eos)
	}
	return out
}

func (t *Tokenizer) encodeSPM(text string, parts []part, out []int32) []int32 {
	s, _ := t.spmPool.Get().(*spmSession)
	if s == nil {
		s = &spmSession{t: t}
	}
	defer t.spmPool.Put(s)
	// llama.cpp prefixes a space to the first raw piece and to every raw
	// piece that follows a special token.
	prevSpecial := true
	for _, p := range parts {
		if p.tok >= 0 {
			out = append(out, p.tok)
			prevSpecial = true
			continue
		}
		frag := text[p.start:p.end]
		if t.addSpacePrefix && prevSpecial {
			frag = " " + frag
		}
		out = s.encode(frag, out)
		prevSpecial = false
	}
	return out
}

func (t *Tokenizer) encodeBPE(text string, parts []part, out []int32) []int32 {
	s, _ := t.bpePool.Get().(*bpeSession)
	if s == nil {
		s = &bpeSession{t: t}
	}
	defer t.bpePool.Put(s)
	for _, p := range parts {
		if p.tok >= 0 {
			out = append(out, p.tok)
			continue
		}
		out = s.encode(text[p.start:p.end], out)
	}
	return out
}

// byteToken is the SPM byte-fallback token for b: "<0xXX>", else the
// one-byte token, else the unknown token.
func (t *Tokenizer) byteToken(b byte) int32 {
	if id := t.byteTokens[b]; id != noToken {
		return id
	}
	return t.unk
}

// BOS returns the beginning-of-sequence token id (-1 if none).
func (t *Tokenizer) BOS() int32 { return t.bos }

// EOS returns the end-of-sequence token id (-1 if none).
func (t *Tokenizer) EOS() int32 { return t.eos }

// EOT returns the end-of-turn token id (-1 if none).
func (t *Tokenizer) EOT() int32 { return t.eot }

// IsEOG reports whether id ends generation: EOS, EOT, EOM and the tokens
// llama.cpp recognises by text (<|im_end|>, <|eot_id|>, <|endoftext|> ...).
func (t *Tokenizer) IsEOG(id int32) bool { return t.eog[id] }

// AddBOS reports whether Encode with addSpecial prepends BOS.
func (t *Tokenizer) AddBOS() bool { return t.addBOS }

// AddEOS reports whether Encode with addSpecial appends EOS.
func (t *Tokenizer) AddEOS() bool { return t.addEOS }

// VocabSize is the number of tokens.
func (t *Tokenizer) VocabSize() int { return len(t.texts) }

// TokenText returns the raw vocabulary string of id ("" if out of range).
func (t *Tokenizer) TokenText(id int32) string {
	if id < 0 || int(id) >= len(t.texts) {
		return ""
	}
	return t.texts[id]
}

// Kind describes the tokenizer for display, e.g. "llama (SentencePiece)"
// or "gpt2 (byte-level BPE), pre=llama-bpe".
func (t *Tokenizer) Kind() string {
	if t.spm {
		return t.model + " (SentencePiece)"
	}
	pre := t.preName
	if pre == "" {
		pre = "default"
	}
	return t.model + " (byte-level BPE), pre=" + pre
}
