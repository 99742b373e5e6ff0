package tokenizer

import (
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	vocabOnce   sync.Map // name -> *Tokenizer
	storiesPath = "../../models/stories260K.gguf"
)

func vocab(t testing.TB, name string) *Tokenizer {
	if v, ok := vocabOnce.Load(name); ok {
		return v.(*Tokenizer)
	}
	tok := loadVocab(t, filepath.Join(vocabDir, "ggml-vocab-"+name+".gguf"))
	vocabOnce.Store(name, tok)
	return tok
}

// The golden ids come from llama.cpp (testdata/golden/stories260K_tokenize.txt).
func TestStories260KGolden(t *testing.T) {
	tok := loadVocab(t, storiesPath)
	got := tok.Encode("Once upon a time, there was a little girl named Lily.", true, false)
	want := []int32{1, 403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426}
	require.Equal(t, want, got)
	// llama.cpp keeps the prefix space after BOS (only a leading non-BOS
	// token loses it)
	assert.Equal(t, " Once upon a time, there was a little girl named Lily.", tok.Decode(got), "decode")
	assert.Equal(t, "Once upon a time, there was a little girl named Lily.", tok.Decode(got[1:]), "decode without BOS")
}

// Decode(Encode(x)) gives x back for every vector (modulo llama.cpp's
// clean-up of spaces before punctuation, for the vocabularies using it).
func TestRoundTrip(t *testing.T) {
	for _, name := range vocabNames {
		tok := vocab(t, name)
		for _, c := range readVectors(t, "ggml-vocab-"+name+".gguf") {
			want := c.text
			if tok.cleanSpaces {
				want = string(cleanSpaces([]byte(want)))
			}
			if got := tok.Decode(tok.Encode(c.text, false, false)); got != want {
				t.Errorf("%s: %q decoded to %q", name, c.text, got)
			}
		}
	}
}

func TestSpecialDefaults(t *testing.T) {
	cases := []struct {
		name        string
		bos, eos    int32
		addBOS      bool
		eog, notEOG []int32
		kind        string
		size        int
	}{
		{"llama-spm", 1, 2, true, []int32{2}, []int32{1, 0}, "llama (SentencePiece)", 32000},
		{"llama-bpe", 128000, 128001, true, []int32{128001, 128009}, []int32{128000, 128006}, "gpt2 (byte-level BPE), pre=llama-bpe", 128256},
		{"qwen2", 151643, 151643, false, []int32{151643, 151645}, []int32{151644}, "gpt2 (byte-level BPE), pre=qwen2", 151936},
		{"gpt-2", 50256, 50256, false, []int32{50256}, []int32{0}, "gpt2 (byte-level BPE), pre=gpt-2", 50257},
		{"phi-3", 1, 32000, true, []int32{32000, 32007, 2}, []int32{32001}, "llama (SentencePiece)", 32064},
	}
	for _, c := range cases {
		tok := vocab(t, c.name)
		assert.Equal(t, c.bos, tok.BOS(), "%s: BOS", c.name)
		assert.Equal(t, c.eos, tok.EOS(), "%s: EOS", c.name)
		assert.Equal(t, c.addBOS, tok.AddBOS(), "%s: AddBOS", c.name)
		assert.Equal(t, c.kind, tok.Kind(), "%s: Kind", c.name)
		assert.Equal(t, c.size, tok.VocabSize(), "%s: VocabSize", c.name)
		for _, id := range c.eog {
			if !tok.IsEOG(id) {
				t.Errorf("%s: %d (%q) should end generation", c.name, id, tok.TokenText(id))
			}
		}
		for _, id := range c.notEOG {
			if tok.IsEOG(id) {
				t.Errorf("%s: %d (%q) should not end generation", c.name, id, tok.TokenText(id))
			}
		}
		ids := tok.Encode("Hello", true, false)
		if (ids[0] == c.bos) != c.addBOS {
			t.Errorf("%s: Encode with addSpecial gave %v", c.name, ids)
		}
	}
	if eot := vocab(t, "llama-bpe").EOT(); eot != 128009 {
		t.Errorf("llama-bpe EOT = %d, want 128009 (<|eot_id|>)", eot)
	}
	if eot := vocab(t, "gpt-2").EOT(); eot != 50256 {
		t.Errorf("gpt-2 EOT = %d, want 50256 (<|endoftext|>)", eot)
	}
}

