package nn

import (
	"fmt"

	"github.com/milp-lite/milp-lite/gguf"
)

// Config is a model's shape and numerical settings, from GGUF metadata.
type Config struct {
	Arch       string  // general.architecture: "llama" or "qwen2"
	Name       string  // general.name, if present
	ContextLen int     // the context the model was trained for
	Dim        int     // embedding width
	Layers     int     // transformer blocks
	FFNDim     int     // feed-forward hidden width
	Heads      int     // query heads
	KVHeads    int     // key/value heads (grouped-query attention when < Heads)
	HeadDim    int     // width of one head
	VocabSize  int     // rows of the token embedding
	NormEps    float32 // RMSNorm epsilon
	RopeBase   float64 // rotary base frequency
	RopeDims   int     // how many dimensions of each head rotate
	RopeNeoX   bool    // NeoX ordering (pairs i, i+d/2) rather than adjacent pairs
	RopeScale  float64 // linear position scaling (1 = none)
}

// Architectures the decoder implements, and whether each rotates NeoX-style.
// (llama GGUFs store Q and K permuted for adjacent-pair rotation; qwen2's are
// stored as trained, rotating halves.)
var architectures = map[string]bool{"llama": false, "qwen2": true}

// ConfigFromGGUF reads the hyper-parameters. A missing required key or an
// inconsistent shape is an error that names it.
func ConfigFromGGUF(f *gguf.File) (Config, error) {
	var c Config
	arch, err := f.String("general.architecture")
	if err != nil {
		return c, err
	}
	neox, ok := architectures[arch]
	if !ok {
		return c, fmt.Errorf("unsupported architecture %q (milp-lite runs llama and qwen2)", arch)
	}
	c.Arch, c.RopeNeoX = arch, neox
	c.Name, _ = f.String("general.name")

	required := []struct {
		key string
		dst *int
	}{
		{"context_length", &c.ContextLen},
		{"embedding_length", &c.Dim},
		{"block_count", &c.Layers},
		{"feed_forward_length", &c.FFNDim},
		{"attention.head_count", &c.Heads},
	}
	for _, r := range required {
		v, err := f.Uint(arch + "." + r.key)
		if err != nil {
			return c, err
		}
		if v == 0 || v > 1<<24 {
			return c, fmt.Errorf("metadata %s.%s = %d is out of range", arch, r.key, v)
		}
		*r.dst = int(v)
	}
	c.KVHeads = c.Heads
	if _, ok := f.Get(arch + ".attention.head_count_kv"); ok {
		v, err := f.Uint(arch + ".attention.head_count_kv")
		if err != nil {
			return c, err
		}
		c.KVHeads = int(v)
	}
	if c.KVHeads == 0 || c.Heads%c.KVHeads != 0 {
		return c, fmt.Errorf("metadata %s.attention.head_count_kv = %d does not divide head_count %d", arch, c.KVHeads, c.Heads)
	}
	if c.Dim%c.Heads != 0 {
		return c, fmt.Errorf("embedding_length %d is not a multiple of head_count %d", c.Dim, c.Heads)
	}
	c.HeadDim = c.Dim / c.Heads
	if _, ok := f.Get(arch + ".attention.key_length"); ok {
		if v, err := f.Uint(arch + ".attention.key_length"); err != nil || int(v) != c.HeadDim {
			return c, fmt.Errorf("metadata %s.attention.key_length differs from embedding_length/head_count = %d, which milp-lite does not support", arch, c.HeadDim)
		}
	}
	eps, err := f.Float(arch + ".attention.layer_norm_rms_epsilon")
	if err != nil {
		return c, err
	}
	c.NormEps = float32(eps)

	c.RopeBase = 10000
	if _, ok := f.Get(arch + ".rope.freq_base"); ok {
		if c.RopeBase, err = f.Float(arch + ".rope.freq_base"); err != nil {
			return c, err
		}
	}
	c.RopeDims = c.HeadDim
	if _, ok := f.Get(arch + ".rope.dimension_count"); ok {
		v, err := f.Uint(arch + ".rope.dimension_count")
		if err != nil {
			return c, err
		}
		c.RopeDims = int(v)
	}
	if c.RopeDims > c.HeadDim || c.RopeDims%2 != 0 {
		return c, fmt.Errorf("metadata %s.rope.dimension_count = %d does not fit head size %d", arch, c.RopeDims, c.HeadDim)
	}
	c.RopeScale = 1
	if typ, err := f.String(arch + ".rope.scaling.type"); err == nil && typ != "none" {
		if typ != "linear" {
			return c, fmt.Errorf("metadata %s.rope.scaling.type = %q is not supported (only linear)", arch, typ)
		}
		factor, err := f.Float(arch + ".rope.scaling.factor")
		if err != nil {
			return c, err
		}
		if factor > 0 {
			c.RopeScale = factor
		}
	}
	return c, nil
}

// QDim is the width of all query heads together, KVDim of all key/value heads.
func (c *Config) QDim() int  { return c.Heads * c.HeadDim }
func (c *Config) KVDim() int { return c.KVHeads * c.HeadDim }
