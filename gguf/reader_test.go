package gguf

import (
	"encoding/binary"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/milp-lite/milp-lite/quant"
)

const storiesPath = "../models/stories260K.gguf"

// repoGGUFs lists every GGUF file shipped with the repository.
func repoGGUFs(t testing.TB) []string {
	t.Helper()
	paths, err := filepath.Glob("../testdata/vocab/*.gguf")
	if err != nil {
		t.Fatal(err)
	}
	models, err := filepath.Glob("../models/*.gguf")
	if err != nil {
		t.Fatal(err)
	}
	paths = append(paths, models...)
	if len(paths) < 2 {
		t.Fatalf("expected the repo's GGUF files, found %v", paths)
	}
	return paths
}

func openT(t *testing.T, path string) *File {
	t.Helper()
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// The expected values below were read from the file with an independent
// struct-based Python decoder, not with this package.
func TestOpenStories(t *testing.T) {
	f := openT(t, storiesPath)
	if f.Version != 3 || len(f.KV) != 22 || len(f.Tensors) != 47 || f.Alignment != 32 || f.DataOffset != 14240 {
		t.Fatalf("header: v%d kv=%d tensors=%d align=%d dataoff=%d", f.Version, len(f.KV), len(f.Tensors), f.Alignment, f.DataOffset)
	}
	if f.KV[0].Key != "general.architecture" || f.KV[21].Key != "tokenizer.ggml.add_eos_token" {
		t.Errorf("KV order: first %q last %q", f.KV[0].Key, f.KV[21].Key)
	}
	mustEq(t, must(f.String("general.architecture")), "llama")
	mustEq(t, must(f.String("general.name")), "stories260K (karpathy/llama2.c)")
	mustEq(t, must(f.Uint("llama.context_length")), uint64(512))
	mustEq(t, must(f.Int("llama.feed_forward_length")), int64(172))
	mustEq(t, must(f.Float("llama.rope.freq_base")), 10000.0)
	mustEq(t, must(f.Float("llama.attention.layer_norm_rms_epsilon")), float64(float32(1e-5)))
	mustEq(t, must(f.Float("llama.block_count")), 5.0) // integers convert
	mustEq(t, must(f.Bool("tokenizer.ggml.add_bos_token")), true)
	mustEq(t, must(f.Bool("tokenizer.ggml.add_eos_token")), false)

	tokens := must(f.Strings("tokenizer.ggml.tokens"))
	scores := must(f.Float32s("tokenizer.ggml.scores"))
	types := must(f.Int32s("tokenizer.ggml.token_type"))
	if len(tokens) != 512 || len(scores) != 512 || len(types) != 512 {
		t.Fatalf("vocab lengths %d %d %d", len(tokens), len(scores), len(types))
	}
	mustEq(t, strings.Join(tokens[:4], "|"), "<unk>|<s>|</s>|<0x00>")
	mustEq(t, strings.Join(tokens[300:305], "|"), "▁ha|▁S|en|an|or")
	mustEq(t, scores[300], float32(-41))
	mustEq(t, scores[304], float32(-45))
	mustEq(t, types[0], int32(2))
	mustEq(t, types[1], int32(3))
	mustEq(t, types[3], int32(6))

	emb, ok := f.Tensor("token_embd.weight")
	if !ok {
		t.Fatal("token_embd.weight missing")
	}
	if emb.Type != quant.F32 || len(emb.Dims) != 2 || emb.Dims[0] != 64 || emb.Dims[1] != 512 || emb.Elements() != 64*512 || emb.Bytes() != 131072 {
		t.Fatalf("token_embd.weight: %+v elements=%d bytes=%d", emb, emb.Elements(), emb.Bytes())
	}
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
	mustEq(t, f.DataOffset+end, uint64(1054368))

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
			mustEq(t, len(f.Tensors), 0)
			mustEq(t, must(f.String("tokenizer.ggml.model")), c.model)
			tokens := must(f.Strings("tokenizer.ggml.tokens"))
			mustEq(t, len(tokens), c.nTokens)
			mustEq(t, strings.Join(tokens[:3], "|"), c.firstTokens)
			mustEq(t, len(must(f.Int32s("tokenizer.ggml.token_type"))), c.nTokens)
			merges, err := f.Strings("tokenizer.ggml.merges")
			if c.nMerges == 0 {
				if err == nil || !strings.Contains(err.Error(), `missing metadata key "tokenizer.ggml.merges"`) {
					t.Errorf("merges: want a missing-key error, got %v", err)
				}
			} else {
				mustEq(t, err, nil)
				mustEq(t, len(merges), c.nMerges)
			}
		})
	}
}

func TestParseMatchesOpen(t *testing.T) {
	for _, path := range repoGGUFs(t) {
		data := readFileT(t, path)
		p, err := Parse(data)
		if err != nil {
			t.Fatal(err)
		}
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
		if c.err == nil || c.err.Error() != c.want {
			t.Errorf("%s: got %v, want %s", c.name, c.err, c.want)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func second[T any](_ T, err error) error { return err }

func mustEq[T comparable](t *testing.T, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}