func TestParseSpecial(t *testing.T) {
	tok := vocab(t, "qwen2")
	text := "<|im_start|>user\nhi there<|im_end|>\n"
	want := append(append([]int32{151644}, tok.Encode("user\nhi there", false, false)...), 151645)
	want = append(want, tok.Encode("\n", false, false)...)
	assert.Equal(t, want, tok.Encode(text, false, true), "parseSpecial")
	plain := tok.Encode(text, false, false)
	assert.NotContains(t, plain, int32(151644), "control tokens parsed without parseSpecial")
	assert.NotContains(t, plain, int32(151645), "control tokens parsed without parseSpecial")
	// user-defined tokens are always recognised, as in llama.cpp
	assert.Contains(t, tok.Encode("a[PAD151646]b", false, false), int32(151646), "user-defined token not recognised")
	// control tokens vanish in Decode, render in DecodeSpecial
	ids := tok.Encode(text, false, true)
	assert.Equal(t, "user\nhi there\n", tok.Decode(ids))
	assert.Equal(t, text, tok.DecodeSpecial(ids, true))
}

// Phi-3 special tokens carry rstrip (llama.cpp sets it from the model
// name), so whitespace after them is dropped, and the following raw text
// gets the SPM space prefix.
func TestPhi3RStrip(t *testing.T) {
	tok := vocab(t, "phi-3")
	got := tok.Encode("<|user|>  \n Hello<|end|>", false, true)
	want := append(append([]int32{tok.ids["<|user|>"]}, tok.Encode("Hello", false, false)...), 32007)
	assert.Equal(t, want, got)
}

func TestPiece(t *testing.T) {
	spm := vocab(t, "llama-spm")
	if p := string(spm.Piece(spm.ids["<0x0A>"])); p != "\n" {
		t.Errorf("<0x0A> piece %q", p)
	}
	if p := string(spm.Piece(spm.ids["▁the"])); p != " the" {
		t.Errorf("▁the piece %q", p)
	}
	if p := string(spm.Piece(1)); p != "<s>" {
		t.Errorf("BOS piece %q", p)
	}
	bpe := vocab(t, "gpt-2")
	if p := string(bpe.Piece(bpe.ids["Ġthe"])); p != " the" {
		t.Errorf("Ġthe piece %q", p)
	}
	if p := string(bpe.Piece(bpe.ids["Ċ"])); p != "\n" {
		t.Errorf("Ċ piece %q", p)
	}
	if p := bpe.Piece(-1); p != nil {
		t.Errorf("out of range piece %q", p)
	}
}

// Multi-byte characters that tokenise into byte tokens must come out of
// the stream decoder whole, never as partial UTF-8.
func TestStreamDecoder(t *testing.T) {
	text := "llama 🦙 says 你好, Ünïcödé ꦄ 𝄞!"
	for _, name := range vocabNames {
		tok := vocab(t, name)
		ids := tok.Encode(text, false, false)
		d := tok.NewStreamDecoder()
		var sb strings.Builder
		split := false
		for _, id := range ids {
			if !utf8.Valid(tok.Piece(id)) {
				split = true
			}
			s := d.Add(id)
			if !utf8.ValidString(s) {
				t.Errorf("%s: stream produced invalid UTF-8 %q", name, s)
			}
			sb.WriteString(s)
		}
		sb.WriteString(d.Flush())
		// Generated tokens continue a text, so SentencePiece's prefix space,
		// which Encode added, is kept.
		want := text
		if tok.addSpacePrefix {
			want = " " + text
		}
		if sb.String() != want {
			t.Errorf("%s: stream gave %q, want %q", name, sb.String(), want)
		}
		if !split {
			t.Errorf("%s: test text never split a character across tokens", name)
		}
	}
}

// A generated word after a prompt keeps its space: "Once upon a" + "▁time"
// streams " time", not "time".
func TestStreamKeepsLeadingSpaceOfContinuation(t *testing.T) {
	tok := vocab(t, "llama-spm")
	d := tok.NewStreamDecoder()
	if got := d.Add(tok.ids["▁time"]); got != " time" {
		t.Fatalf("first streamed token: %q, want %q", got, " time")
	}
}

func TestStreamFlushIncomplete(t *testing.T) {
	tok := vocab(t, "llama-spm")
	d := tok.NewStreamDecoder()
	// first two bytes of "🦙" (F0 9F A6 99)
	if s := d.Add(tok.ids["<0xF0>"]) + d.Add(tok.ids["<0x9F>"]); s != "" {
		t.Errorf("incomplete character emitted: %q", s)
	}
	if s := d.Flush(); s != "\xf0\x9f" {
		t.Errorf("flush gave %q", s)
	}
}

func TestCleanSpaces(t *testing.T) {
	cases := map[string]string{
		"Hello , world !":   "Hello, world!",
		"it 's a ' quote '": "it's a'quote '",
		"we 're here":       "we're here",
		"don 't":            "don 't",
		" ' ' x":            "'' x",
	}
	for in, want := range cases {
		if got := string(cleanSpaces([]byte(in))); got != want {
			t.Errorf("cleanSpaces(%q) = %q, want %q", in, got, want)
		}
	}
}
