package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVocabOnlyFiles: llama.cpp's vocabulary-only GGUFs (no tensors) work
// for tokenize, giving llama.cpp's own ids for the first case of its test
// vectors, and for info; a command that needs weights refuses one with an
// error naming the file.
func TestVocabOnlyFiles(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/vocab/ggml-vocab-*.gguf")
	if len(files) != 5 {
		t.Fatalf("found %d vocabulary files, want 5", len(files))
	}
	for _, file := range files {
		inp, err1 := os.ReadFile(file + ".inp")
		out, err2 := os.ReadFile(file + ".out")
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		text, _, _ := strings.Cut(string(inp), "\n__ggml_vocab_test__\n")
		ids, _, _ := strings.Cut(string(out), "\n")
		want := "[" + strings.Join(strings.Fields(ids), ", ") + "]"
		r := run(t, "", "tokenize", "--no-bos", "--model", file, text)
		if r.code != 0 || strings.TrimSpace(r.stdout) != want {
			t.Errorf("%s: tokenize %q: exit %d, %q, want %s (%s)", file, text, r.code, r.stdout, want, r.stderr)
		}
	}
	qwen := "../../testdata/vocab/ggml-vocab-qwen2.gguf"
	r := run(t, "", "info", qwen)
	if r.code != 0 || !strings.Contains(r.stdout, "pre=qwen2, 151936 tokens") || !strings.Contains(normalise(r.stdout), "model: none: a vocabulary-only GGUF") {
		t.Errorf("info: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, "", "chat", "--model", qwen, "-p", "hi")
	if r.code != 1 || !strings.Contains(r.stderr, qwen+": a vocabulary-only GGUF") || strings.Contains(r.stderr, "missing tensor") {
		t.Errorf("chat: exit %d: %s", r.code, r.stderr)
	}
}
