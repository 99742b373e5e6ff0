package tokenizer

import (
	"fmt"
	"sort"
	"strings"

	"github.com/milp-lite/milp-lite/gguf"
)

const (
	keyModel          = "tokenizer.ggml.model"
	keyPre            = "tokenizer.ggml.pre"
	keyTokens         = "tokenizer.ggml.tokens"
	keyScores         = "tokenizer.ggml.scores"
	keyTokenType      = "tokenizer.ggml.token_type"
	keyMerges         = "tokenizer.ggml.merges"
	keyAddBOS         = "tokenizer.ggml.add_bos_token"
	keyAddEOS         = "tokenizer.ggml.add_eos_token"
	keyAddSpacePrefix = "tokenizer.ggml.add_space_prefix"
)

// gguf token types (tokenizer.ggml.token_type)
const (
	typeNormal      = 1
	typeUnknown     = 2
	typeControl     = 3
	typeUserDefined = 4
	typeUnused      = 5
	typeByte        = 6
)

// FromGGUF builds the tokenizer from a model's tokenizer.ggml.* metadata,
// with llama.cpp's defaults for whatever is absent. Errors name the key at
// fault.
func FromGGUF(f *gguf.File) (*Tokenizer, error) {
	t := &Tokenizer{eot: noToken, eom: noToken}
	var err error
	if t.model, err = f.String(keyModel); err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	if _, ok := f.Get(keyPre); ok {
		if t.preName, err = f.String(keyPre); err != nil {
			return nil, fmt.Errorf("tokenizer: %w", err)
		}
	}
	switch t.model {
	case "llama":
		t.spm = true
		t.bos, t.eos, t.unk = 1, 2, 0
		t.addSpacePrefix, t.addBOS = true, true
	case "gpt2":
		// llama.cpp's BPE defaults: 11 for BOS/EOS, no UNK
		t.bos, t.eos, t.unk = 11, 11, noToken
		if t.pre, err = lookupPre(t.preName); err != nil {
			return nil, err
		}
		t.addBOS, t.cleanSpaces = t.pre.addBOS, t.pre.cleanSpaces
		if t.pre.noBOS {
			t.bos = noToken
		}
	default:
		return nil, fmt.Errorf("tokenizer: unsupported tokenizer model %s in %s", gguf.Quote(t.model), keyModel)
	}
	if err := optBool(f, keyAddSpacePrefix, &t.addSpacePrefix); err != nil {
		return nil, err
	}
	if err := t.loadTokens(f); err != nil {
		return nil, err
	}
	if !t.spm {
		if err := t.loadMerges(f); err != nil {
			return nil, err
		}
	}
	if err := t.loadSpecialIDs(f); err != nil {
		return nil, err
	}
	if err := optBool(f, keyAddBOS, &t.addBOS); err != nil {
		return nil, err
	}
	if err := optBool(f, keyAddEOS, &t.addEOS); err != nil {
		return nil, err
	}
	if t.addBOS && t.bos == noToken {
		return nil, fmt.Errorf("tokenizer: %s is true, but tokenizer.ggml.bos_token_id is not set", keyAddBOS)
	}
	if t.addEOS && t.eos == noToken {
		return nil, fmt.Errorf("tokenizer: %s is true, but tokenizer.ggml.eos_token_id is not set", keyAddEOS)
	}
	t.detectSpecialTokens()
	t.buildSpecialCache()
	t.applyModelAttrs(f)
	return t, nil
}

// optBool overwrites *dst with the bool at key when the key is present.
func optBool(f *gguf.File, key string, dst *bool) error {
	if _, ok := f.Get(key); !ok {
		return nil
	}
	v, err := f.Bool(key)
	if err != nil {
		return fmt.Errorf("tokenizer: %w", err)
	}
	*dst = v
	return nil
}

