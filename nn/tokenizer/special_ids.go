package tokenizer

import (
	"fmt"
	"strings"

	"github.com/milp-lite/milp-lite/gguf"
)

// fimIDs are the fill-in-the-middle tokens; pad, rep and sep end generation.
type fimIDs struct{ pre, suf, mid, pad, rep, sep int32 }

// loadSpecialIDs reads the *_token_id keys. As in llama.cpp, a default id
// outside the vocabulary is disabled and an out-of-range key is ignored.
func (t *Tokenizer) loadSpecialIDs(f *gguf.File) error {
	var fim = fimIDs{noToken, noToken, noToken, noToken, noToken, noToken}
	var sep, pad, mask = noToken, noToken, noToken
	slots := []struct {
		key string
		id  *int32
	}{
		{"tokenizer.ggml.bos_token_id", &t.bos},
		{"tokenizer.ggml.eos_token_id", &t.eos},
		{"tokenizer.ggml.eot_token_id", &t.eot},
		{"tokenizer.ggml.eom_token_id", &t.eom},
		{"tokenizer.ggml.unknown_token_id", &t.unk},
		{"tokenizer.ggml.seperator_token_id", &sep},
		{"tokenizer.ggml.padding_token_id", &pad},
		{"tokenizer.ggml.mask_token_id", &mask},
		{"tokenizer.ggml.fim_pre_token_id", &fim.pre},
		{"tokenizer.ggml.fim_suf_token_id", &fim.suf},
		{"tokenizer.ggml.fim_mid_token_id", &fim.mid},
		{"tokenizer.ggml.fim_pad_token_id", &fim.pad},
		{"tokenizer.ggml.fim_rep_token_id", &fim.rep},
		{"tokenizer.ggml.fim_sep_token_id", &fim.sep},
		{"tokenizer.ggml.prefix_token_id", &fim.pre},
		{"tokenizer.ggml.suffix_token_id", &fim.suf},
		{"tokenizer.ggml.middle_token_id", &fim.mid},
	}
	n := int64(len(t.texts))
	for _, s := range slots {
		if *s.id >= 0 && int64(*s.id) >= n {
			*s.id = noToken
		}
		if _, ok := f.Get(s.key); !ok {
			continue
		}
		v, err := f.Uint(s.key)
		if err != nil {
			return fmt.Errorf("tokenizer: %w", err)
		}
		if v < uint64(n) {
			*s.id = int32(v)
		}
	}
	t.fim = fim
	return nil
}

// Token texts llama.cpp uses to find special tokens the metadata does not
// name. Where several are present llama.cpp takes whichever its hash map
// yields first; this package takes the first in list order.
var (
	eotTexts = []string{"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
		"<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>"}
	eomTexts    = []string{"<|eom_id|>"}
	fimPreTexts = []string{"<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>", "<|prefix|>"}
	fimSufTexts = []string{"<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>"}
	fimMidTexts = []string{"<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>", "<|middle|>"}
	fimPadTexts = []string{"<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"}
	fimRepTexts = []string{"<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"}
	fimSepTexts = []string{"<|file_sep|>"}
	eogTexts    = []string{"<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>",
		"<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]",
		"<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>", "<｜end▁of▁sentence｜>", "[e~["}
)

// detectSpecialTokens is the text-based part of llama.cpp's vocab loading:
// find unnamed EOT/EOM/FIM tokens, force the control attribute on them,
// mark control tokens named "unused", and build the end-of-generation set.
func (t *Tokenizer) detectSpecialTokens() {
	find := func(id *int32, texts []string) {
		if *id != noToken {
			return
		}
		for _, s := range texts {
			if tok, ok := t.ids[s]; ok {
				*id = tok
				t.attrs[tok] |= attrControl
				return
			}
		}
	}
	find(&t.eot, eotTexts)
	find(&t.eom, eomTexts)
	find(&t.fim.pre, fimPreTexts)
	find(&t.fim.suf, fimSufTexts)
	find(&t.fim.mid, fimMidTexts)
	find(&t.fim.pad, fimPadTexts)
	find(&t.fim.rep, fimRepTexts)
	find(&t.fim.sep, fimSepTexts)

	for id, a := range t.attrs {
		if a&attrControl != 0 && strings.Contains(t.texts[id], "unused") {
			t.attrs[id] |= attrUnused
		}
	}

	t.eog = map[int32]bool{}
	for _, id := range []int32{t.fim.pad, t.fim.rep, t.fim.sep} {
		if id != noToken {
			t.eog[id] = true
		}
	}
	for _, s := range eogTexts {
		if id, ok := t.ids[s]; ok {
			t.eog[id] = true
			t.attrs[id] |= attrControl
		}
	}
	// gpt-oss: these always render, so they are plain user-defined tokens
	for _, s := range []string{"<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"} {
		if id, ok := t.ids[s]; ok {
			t.attrs[id] = attrUserDefined
		}
	}
	for _, id := range []int32{t.eos, t.eot, t.eom} {
		if id != noToken {
			t.eog[id] = true
		}
	}
	// o200k_harmony / solar-open: "<|end|>" ends a message, not generation
	has := func(s string) (int32, bool) {
		id, ok := t.ids[s]
		return id, ok && t.eog[id]
	}
	_, hasReturn := has("<|return|>")
	_, hasCall := has("<|call|>")
	_, hasCalls := has("<|calls|>")
	_, hasFlush := has("<|flush|>")
	if endID, hasEnd := has("<|end|>"); hasEnd && ((hasReturn && (hasCall || hasCalls)) || ((hasCall || hasCalls) && hasFlush)) {
		delete(t.eog, endID)
		t.attrs[endID] = attrUserDefined
	}
	// gemma4 / paddleocr: "</s>" is not an end of generation there
	if _, hasTool := has("<|tool_response>"); hasTool {
		if sID, hasS := has("</s>"); hasS {
			delete(t.eog, sID)
			t.attrs[sID] = attrNormal
		}
	}
}
