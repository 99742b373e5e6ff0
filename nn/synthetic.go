package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/quant"
)

// Shape is the architecture of a model to synthesise: the shapes of real
// models with random weights, for tests and benchmarks that need a model
// larger than the embedded one without a download.
type Shape struct {
	Name      string
	Arch      string // "llama" or "qwen2"
	Dim       int
	Layers    int
	Heads     int
	KVHeads   int
	FFNDim    int
	Vocab     int // at least 259: <unk>, <s>, </s> and the 256 byte tokens
	Context   int
	Tied      bool    // no output.weight: the embedding doubles as the output
	RopeBase  float64 // 0: 10000
	RopeFreqs bool    // add a Llama 3 style rope_freqs.weight
}

// Shapes of real models, for the benchmark suite and large tests.
var (
	ShapeStories15M   = Shape{Name: "stories15M", Arch: "llama", Dim: 288, Layers: 6, Heads: 6, KVHeads: 6, FFNDim: 768, Vocab: 32000, Context: 256}
	ShapeSmolLM2_135M = Shape{Name: "SmolLM2-135M", Arch: "llama", Dim: 576, Layers: 30, Heads: 9, KVHeads: 3, FFNDim: 1536, Vocab: 49152, Context: 8192, Tied: true, RopeBase: 100000}
	ShapeQwen25_05B   = Shape{Name: "Qwen2.5-0.5B", Arch: "qwen2", Dim: 896, Layers: 24, Heads: 14, KVHeads: 2, FFNDim: 4864, Vocab: 151936, Context: 32768, Tied: true, RopeBase: 1000000}
	ShapeTinyLlama11B = Shape{Name: "TinyLlama-1.1B", Arch: "llama", Dim: 2048, Layers: 22, Heads: 32, KVHeads: 4, FFNDim: 5632, Vocab: 32000, Context: 2048}
)

// Synthesize builds a GGUF of the given shape with deterministic random
// weights (from seed), matrices stored as typ and vectors as F32, and a
// SentencePiece-style vocabulary of byte tokens and filler pieces.
func Synthesize(s Shape, typ quant.Type, seed uint64) (*gguf.Builder, error) {
	if s.Vocab < 259 {
		return nil, fmt.Errorf("synthetic vocabulary of %d tokens is smaller than the 259 it needs", s.Vocab)
	}
	if !quant.CanQuantize(typ) {
		return nil, fmt.Errorf("cannot write weights as %s", typ)
	}
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	b := gguf.NewBuilder()
	a := s.Arch
	base := s.RopeBase
	if base == 0 {
		base = 10000
	}
	b.Set("general.architecture", gguf.Str(a))
	b.Set("general.name", gguf.Str(s.Name+" (synthetic)"))
	b.Set(a+".context_length", gguf.U32(uint32(s.Context)))
	b.Set(a+".embedding_length", gguf.U32(uint32(s.Dim)))
	b.Set(a+".block_count", gguf.U32(uint32(s.Layers)))
	b.Set(a+".feed_forward_length", gguf.U32(uint32(s.FFNDim)))
	b.Set(a+".attention.head_count", gguf.U32(uint32(s.Heads)))
	b.Set(a+".attention.head_count_kv", gguf.U32(uint32(s.KVHeads)))
	b.Set(a+".attention.layer_norm_rms_epsilon", gguf.F32(1e-5))
	b.Set(a+".rope.freq_base", gguf.F32(float32(base)))
	setSyntheticVocab(b, s.Vocab)

	headDim := s.Dim / s.Heads
	kvDim := s.KVHeads * headDim
	w := &synthWriter{b: b, rng: rng, typ: typ}
	w.matrix("token_embd.weight", s.Vocab, s.Dim, 1)
	w.vector("output_norm.weight", s.Dim, 1, 0.1)
	if !s.Tied {
		w.matrix("output.weight", s.Vocab, s.Dim, 1/math.Sqrt(float64(s.Dim)))
	}
	if s.RopeFreqs {
		w.vector("rope_freqs.weight", headDim/2, 2, 1)
	}
	for l := 0; l < s.Layers; l++ {
		name := func(t string) string { return fmt.Sprintf("blk.%d.%s", l, t) }
		in, ffn := 1/math.Sqrt(float64(s.Dim)), 1/math.Sqrt(float64(s.FFNDim))
		w.vector(name("attn_norm.weight"), s.Dim, 1, 0.1)
		w.matrix(name("attn_q.weight"), s.Dim, s.Dim, in)
		w.matrix(name("attn_k.weight"), kvDim, s.Dim, in)
		w.matrix(name("attn_v.weight"), kvDim, s.Dim, in)
		if s.Arch == "qwen2" {
			w.vector(name("attn_q.bias"), s.Dim, 0, 0.1)
			w.vector(name("attn_k.bias"), kvDim, 0, 0.1)
			w.vector(name("attn_v.bias"), kvDim, 0, 0.1)
		}
		w.matrix(name("attn_output.weight"), s.Dim, s.Dim, in)
		w.vector(name("ffn_norm.weight"), s.Dim, 1, 0.1)
		w.matrix(name("ffn_gate.weight"), s.FFNDim, s.Dim, in)
		w.matrix(name("ffn_up.weight"), s.FFNDim, s.Dim, in)
		w.matrix(name("ffn_down.weight"), s.Dim, s.FFNDim, ffn)
	}
	if w.err != nil {
		return nil, w.err
	}
	return b, nil
}