func (t *Tokenizer) loadTokens(f *gguf.File) error {
	texts, err := f.Strings(keyTokens)
	if err != nil {
		return fmt.Errorf("tokenizer: %w", err)
	}
	n := len(texts)
	if n == 0 {
		return fmt.Errorf("tokenizer: %s is empty", keyTokens)
	}
	t.scores = make([]float32, n)
	if _, ok := f.Get(keyScores); ok {
		scores, err := f.Float32s(keyScores)
		if err != nil {
			ints, ierr := f.Int32s(keyScores)
			if ierr != nil {
				return fmt.Errorf("tokenizer: %w", err)
			}
			scores = make([]float32, len(ints))
			for i, v := range ints {
				scores[i] = float32(v)
			}
		}
		if len(scores) < n {
			return fmt.Errorf("tokenizer: %s has %d entries for %d tokens", keyScores, len(scores), n)
		}
		copy(t.scores, scores)
	}
	var types []int32
	if _, ok := f.Get(keyTokenType); ok {
		if types, err = f.Int32s(keyTokenType); err != nil {
			return fmt.Errorf("tokenizer: %w", err)
		}
		if len(types) < n {
			return fmt.Errorf("tokenizer: %s has %d entries for %d tokens", keyTokenType, len(types), n)
		}
	}
	t.texts = make([]string, n)
	t.attrs = make([]tokenAttr, n)
	t.ids = make(map[string]int32, n)
	for i, s := range texts {
		if s == "" {
			s = fmt.Sprintf("[EMPTY_%d]", i) // as llama.cpp, so every token is addressable
		}
		if prev, dup := t.ids[s]; dup {
			return fmt.Errorf("tokenizer: %s: duplicate token %s at ids %d and %d", keyTokens, gguf.Quote(s), prev, i)
		}
		t.ids[s] = int32(i)
		t.texts[i] = s
		t.attrs[i] = attrNormal
		if types != nil {
			t.attrs[i] = attrOfType(types[i])
		}
	}
	for b := range t.byteTokens {
		t.byteTokens[b] = noToken
		if id, ok := t.ids[fmt.Sprintf("<0x%02X>", b)]; ok {
			t.byteTokens[b] = id
		} else if id, ok := t.ids[string([]byte{byte(b)})]; ok {
			t.byteTokens[b] = id
		}
	}
	return nil
}

func attrOfType(typ int32) tokenAttr {
	switch typ {
	case typeNormal:
		return attrNormal
	case typeUnknown:
		return attrUnknown
	case typeControl:
		return attrControl
	case typeUserDefined:
		return attrUserDefined
	case typeUnused:
		return attrUnused
	case typeByte:
		return attrByte
	}
	return 0 // undefined
}

func (t *Tokenizer) loadMerges(f *gguf.File) error {
	merges, err := f.Strings(keyMerges)
	if err != nil {
		return fmt.Errorf("tokenizer: %w", err)
	}
	t.mergeRank = make(map[string]int32, len(merges))
	for i, m := range merges {
		// llama.cpp splits at the first space after index 0; lines without
		// one cannot match any pair, so they are left out.
		if len(m) < 2 || strings.IndexByte(m[1:], ' ') < 0 {
			continue
		}
		if _, seen := t.mergeRank[m]; !seen {
			t.mergeRank[m] = int32(i)
		}
	}
	return nil
}

// buildSpecialCache lists the tokens partition looks for: control,
// user-defined and unknown ones, longest text first (ties by id, where
// llama.cpp's unstable sort leaves the order unspecified).
func (t *Tokenizer) buildSpecialCache() {
	t.specials = t.specials[:0]
	for id, a := range t.attrs {
		if a&(attrControl|attrUserDefined|attrUnknown) != 0 {
			t.specials = append(t.specials, int32(id))
		}
	}
	sort.SliceStable(t.specials, func(i, j int) bool {
		return len(t.texts[t.specials[i]]) > len(t.texts[t.specials[j]])
	})
}

// applyModelAttrs sets the per-token strip attributes llama.cpp derives
// from the model name: Phi-3 special tokens eat the whitespace after them.
func (t *Tokenizer) applyModelAttrs(f *gguf.File) {
	name, _ := f.String("general.name")
	name = strings.ToLower(name)
	if !strings.Contains(name, "phi-3") && !strings.Contains(name, "phi3") {
		return
	}
	for _, id := range t.specials {
		t.attrs[id] |= attrRStrip
	}
	if id, ok := t.ids["</s>"]; ok {
		t.attrs[id] |= attrRStrip
	}
	for _, s := range []string{"<unk>", "<s>", "<|endoftext|>"} {
		if id, ok := t.ids[s]; ok {
			t.attrs[id] &^= attrRStrip
		}
	}
}
