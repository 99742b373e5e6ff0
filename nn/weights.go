package nn

import (
	"fmt"

	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/kernels"
	"github.com/milp-lite/milp-lite/quant"
)

// Weights are a model's tensors. Matrices reference the GGUF's mapped bytes in
// their stored type; the small vectors (norms, biases) are expanded to float32.
type Weights struct {
	TokenEmbd  *kernels.Matrix // VocabSize rows of Dim
	OutputNorm []float32
	Output     *kernels.Matrix // the token embedding itself when the model ties them
	RopeFreqs  []float32       // Llama 3 per-frequency divisors, or nil
	Layers     []LayerWeights
}

// LayerWeights are one transformer block's tensors, in the order the forward
// pass uses them.
type LayerWeights struct {
	AttnNorm       []float32
	Wq, Wk, Wv, Wo *kernels.Matrix
	Bq, Bk, Bv     []float32 // qwen2's projection biases, nil for llama
	FFNNorm        []float32
	Gate, Up, Down *kernels.Matrix
}

// loadWeights finds every tensor the configuration needs and checks its shape.
func loadWeights(f *gguf.File, c *Config) (*Weights, error) {
	if err := checkBlocksHeld(f, c); err != nil {
		return nil, err
	}
	ld := &loader{f: f}
	w := &Weights{Layers: make([]LayerWeights, c.Layers)}
	w.TokenEmbd = ld.matrix("token_embd.weight", -1, c.Dim)
	if ld.err != nil {
		return nil, ld.err
	}
	c.VocabSize = w.TokenEmbd.Rows
	if c.VocabSize > maxVocab {
		return nil, fmt.Errorf("tensor \"token_embd.weight\" has %d rows, more than the %d tokens a vocabulary may have", c.VocabSize, maxVocab)
	}
	w.OutputNorm = ld.vector("output_norm.weight", c.Dim, true)
	w.Output = w.TokenEmbd // tied embeddings, unless the file has its own
	if _, ok := f.Tensor("output.weight"); ok {
		w.Output = ld.matrix("output.weight", c.VocabSize, c.Dim)
	}
	w.RopeFreqs = ld.vector("rope_freqs.weight", c.RopeDims/2, false)
	bias := c.Arch == "qwen2"
	for i := range w.Layers {
		l := &w.Layers[i]
		name := func(s string) string { return fmt.Sprintf("blk.%d.%s", i, s) }
		l.AttnNorm = ld.vector(name("attn_norm.weight"), c.Dim, true)
		l.Wq = ld.matrix(name("attn_q.weight"), c.QDim(), c.Dim)
		l.Wk = ld.matrix(name("attn_k.weight"), c.KVDim(), c.Dim)
		l.Wv = ld.matrix(name("attn_v.weight"), c.KVDim(), c.Dim)
		l.Wo = ld.matrix(name("attn_output.weight"), c.Dim, c.QDim())
		l.Bq = ld.vector(name("attn_q.bias"), c.QDim(), bias)
		l.Bk = ld.vector(name("attn_k.bias"), c.KVDim(), bias)
		l.Bv = ld.vector(name("attn_v.bias"), c.KVDim(), bias)
		l.FFNNorm = ld.vector(name("ffn_norm.weight"), c.Dim, true)
		l.Gate = ld.matrix(name("ffn_gate.weight"), c.FFNDim, c.Dim)
		l.Up = ld.matrix(name("ffn_up.weight"), c.FFNDim, c.Dim)
		l.Down = ld.matrix(name("ffn_down.weight"), c.Dim, c.FFNDim)
	}
	if ld.err != nil {
		return nil, ld.err
	}
	return w, nil
}

// Tensors every model has outside its blocks (token_embd, output_norm), and
// in each block (norms, q/k/v/o, gate/up/down; qwen2 adds three biases).
const (
	globalTensors   = 2
	tensorsPerBlock = 9
	biasesPerBlock  = 3
)

// checkBlocksHeld compares the block count the metadata promises with the
// tensors the file holds, before anything is allocated per block.
func checkBlocksHeld(f *gguf.File, c *Config) error {
	perBlock := tensorsPerBlock
	if c.Arch == "qwen2" {
		perBlock += biasesPerBlock
	}
	if need := globalTensors + perBlock*c.Layers; len(f.Tensors) < need {
		return fmt.Errorf("metadata %s.block_count = %d promises at least %d tensors, the file holds %d", c.Arch, c.Layers, need, len(f.Tensors))
	}
	last := fmt.Sprintf("blk.%d.attn_norm.weight", c.Layers-1)
	if _, ok := f.Tensor(last); !ok {
		return fmt.Errorf("metadata %s.block_count = %d, but the file's tensors have no %q", c.Arch, c.Layers, last)
	}
	return nil
}

// loader reads tensors by name and keeps the first error, so that a list of
// loads reads straight and is checked once.
type loader struct {
	f   *gguf.File
	err error
}

// matrix returns the named 2-D tensor as rows×cols (rows < 0: any number).
func (ld *loader) matrix(name string, rows, cols int) *kernels.Matrix {
	if ld.err != nil {
		return nil
	}
	t, ok := ld.f.Tensor(name)
	if !ok {
		ld.err = fmt.Errorf("missing tensor %q", name)
		return nil
	}
	if len(t.Dims) != 2 || int(t.Dims[0]) != cols || (rows >= 0 && int(t.Dims[1]) != rows) {
		want := fmt.Sprintf("[%d %d]", cols, rows)
		if rows < 0 {
			want = fmt.Sprintf("[%d n]", cols)
		}
		ld.err = fmt.Errorf("tensor %q has shape %v, want %s", name, t.Dims, want)
		return nil
	}
	m, err := kernels.NewMatrix(t.Type, int(t.Dims[1]), int(t.Dims[0]), ld.f.TensorData(t))
	if err != nil {
		ld.err = fmt.Errorf("tensor %q: %w", name, err)
	}
	return m
}

// vector returns the named 1-D tensor as float32, or nil when it is absent and
// not required.
func (ld *loader) vector(name string, n int, required bool) []float32 {
	if ld.err != nil {
		return nil
	}
	t, ok := ld.f.Tensor(name)
	if !ok {
		if required {
			ld.err = fmt.Errorf("missing tensor %q", name)
		}
		return nil
	}
	if len(t.Dims) != 1 || int(t.Dims[0]) != n {
		ld.err = fmt.Errorf("tensor %q has shape %v, want [%d]", name, t.Dims, n)
		return nil
	}
	out := make([]float32, n)
	if err := quant.Dequantize(t.Type, ld.f.TensorData(t), out); err != nil {
		ld.err = fmt.Errorf("tensor %q: %w", name, err)
	}
	return out
}
