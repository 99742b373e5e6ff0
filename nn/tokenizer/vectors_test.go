package tokenizer

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/milp-lite/milp-lite/gguf"
)

const vocabDir = "../../testdata/vocab"

// vocabCase is one llama.cpp tokenizer test vector.
type vocabCase struct {
	text string
	ids  []int32
}

// readVectors reads name.gguf.inp/.out the way llama.cpp's
// tests/test-tokenizer-0.cpp does: inputs are separated by
// "\n__ggml_vocab_test__\n" (so the newline before each separator is not
// part of the case), outputs are one line of space-separated ids per case.
func readVectors(t *testing.T, name string) []vocabCase {
	t.Helper()
	inp, err := os.ReadFile(filepath.Join(vocabDir, name+".inp"))
	if err != nil {
		t.Fatal(err)
	}
	outp, err := os.ReadFile(filepath.Join(vocabDir, name+".out"))
	if err != nil {
		t.Fatal(err)
	}
	const sep = "\n__ggml_vocab_test__\n"
	texts := strings.Split(string(inp), sep)
	if texts[len(texts)-1] == "" {
		texts = texts[:len(texts)-1]
	}
	lines := strings.Split(strings.TrimSuffix(string(outp), "\n"), "\n")
	if len(texts) != len(lines) {
		t.Fatalf("%s: %d inputs but %d outputs", name, len(texts), len(lines))
	}
	cases := make([]vocabCase, len(texts))
	for i, text := range texts {
		cases[i].text = text
		for _, f := range strings.Fields(lines[i]) {
			v, err := strconv.Atoi(f)
			if err != nil {
				t.Fatalf("%s.out line %d: %v", name, i+1, err)
			}
			cases[i].ids = append(cases[i].ids, int32(v))
		}
	}
	return cases
}

func loadVocab(t testing.TB, path string) *Tokenizer {
	t.Helper()
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tok, err := FromGGUF(f)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

var vocabNames = []string{"llama-spm", "llama-bpe", "qwen2", "gpt-2", "phi-3"}

// TestVocabVectors checks every llama.cpp test vector, encoding as
// test-tokenizer-0 does: add_special=false, parse_special=false.
func TestVocabVectors(t *testing.T) {
	for _, name := range vocabNames {
		t.Run(name, func(t *testing.T) {
			file := "ggml-vocab-" + name + ".gguf"
			tok := loadVocab(t, filepath.Join(vocabDir, file))
			cases := readVectors(t, file)
			pass := 0
			for i, c := range cases {
				got := tok.Encode(c.text, false, false)
				if slices.Equal(got, c.ids) {
					pass++
					continue
				}
				t.Errorf("case %d %q:\n got  %v\n want %v", i, c.text, got, c.ids)
			}
			t.Logf("%s (%s): %d/%d cases pass", name, tok.Kind(), pass, len(cases))
		})
	}
}
