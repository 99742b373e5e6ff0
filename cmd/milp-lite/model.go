package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/models"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/nn/tokenizer"
)

var modelFlag = &cli.StringFlag{
	Name:    "model",
	Aliases: []string{"m"},
	Usage:   "GGUF model `FILE` (llama or qwen2 architecture); empty: the embedded stories260K",
}

// openGGUF opens the file named by --model, or the embedded default.
func openGGUF(path string) (*gguf.File, string, error) {
	if path == "" {
		f, err := gguf.Parse(models.Stories260K)
		return f, models.DefaultName, err
	}
	f, err := gguf.Open(path)
	return f, path, err
}

// loadModel loads the model named by --model, or the embedded default.
func loadModel(c *cli.Context) (*nn.Model, error) {
	f, name, err := openGGUF(c.String(modelFlag.Name))
	if err != nil {
		return nil, err
	}
	if vocabOnly(f) {
		f.Close()
		return nil, fmt.Errorf("%s: %s", name, vocabOnlyText)
	}
	m, err := nn.FromGGUF(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return m, nil
}

// vocabOnlyText says what a vocabulary-only file is good for.
const vocabOnlyText = "a vocabulary-only GGUF (a tokenizer, no tensors): `milp-lite tokenize` and `info` read it, but it has no weights to run"

// vocabOnly reports whether f is one of llama.cpp's vocabulary-only files
// (ggml-vocab-*.gguf, what `llama-tokenize --vocab-only` reads): a
// tokenizer's metadata and no tensors.
func vocabOnly(f *gguf.File) bool {
	if len(f.Tensors) > 0 {
		return false
	}
	for _, kv := range f.KV {
		if strings.HasPrefix(kv.Key, "tokenizer.ggml.") {
			return true
		}
	}
	return false
}

// openTokenizer reads only the tokenizer of the file named by --model (or
// the embedded model's), so a vocabulary-only file works as well as a whole
// model. Close the file when done with the tokenizer.
func openTokenizer(c *cli.Context) (*tokenizer.Tokenizer, *gguf.File, error) {
	f, name, err := openGGUF(c.String(modelFlag.Name))
	if err != nil {
		return nil, nil, err
	}
	tok, err := tokenizer.FromGGUF(f)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return tok, f, nil
}
