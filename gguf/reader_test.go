package gguf

import (
	"encoding/binary"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/milp-lite/milp-lite/quant"
)

const storiesPath = "../models/stories260K.gguf"

// repoGGUFs lists every GGUF file shipped with the repository.
func repoGGUFs(t testing.TB) []string {
	t.Helper()
	paths, err := filepath.Glob("../testdata/vocab/*.gguf")
	require.NoError(t, err)
	models, err := filepath.Glob("../models/*.gguf")
	require.NoError(t, err)
	paths = append(paths, models...)
	if len(paths) < 2 {
		t.Fatalf("expected the repo's GGUF files, found %v", paths)
	}
	return paths
}

func openT(t *testing.T, path string) *File {
	t.Helper()
	f, err := Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

// The expected values below were read from the file with an independent
// struct-based Python decoder, not with this package.
func TestOpenStories(t *testing.T) {
	f := openT(t, storiesPath)
	assert.Equal(t, uint32(3), f.Version)
	require.Len(t, f.KV, 22)
	assert.Len(t, f.Tensors, 47)
	assert.Equal(t, uint64(32), f.Alignment)
	assert.Equal(t, uint64(14240), f.DataOffset)
	assert.Equal(t, "general.architecture", f.KV[0].Key)
	assert.Equal(t, "tokenizer.ggml.add_eos_token", f.KV[21].Key)
	assert.Equal(t, "llama", must(f.String("general.architecture")))
	assert.Equal(t, "stories260K (karpathy/llama2.c)", must(f.String("general.name")))
	assert.Equal(t, uint64(512), must(f.Uint("llama.context_length")))
	assert.Equal(t, int64(172), must(f.Int("llama.feed_forward_length")))
	assert.Equal(t, 10000.0, must(f.Float("llama.rope.freq_base")))
	assert.Equal(t, float64(float32(1e-5)), must(f.Float("llama.attention.layer_norm_rms_epsilon")))
	assert.Equal(t, 5.0, must(f.Float("llama.block_count"))) // integers convert
	assert.True(t, must(f.Bool("tokenizer.ggml.add_bos_token")))
	assert.False(t, must(f.Bool("tokenizer.ggml.add_eos_token")))

	tokens := must(f.Strings("tokenizer.ggml.tokens"))
	scores := must(f.Float32s("tokenizer.ggml.scores"))
	types := must(f.Int32s("tokenizer.ggml.token_type"))
	require.Len(t, tokens, 512)
	require.Len(t, scores, 512)
	require.Len(t, types, 512)
	assert.Equal(t, []string{"<unk>", "<s>", "</s>", "<0x00>"}, tokens[:4])
	assert.Equal(t, []string{"▁ha", "▁S", "en", "an", "or"}, tokens[300:305])
	assert.Equal(t, float32(-41), scores[300])
	assert.Equal(t, float32(-45), scores[304])
	assert.Equal(t, int32(2), types[0])
	assert.Equal(t, int32(3), types[1])
	assert.Equal(t, int32(6), types[3])

	emb, ok := f.Tensor("token_embd.weight")
	require.True(t, ok, "token_embd.weight missing")
	assert.Equal(t, quant.F32, emb.Type)
	assert.Equal(t, []uint64{64, 512}, emb.Dims)
	assert.Equal(t, uint64(64*512), emb.Elements())
	assert.Equal(t, uint64(131072), emb.Bytes())
	checkFloats(t, f, "token_embd.weight", -0.29474878311157227, 0.5618956089019775, 0.1754225343465805, 0.34057360887527466)
	checkFloats(t, f, "blk.0.attn_norm.weight", 0.9722429513931274, 0.6754933595657349, 0.8203195333480835, 0.8715896606445312)
	checkFloats(t, f, "output_norm.weight", 2.4583089351654053, 1.3673226833343506, 1.7504382133483887, 1.1078318357467651)

	// The data section ends exactly at the file's end: every tensor padded to 32.
	end := uint64(0)
	for i := range f.Tensors {
		ti := &f.Tensors[i]
		if uint64(len(f.TensorData(ti))) != ti.Bytes() {
			t.Errorf("%s: TensorData length %d, want %d", ti.Name, len(f.TensorData(ti)), ti.Bytes())
		}
		end = max(end, (ti.Offset+ti.Bytes()+31)&^31)
	}
	assert.Equal(t, uint64(1054368), f.DataOffset+end)

	if _, ok := f.Tensor("no.such.tensor"); ok {
		t.Error("found a tensor that does not exist")
	}
}

func checkFloats(t *testing.T, f *File, name string, want ...float64) {
	t.Helper()
	ti, ok := f.Tensor(name)
	if !ok {
		t.Fatalf("tensor %s missing", name)
	}
	data := f.TensorData(ti)
	for i, w := range want {
		got := math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
		if got != float32(w) {
			t.Errorf("%s[%d] = %v, want %v", name, i, got, w)
		}
	}
}

func TestOpenVocabFiles(t *testing.T) {
	cases := []struct {
		file, model, firstTokens string
		nTokens, nMerges         int
	}{
		{"ggml-vocab-gpt-2.gguf", "gpt2", `!|"|#`, 50257, 50000},
		{"ggml-vocab-llama-bpe.gguf", "gpt2", `!|"|#`, 128256, 280147},
		{"ggml-vocab-llama-spm.gguf", "llama", "<unk>|<s>|</s>", 32000, 0},
		{"ggml-vocab-phi-3.gguf", "llama", "<unk>|<s>|</s>", 32064, 0},
		{"ggml-vocab-qwen2.gguf", "gpt2", `!|"|#`, 151936, 151387},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			f := openT(t, "../testdata/vocab/"+c.file)
			assert.Len(t, f.Tensors, 0)
			assert.Equal(t, c.model, must(f.String("tokenizer.ggml.model")))
			tokens := must(f.Strings("tokenizer.ggml.tokens"))
			assert.Len(t, tokens, c.nTokens)
			assert.Equal(t, c.firstTokens, strings.Join(tokens[:3], "|"))
			assert.Len(t, must(f.Int32s("tokenizer.ggml.token_type")), c.nTokens)
			merges, err := f.Strings("tokenizer.ggml.merges")
			if c.nMerges == 0 {
				assert.ErrorContains(t, err, `missing metadata key "tokenizer.ggml.merges"`)
			} else {
				require.NoError(t, err)
				assert.Len(t, merges, c.nMerges)
			}
		})
	}
}

