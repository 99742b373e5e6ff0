// Package quant defines ggml's tensor types: their ids, their block layouts and
// sizes, and conversion between each type and float32. It is the one place that
// knows how a block of a quantised tensor is laid out; the gguf reader uses it to
// size tensor data and the kernels use it to compute with the blocks.
package quant

import "fmt"

// Type is a ggml tensor type id, as stored in a GGUF tensor info.
type Type uint32

// The ggml type ids. Gaps are ids ggml has retired.
const (
	F32     Type = 0
	F16     Type = 1
	Q4_0    Type = 2
	Q4_1    Type = 3
	Q5_0    Type = 6
	Q5_1    Type = 7
	Q8_0    Type = 8
	Q8_1    Type = 9
	Q2_K    Type = 10
	Q3_K    Type = 11
	Q4_K    Type = 12
	Q5_K    Type = 13
	Q6_K    Type = 14
	Q8_K    Type = 15
	IQ2_XXS Type = 16
	IQ2_XS  Type = 17
	IQ3_XXS Type = 18
	IQ1_S   Type = 19
	IQ4_NL  Type = 20
	IQ3_S   Type = 21
	IQ2_S   Type = 22
	IQ4_XS  Type = 23
	I8      Type = 24
	I16     Type = 25
	I32     Type = 26
	I64     Type = 27
	F64     Type = 28
	IQ1_M   Type = 29
	BF16    Type = 30
	TQ1_0   Type = 34
	TQ2_0   Type = 35
	MXFP4   Type = 39
)

// QK is the number of values in a block of the 32-wide formats; QKK of the
// 256-wide "K" super-block formats.
const (
	QK  = 32
	QKK = 256
)

// layout is a type's name, how many values one block holds and how many bytes
// that block takes.
type layout struct {
	name       string
	blockSize  int
	blockBytes int
}

var layouts = map[Type]layout{
	F32: {"F32", 1, 4}, F16: {"F16", 1, 2}, BF16: {"BF16", 1, 2}, F64: {"F64", 1, 8},
	I8: {"I8", 1, 1}, I16: {"I16", 1, 2}, I32: {"I32", 1, 4}, I64: {"I64", 1, 8},
	Q4_0: {"Q4_0", QK, 18}, Q4_1: {"Q4_1", QK, 20}, Q5_0: {"Q5_0", QK, 22}, Q5_1: {"Q5_1", QK, 24},
	Q8_0: {"Q8_0", QK, 34}, Q8_1: {"Q8_1", QK, 36},
	Q2_K: {"Q2_K", QKK, 84}, Q3_K: {"Q3_K", QKK, 110}, Q4_K: {"Q4_K", QKK, 144},
	Q5_K: {"Q5_K", QKK, 176}, Q6_K: {"Q6_K", QKK, 210}, Q8_K: {"Q8_K", QKK, 292},
	IQ2_XXS: {"IQ2_XXS", QKK, 66}, IQ2_XS: {"IQ2_XS", QKK, 74}, IQ2_S: {"IQ2_S", QKK, 82},
	IQ3_XXS: {"IQ3_XXS", QKK, 98}, IQ3_S: {"IQ3_S", QKK, 110},
	IQ1_S: {"IQ1_S", QKK, 50}, IQ1_M: {"IQ1_M", QKK, 56},
	IQ4_NL: {"IQ4_NL", QK, 18}, IQ4_XS: {"IQ4_XS", QKK, 136},
	TQ1_0: {"TQ1_0", QKK, 54}, TQ2_0: {"TQ2_0", QKK, 66}, MXFP4: {"MXFP4", QK, 17},
}

// Known reports whether t is a ggml type id whose layout is known.
func (t Type) Known() bool { _, ok := layouts[t]; return ok }

// String is ggml's name for the type, or "type(N)" for an unknown id.
func (t Type) String() string {
	if l, ok := layouts[t]; ok {
		return l.name
	}
	return fmt.Sprintf("type(%d)", uint32(t))
}

// BlockSize is the number of values in one block (1 for plain types).
// It is 0 for an unknown type.
func (t Type) BlockSize() int { return layouts[t].blockSize }

// BlockBytes is the size in bytes of one block. It is 0 for an unknown type.
func (t Type) BlockBytes() int { return layouts[t].blockBytes }

// RowBytes is the size in bytes of n consecutive values, or an error when n is
// not a whole number of blocks or the type is unknown.
func (t Type) RowBytes(n int) (int, error) {
	l, ok := layouts[t]
	if !ok {
		return 0, fmt.Errorf("unknown tensor type %s", t)
	}
	if n < 0 || n%l.blockSize != 0 {
		return 0, fmt.Errorf("%s: %d values is not a whole number of %d-value blocks", l.name, n, l.blockSize)
	}
	return n / l.blockSize * l.blockBytes, nil
}

// TypeByName returns the type with ggml's name (case-sensitive, e.g. "Q4_K").
func TypeByName(name string) (Type, bool) {
	for t, l := range layouts {
		if l.name == name {
			return t, true
		}
	}
	return 0, false
}
