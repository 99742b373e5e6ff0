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
		return c, fmt.Errorf("unsupported architecture %s (milp-lite runs llama and qwen2)", gguf.Quote(arch))
	}
	c.Arch, c.RopeNeoX = arch, neox
	c.Name, _ = f.String("general.name")

	a := arch + "."
	required := []struct {
		key     string
		dst     *int
		lo, max int
	}{
		{"context_length", &c.ContextLen, 1, maxContext},
		{"embedding_length", &c.Dim, 1, maxDim},
		{"block_count", &c.Layers, 1, maxLayers},
		{"feed_forward_length", &c.FFNDim, 1, maxFFNDim},
		{"attention.head_count", &c.Heads, 1, maxHeads},
	}
	for _, r := range required {
		if *r.dst, err = uintIn(f, a+r.key, r.lo, r.max); err != nil {
			return c, err
		}
	}
	if experts, err := optionalUintIn(f, a+"expert_count", 0, maxHeads, 0); err != nil {
		return c, err
	} else if experts > 1 {
		return c, fmt.Errorf("metadata %sexpert_count = %d: mixture-of-experts models are not supported", a, experts)
	}
	if c.KVHeads, err = optionalUintIn(f, a+"attention.head_count_kv", 1, c.Heads, c.Heads); err != nil {
		return c, err
	}
	if c.Heads%c.KVHeads != 0 {
		return c, fmt.Errorf("metadata %sattention.head_count_kv = %d does not divide head_count %d", a, c.KVHeads, c.Heads)
	}
	if c.Dim%c.Heads != 0 {
		return c, fmt.Errorf("metadata %sembedding_length %d is not a multiple of head_count %d", a, c.Dim, c.Heads)
	}
	c.HeadDim = c.Dim / c.Heads
	// milp-lite's attention assumes keys and values as wide as a query head.
	for _, key := range []string{"attention.key_length", "attention.value_length"} {
		n, err := optionalUintIn(f, a+key, 1, maxDim, c.HeadDim)
		if err != nil {
			return c, err
		}
		if n != c.HeadDim {
			return c, fmt.Errorf("metadata %s%s = %d differs from embedding_length/head_count = %d, which milp-lite does not support", a, key, n, c.HeadDim)
		}
	}
	eps, err := floatIn(f, a+"attention.layer_norm_rms_epsilon", 0, maxEps)
	if err != nil {
		return c, err
	}
	c.NormEps = float32(eps)
	if c.RopeBase, err = optionalFloatIn(f, a+"rope.freq_base", 0, maxRopeFrq, 10000); err != nil {
		return c, err
	}
	if c.RopeDims, err = optionalUintIn(f, a+"rope.dimension_count", 2, c.HeadDim, c.HeadDim); err != nil {
		return c, err
	}
	if c.RopeDims%2 != 0 {
		return c, fmt.Errorf("metadata %srope.dimension_count = %d is odd (dimensions rotate in pairs; head size %d)", a, c.RopeDims, c.HeadDim)
	}
	c.RopeScale = 1
	if typ, err := f.String(a + "rope.scaling.type"); err == nil && typ != "none" {
		if typ != "linear" {
			return c, fmt.Errorf("metadata %srope.scaling.type = %s is not supported (only linear)", a, gguf.Quote(typ))
		}
		// A factor of 0 means "not set", as in llama.cpp.
		if factor, err := f.Float(a + "rope.scaling.factor"); err != nil {
			return c, err
		} else if factor != 0 {
			if c.RopeScale, err = floatIn(f, a+"rope.scaling.factor", 0, maxRopeScl); err != nil {
				return c, err
			}
		}
	}
	return c, nil
}

// QDim is the width of all query heads together, KVDim of all key/value heads.
func (c *Config) QDim() int  { return c.Heads * c.HeadDim }
func (c *Config) KVDim() int { return c.KVHeads * c.HeadDim }