func TestParseMatchesOpen(t *testing.T) {
	for _, path := range repoGGUFs(t) {
		data := readFileT(t, path)
		p, err := Parse(data)
		require.NoError(t, err)
		o := openT(t, path)
		if len(p.KV) != len(o.KV) || len(p.Tensors) != len(o.Tensors) || p.DataOffset != o.DataOffset {
			t.Errorf("%s: Parse and Open disagree", path)
		}
		if err := p.Close(); err != nil {
			t.Errorf("Close of a parsed file: %v", err)
		}
	}
}

func TestAccessorErrors(t *testing.T) {
	f := openT(t, storiesPath)
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"missing", second(f.String("nope")), `gguf: missing metadata key "nope"`},
		{"string of u32", second(f.String("llama.block_count")), `gguf: metadata key "llama.block_count" has type u32, want string`},
		{"uint of string", second(f.Uint("general.name")), `gguf: metadata key "general.name" has type string, want unsigned integer`},
		{"int of f32", second(f.Int("llama.rope.freq_base")), `gguf: metadata key "llama.rope.freq_base" has type f32, want integer`},
		{"float of bool", second(f.Float("tokenizer.ggml.add_bos_token")), `gguf: metadata key "tokenizer.ggml.add_bos_token" has type bool, want float`},
		{"bool of string", second(f.Bool("general.name")), `gguf: metadata key "general.name" has type string, want bool`},
		{"strings of f32s", second(f.Strings("tokenizer.ggml.scores")), `gguf: metadata key "tokenizer.ggml.scores" has type array of f32, want array of string`},
		{"float32s of strings", second(f.Float32s("tokenizer.ggml.tokens")), `gguf: metadata key "tokenizer.ggml.tokens" has type array of string, want array of f32`},
		{"int32s of scalar", second(f.Int32s("llama.block_count")), `gguf: metadata key "llama.block_count" has type u32, want array of i32`},
		{"int32s missing", second(f.Int32s("x")), `gguf: missing metadata key "x"`},
	}
	for _, c := range cases {
		assert.EqualError(t, c.err, c.want, c.name)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func second[T any](_ T, err error) error { return err }
