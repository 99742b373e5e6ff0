package nn

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/quant"
)

// tinyShape is the smallest model Synthesize makes: fast to build and load.
var tinyShape = Shape{Name: "tiny", Arch: "llama", Dim: 8, Layers: 2, Heads: 2, KVHeads: 1, FFNDim: 16, Vocab: 259, Context: 16}

// tinyModelBytes synthesises tinyShape, lets edit change its metadata or
// tensors, and returns the encoded file.
func tinyModelBytes(t testing.TB, edit func(b *gguf.Builder)) []byte {
	t.Helper()
	b, err := Synthesize(tinyShape, quant.F32, 1)
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(b)
	}
	return builderBytes(t, b)
}

// builderBytes encodes a builder's file.
func builderBytes(t testing.TB, b *gguf.Builder) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := b.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestHyperParametersOutOfRange: every hyper-parameter a file sets is checked
// against a sane range, so a huge unsigned value can neither wrap to a
// negative int nor drive an allocation; each is one error naming the key.
func TestHyperParametersOutOfRange(t *testing.T) {
	const maxU64 = ^uint64(0)
	cases := []struct {
		key   string
		value gguf.Value
	}{
		{"llama.rope.dimension_count", gguf.U64(maxU64 - 1)}, // int −2: even and "at most the head size"
		{"llama.rope.dimension_count", gguf.U32(0)},
		{"llama.attention.head_count_kv", gguf.U64(maxU64)}, // int −1 divides anything
		{"llama.attention.head_count_kv", gguf.U32(4)},      // more KV heads than heads
		{"llama.attention.head_count", gguf.U64(maxU64)},
		{"llama.attention.key_length", gguf.U64(maxU64)},
		{"llama.block_count", gguf.U64(1 << 40)},
		{"llama.embedding_length", gguf.U64(1 << 40)},
		{"llama.feed_forward_length", gguf.U64(1 << 40)},
		{"llama.context_length", gguf.U64(maxU64)},
		{"llama.expert_count", gguf.U32(8)},
		{"llama.attention.layer_norm_rms_epsilon", gguf.F32(float32(math.NaN()))},
		{"llama.attention.layer_norm_rms_epsilon", gguf.F32(-1)},
		{"llama.rope.freq_base", gguf.F64(math.Inf(1))},
		{"llama.rope.freq_base", gguf.F32(0)},
	}
	for _, c := range cases {
		data := tinyModelBytes(t, func(b *gguf.Builder) { b.Set(c.key, c.value) })
		var err error
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("%s = %v: panic: %v", c.key, c.value, r)
				}
			}()
			err = loadAndRun(data)
		}()
		if err == nil {
			t.Fatalf("%s = %v: loaded", c.key, c.value)
		}
		if !strings.Contains(err.Error(), c.key) || strings.Contains(err.Error(), "\n") {
			t.Fatalf("%s = %v: error %q should be one line naming the key", c.key, c.value, err)
		}
	}
}

// TestTinyModelsRun: the fixtures the range tests edit and the fuzz target
// starts from are themselves valid, so their errors come from the edits.
func TestTinyModelsRun(t *testing.T) {
	for _, shape := range fuzzShapes {
		b, err := Synthesize(shape, quant.F32, 1)
		if err != nil {
			t.Fatal(err)
		}
		if err := loadAndRun(builderBytes(t, b)); err != nil {
			t.Fatalf("%s: %v", shape.Name, err)
		}
	}
}

// TestBlockCountBeyondTensors: a block count the file's tensors cannot back
// is refused, naming the key and both counts, before anything is allocated
// per block.
func TestBlockCountBeyondTensors(t *testing.T) {
	for _, layers := range []uint32{3, maxLayers} {
		data := tinyModelBytes(t, func(b *gguf.Builder) { b.Set("llama.block_count", gguf.U32(layers)) })
		err := loadAndRun(data)
		if err == nil || !strings.Contains(err.Error(), "llama.block_count") || !strings.Contains(err.Error(), "tensors") {
			t.Fatalf("block_count %d with 2 blocks of tensors: %v, want an error naming llama.block_count and the tensors", layers, err)
		}
	}
	// Enough tensors, but not the blocks': the last promised block is missing.
	data := tinyModelBytes(t, func(b *gguf.Builder) {
		b.Set("llama.block_count", gguf.U32(3))
		for i := range tensorsPerBlock {
			if err := b.AddTensor(fmt.Sprintf("extra.%d", i), quant.F32, []uint64{1}, make([]byte, 4)); err != nil {
				t.Fatal(err)
			}
		}
	})
	if err := loadAndRun(data); err == nil || !strings.Contains(err.Error(), "llama.block_count") || !strings.Contains(err.Error(), "blk.2.attn_norm.weight") {
		t.Fatalf("block_count 3 with tensors for 2 blocks and extras: %v, want an error naming the key and the missing block", err)
	}
}

// TestLongMetadataStringsAreCut: strings from the file enter errors cut, so a
// megabyte architecture or tokenizer name is still a short line.
func TestLongMetadataStringsAreCut(t *testing.T) {
	long := gguf.Str(strings.Repeat("x", 1<<20))
	cases := map[string]func(b *gguf.Builder){
		"architecture": func(b *gguf.Builder) { b.Set("general.architecture", long) },
		"rope scaling": func(b *gguf.Builder) { b.Set("llama.rope.scaling.type", long) },
		"tokenizer":    func(b *gguf.Builder) { b.Set("tokenizer.ggml.model", long) },
		"pre-tokenizer": func(b *gguf.Builder) {
			b.Set("tokenizer.ggml.model", gguf.Str("gpt2"))
			b.Set("tokenizer.ggml.pre", long)
		},
	}
	for name, edit := range cases {
		err := loadAndRun(tinyModelBytes(t, edit))
		if err == nil || len(err.Error()) > 300 || !strings.Contains(err.Error(), "xxxx") {
			t.Errorf("%s of 1 MB: error of %d bytes, want a short one quoting its start", name, len(fmt.Sprint(err)))
		}
	}
}

// TestSmallStateIsSmall: the batch buffers of a state are no larger than its
// context, so a short context on a wide model (the fuzz target's) stays cheap.
func TestSmallStateIsSmall(t *testing.T) {
	f, err := gguf.Parse(tinyModelBytes(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	m, err := FromGGUF(f)
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := m.NewState(4); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 16<<10 {
		t.Fatalf("a 4-token state of a width-8 model allocates %d bytes", got)
	}
}

// TestVocabularyOnlyFileIsNoModel: llama.cpp's vocabulary-only files load
// no model, with one error saying why and naming the file, never a
// complaint about the first missing tensor.
func TestVocabularyOnlyFileIsNoModel(t *testing.T) {
	path := "../testdata/vocab/ggml-vocab-qwen2.gguf"
	_, err := Open(path)
	if !errors.Is(err, ErrNoTensors) || !strings.HasPrefix(err.Error(), path+": ") {
		t.Fatalf("Open(%s): %v, want ErrNoTensors naming the file", path, err)
	}
}