// setSyntheticVocab writes a SentencePiece vocabulary: the three specials, the
// 256 byte-fallback tokens, then filler pieces that never match real text.
func setSyntheticVocab(b *gguf.Builder, n int) {
	tokens := make([]string, n)
	scores := make([]float32, n)
	types := make([]int32, n)
	tokens[0], tokens[1], tokens[2] = "<unk>", "<s>", "</s>"
	types[0], types[1], types[2] = 2, 3, 3
	for i := 0; i < 256; i++ {
		tokens[3+i] = fmt.Sprintf("<0x%02X>", i)
		types[3+i] = 6
	}
	for i := 259; i < n; i++ {
		tokens[i] = fmt.Sprintf("▁tok%d", i)
		scores[i] = -float32(i)
		types[i] = 1
	}
	b.Set("tokenizer.ggml.model", gguf.Str("llama"))
	b.Set("tokenizer.ggml.tokens", gguf.StringArray(tokens))
	b.Set("tokenizer.ggml.scores", gguf.Float32Array(scores))
	b.Set("tokenizer.ggml.token_type", gguf.Int32Array(types))
	b.Set("tokenizer.ggml.bos_token_id", gguf.U32(1))
	b.Set("tokenizer.ggml.eos_token_id", gguf.U32(2))
	b.Set("tokenizer.ggml.unknown_token_id", gguf.U32(0))
}

type synthWriter struct {
	b   *gguf.Builder
	rng *rand.Rand
	typ quant.Type
	err error
}

// matrix adds a rows×cols matrix of uniform values in ±scale·√3 (standard
// deviation scale), stored as the writer's type.
func (w *synthWriter) matrix(name string, rows, cols int, scale float64) {
	vals := make([]float32, rows*cols)
	for i := range vals {
		vals[i] = float32((w.rng.Float64()*2 - 1) * scale * math.Sqrt(3))
	}
	w.add(name, w.typ, []uint64{uint64(cols), uint64(rows)}, vals)
}

// vector adds an F32 vector of values mean ± spread.
func (w *synthWriter) vector(name string, n int, mean, spread float64) {
	vals := make([]float32, n)
	for i := range vals {
		vals[i] = float32(mean + (w.rng.Float64()*2-1)*spread)
	}
	w.add(name, quant.F32, []uint64{uint64(n)}, vals)
}

func (w *synthWriter) add(name string, typ quant.Type, dims []uint64, vals []float32) {
	if w.err != nil {
		return
	}
	data, err := quant.Quantize(typ, vals)
	if err == nil {
		err = w.b.AddTensor(name, typ, dims, data)
	}
	if err != nil {
		w.err = fmt.Errorf("%s: %w", name, err)
	}
}
