package quant

import (
	"encoding/binary"
	"fmt"
	"math"
)

// rowQuantizer converts whole blocks: len(src) is a multiple of the block size
// and dst has exactly the bytes for them (checked by Quantize).
type rowQuantizer func(src []float32, dst []byte)

var quantizers = map[Type]rowQuantizer{
	F32: func(src []float32, dst []byte) {
		for i, v := range src {
			binary.LittleEndian.PutUint32(dst[4*i:], math.Float32bits(v))
		}
	},
	F16: func(src []float32, dst []byte) {
		for i, v := range src {
			binary.LittleEndian.PutUint16(dst[2*i:], F32ToF16(v))
		}
	},
	BF16: func(src []float32, dst []byte) {
		for i, v := range src {
			binary.LittleEndian.PutUint16(dst[2*i:], F32ToBF16(v))
		}
	},
	Q4_0: func(src []float32, dst []byte) {
		for i := range len(src) / QK {
			QuantBlockQ4_0((*[BlockBytesQ4_0]byte)(dst[i*BlockBytesQ4_0:]), (*[QK]float32)(src[i*QK:]))
		}
	},
	Q4_1: func(src []float32, dst []byte) {
		for i := range len(src) / QK {
			QuantBlockQ4_1((*[BlockBytesQ4_1]byte)(dst[i*BlockBytesQ4_1:]), (*[QK]float32)(src[i*QK:]))
		}
	},
	Q5_0: func(src []float32, dst []byte) {
		for i := range len(src) / QK {
			QuantBlockQ5_0((*[BlockBytesQ5_0]byte)(dst[i*BlockBytesQ5_0:]), (*[QK]float32)(src[i*QK:]))
		}
	},
	Q5_1: func(src []float32, dst []byte) {
		for i := range len(src) / QK {
			QuantBlockQ5_1((*[BlockBytesQ5_1]byte)(dst[i*BlockBytesQ5_1:]), (*[QK]float32)(src[i*QK:]))
		}
	},
	Q8_0: func(src []float32, dst []byte) {
		for i := range len(src) / QK {
			QuantBlockQ8_0((*[BlockBytesQ8_0]byte)(dst[i*BlockBytesQ8_0:]), (*[QK]float32)(src[i*QK:]))
		}
	},
	Q4_K: func(src []float32, dst []byte) {
		for i := range len(src) / QKK {
			QuantBlockQ4_K((*[BlockBytesQ4_K]byte)(dst[i*BlockBytesQ4_K:]), (*[QKK]float32)(src[i*QKK:]))
		}
	},
	Q5_K: func(src []float32, dst []byte) {
		for i := range len(src) / QKK {
			QuantBlockQ5_K((*[BlockBytesQ5_K]byte)(dst[i*BlockBytesQ5_K:]), (*[QKK]float32)(src[i*QKK:]))
		}
	},
	Q6_K: func(src []float32, dst []byte) {
		for i := range len(src) / QKK {
			QuantBlockQ6_K((*[BlockBytesQ6_K]byte)(dst[i*BlockBytesQ6_K:]), (*[QKK]float32)(src[i*QKK:]))
		}
	},
}

// CanQuantize reports whether Quantize supports t.
func CanQuantize(t Type) bool {
	_, ok := quantizers[t]
	return ok
}

// Quantize converts float32 values to type t and returns the encoded bytes.
// F32, F16 and BF16 are plain conversions; Q4_0, Q4_1, Q5_0, Q5_1 and Q8_0
// match ggml's reference quantisers bit for bit; Q4_K, Q5_K and Q6_K use the
// simpler range-covering quantiser described in quantize_k.go. len(src) must be
// a multiple of t.BlockSize().
func Quantize(t Type, src []float32) ([]byte, error) {
	f, ok := quantizers[t]
	if !ok {
		return nil, fmt.Errorf("tensor type %s is not supported for quantization", t)
	}
	n, err := t.RowBytes(len(src))
	if err != nil {
		return nil, fmt.Errorf("quantize: %w", err)
	}
	dst := make([]byte, n)
	f(src, dst)
	return dst, nil
}
