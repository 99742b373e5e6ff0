package nn

import (
	"errors"
	"fmt"

	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/kernels"
	"github.com/milp-lite/milp-lite/nn/tokenizer"
)

// Model is a loaded model: its configuration, weights and tokenizer. It is
// read-only once loaded, so several States (conversations) can share it.
type Model struct {
	Config       Config
	Weights      *Weights
	Tokenizer    *tokenizer.Tokenizer
	ChatTemplate string // tokenizer.chat_template, "" when the model has none
	File         *gguf.File
	rope         *kernels.RoPE
}

// ErrNoTensors is FromGGUF's error for a file without tensors, such as
// llama.cpp's vocabulary-only files (ggml-vocab-*.gguf): a tokenizer can be
// read from one (tokenizer.FromGGUF), a model cannot.
var ErrNoTensors = errors.New("the file holds no tensors (a vocabulary-only GGUF?): there are no weights to run")

// Open maps a GGUF file and loads the model in it.
func Open(path string) (*Model, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return nil, err
	}
	m, err := FromGGUF(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// FromGGUF loads the model held by a parsed GGUF file. The model keeps
// referencing the file's tensor data.
func FromGGUF(f *gguf.File) (*Model, error) {
	if len(f.Tensors) == 0 {
		return nil, ErrNoTensors
	}
	cfg, err := ConfigFromGGUF(f)
	if err != nil {
		return nil, err
	}
	w, err := loadWeights(f, &cfg)
	if err != nil {
		return nil, err
	}
	tok, err := tokenizer.FromGGUF(f)
	if err != nil {
		return nil, err
	}
	if tok.VocabSize() != cfg.VocabSize {
		return nil, fmt.Errorf("tokenizer has %d tokens but token_embd.weight has %d rows", tok.VocabSize(), cfg.VocabSize)
	}
	m := &Model{Config: cfg, Weights: w, Tokenizer: tok, File: f}
	m.ChatTemplate, _ = f.String("tokenizer.chat_template")
	m.rope = kernels.NewRoPE(cfg.RopeDims, cfg.RopeBase, cfg.RopeNeoX, w.RopeFreqs, cfg.RopeScale)
	return m, nil
}

// Close releases the file mapping. The model must not be used afterwards.
func (m *Model) Close() error { return m.File.Close() }
