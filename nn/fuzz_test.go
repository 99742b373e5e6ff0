package nn

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/metrics"
	"slices"
	"strings"
	"testing"

	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/quant"
)

// errAfterLoad marks a failure after a model loaded: with a context the
// model allows and tokens its own tokenizer produced, nothing may fail.
var errAfterLoad = errors.New("a loaded model failed to run")

// loadAndRun parses data, loads the model, encodes a short text with the
// model's tokenizer and runs it through a small state: the whole path a
// hostile file can reach.
func loadAndRun(data []byte) error {
	f, err := gguf.Parse(data)
	if err != nil {
		return err
	}
	m, err := FromGGUF(f)
	if err != nil {
		return err
	}
	st, err := m.NewState(min(8, m.Config.ContextLen))
	if err != nil {
		return fmt.Errorf("%w: NewState: %v", errAfterLoad, err)
	}
	tokens := m.Tokenizer.Encode("Once upon a time", true, true)
	tokens = tokens[:min(len(tokens), st.Ctx)]
	if len(tokens) == 0 {
		tokens = []int32{0}
	}
	logits, err := st.Forward(tokens, false)
	if err != nil {
		return fmt.Errorf("%w: Forward(%v): %v", errAfterLoad, tokens, err)
	}
	if len(logits) != m.Config.VocabSize {
		return fmt.Errorf("%w: %d logits for a vocabulary of %d", errAfterLoad, len(logits), m.Config.VocabSize)
	}
	return nil
}

// maxFuzzAlloc bounds what loading and running one input may allocate in
// all: a file only a few megabytes long must not make the loader reserve
// gigabytes on its word.
const maxFuzzAlloc = 1 << 30

// FuzzLoadModel feeds arbitrary bytes through parsing, model loading, a new
// state and one forward pass. Nothing may panic; a file that loads must run;
// a file that does not is one line of error; no input allocates over 1 GiB.
//
// Seeds: the shipped model and vocabularies (when not fuzzing, or small
// enough to mutate quickly), tiny synthesised models of each architecture,
// and the same with crafted headers (huge or wrapped hyper-parameters, block
// counts the tensors cannot back).
func FuzzLoadModel(f *testing.F) {
	fuzzing := flag.Lookup("test.fuzz").Value.String() != ""
	paths, _ := filepath.Glob("../testdata/vocab/*.gguf")
	paths = append(paths, "../models/stories260K.gguf")
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		if !fuzzing || len(data) <= 1<<20+1<<16 {
			f.Add(data)
		}
		f.Add(slices.Clone(data[:4096]))
	}
	for _, shape := range fuzzShapes {
		b, err := Synthesize(shape, quant.F32, 1)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(builderBytes(f, b))
	}
	for _, edit := range craftedHeaders {
		f.Add(tinyModelBytes(f, func(b *gguf.Builder) { b.Set(edit.key, edit.value) }))
	}
	allocs := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	f.Fuzz(func(t *testing.T, data []byte) {
		metrics.Read(allocs)
		before := allocs[0].Value.Uint64()
		err := loadAndRun(data)
		metrics.Read(allocs)
		if n := allocs[0].Value.Uint64() - before; n > maxFuzzAlloc {
			t.Fatalf("loading a %d-byte file allocated %d bytes", len(data), n)
		}
		if errors.Is(err, errAfterLoad) {
			t.Fatal(err)
		}
		if err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("error is not one line: %q", err)
		}
	})
}

// fuzzShapes are the smallest models of each kind the loader handles.
var fuzzShapes = []Shape{
	tinyShape,
	{Name: "q", Arch: "qwen2", Dim: 8, Layers: 1, Heads: 2, KVHeads: 2, FFNDim: 8, Vocab: 259, Context: 8, Tied: true},
	{Name: "r", Arch: "llama", Dim: 8, Layers: 1, Heads: 1, KVHeads: 1, FFNDim: 8, Vocab: 259, Context: 8, RopeFreqs: true},
}

// craftedHeaders are edits of tinyShape's metadata a hostile file might make.
var craftedHeaders = []struct {
	key   string
	value gguf.Value
}{
	{"llama.rope.dimension_count", gguf.U64(^uint64(0) - 1)},
	{"llama.attention.head_count_kv", gguf.U64(^uint64(0))},
	{"llama.block_count", gguf.U32(1 << 24)},
	{"llama.context_length", gguf.U64(1 << 62)},
	{"llama.embedding_length", gguf.I32(-8)},
	{"llama.rope.scaling.type", gguf.Str("linear")},
	{"tokenizer.ggml.model", gguf.Str("gpt2")},
}
