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
)

func (t KVType) String() string {
	switch t {
	case KVF32:
		return "f32"
	case KVF16:
		return "f16"
	}
	return fmt.Sprintf("KVType(%d)", int(t))
}

// Bytes is the size of one cached value.
func (t KVType) Bytes() int {
	if t == KVF16 {
		return 2
	}
	return 4
}

// ParseKVType reads a KV cache type as flags spell it: f32 or f16.
func ParseKVType(s string) (KVType, error) {
	switch s {
	case "f32", "":
		return KVF32, nil
	case "f16":
		return KVF16, nil
	}
	return 0, fmt.Errorf("KV cache type %q: want f32 or f16", s)
}
