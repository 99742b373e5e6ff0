package nn

import "fmt"

// KVType is how a State stores its KV cache.
type KVType int

const (
	// KVF32 keeps keys and values as computed: the default, whose results
	// every golden test pins.
	KVF32 KVType = iota
	// KVF16 rounds them to IEEE half precision (to nearest even) as they are
	// written, as llama.cpp does by default: half the memory, and half the
	// bytes attention reads per token deep into a conversation.
	KVF16
	// KVQ8 stores each KV head's row of a position as signed bytes and one
	// float32 scale (kernels.QuantizeRowsQ8): 68 bytes a row of 64 where
	// halves take 128, about llama.cpp's q8_0 cache, with one scale per row
	// instead of per 32 values.
	KVQ8
)

func (t KVType) String() string {
	switch t {
	case KVF32:
		return "f32"
	case KVF16:
		return "f16"
	case KVQ8:
		return "q8"
	}
	return fmt.Sprintf("KVType(%d)", int(t))
}

// RowBytes is the size of one KV head's keys (or values) at one position.
func (t KVType) RowBytes(headDim int) int {
	switch t {
	case KVF16:
		return 2 * headDim
	case KVQ8:
		return headDim + 4
	}
	return 4 * headDim
}

// PositionBytes is what one position takes in c's cache: its keys and
// values in every layer.
func (t KVType) PositionBytes(c *Config) int64 {
	return int64(c.Layers) * 2 * int64(c.KVHeads) * int64(t.RowBytes(c.HeadDim))
}

// ParseKVType reads a KV cache type as flags spell it: f32, f16 or q8.
func ParseKVType(s string) (KVType, error) {
	switch s {
	case "f32", "":
		return KVF32, nil
	case "f16":
		return KVF16, nil
	case "q8":
		return KVQ8, nil
	}
	return 0, fmt.Errorf("KV cache type %q: want f32, f16 or q8", s)
}

func (t KVType) valid() bool { return t == KVF32 || t == KVF16 || t == KVQ8 }
