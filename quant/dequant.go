package quant

import (
	"encoding/binary"
	"fmt"
)

// Design: each format has an exported per-block routine,
// DequantBlock<Type>(dst *[n]float32, b *[BlockBytes<Type>]byte), which the
// kernels can call directly on one block (array pointers make the sizes part of
// the type, so a block routine cannot be handed a short slice). Dequantize
// checks lengths once and then walks the blocks with those routines.
// Products and sums are evaluated in float32 in ggml's order, and a product
// that is then added is rounded first (explicit float32 conversion) so that no
// platform fuses it into an FMA: results are bit-identical to ggml's reference
// C built without FMA contraction.

// rowDequantizer converts whole blocks: len(dst) is a multiple of the block
// size and src holds exactly the bytes for them (checked by Dequantize).
type rowDequantizer func(src []byte, dst []float32)

var dequantizers = map[Type]rowDequantizer{
	F32:  dequantRowF32,
	F16:  dequantRowF16,
	BF16: dequantRowBF16,
	Q4_0: func(src []byte, dst []float32) {
		for i := range len(dst) / QK {
			DequantBlockQ4_0((*[QK]float32)(dst[i*QK:]), (*[BlockBytesQ4_0]byte)(src[i*BlockBytesQ4_0:]))
		}
	},
	Q4_1: func(src []byte, dst []float32) {
		for i := range len(dst) / QK {
			DequantBlockQ4_1((*[QK]float32)(dst[i*QK:]), (*[BlockBytesQ4_1]byte)(src[i*BlockBytesQ4_1:]))
		}
	},
	Q5_0: func(src []byte, dst []float32) {
		for i := range len(dst) / QK {
			DequantBlockQ5_0((*[QK]float32)(dst[i*QK:]), (*[BlockBytesQ5_0]byte)(src[i*BlockBytesQ5_0:]))
		}
	},
	Q5_1: func(src []byte, dst []float32) {
		for i := range len(dst) / QK {
			DequantBlockQ5_1((*[QK]float32)(dst[i*QK:]), (*[BlockBytesQ5_1]byte)(src[i*BlockBytesQ5_1:]))
		}
	},
	Q8_0: func(src []byte, dst []float32) {
		for i := range len(dst) / QK {
			DequantBlockQ8_0((*[QK]float32)(dst[i*QK:]), (*[BlockBytesQ8_0]byte)(src[i*BlockBytesQ8_0:]))
		}
	},
	Q2_K: func(src []byte, dst []float32) {
		for i := range len(dst) / QKK {
			DequantBlockQ2_K((*[QKK]float32)(dst[i*QKK:]), (*[BlockBytesQ2_K]byte)(src[i*BlockBytesQ2_K:]))
		}
	},
	Q3_K: func(src []byte, dst []float32) {
		for i := range len(dst) / QKK {
			DequantBlockQ3_K((*[QKK]float32)(dst[i*QKK:]), (*[BlockBytesQ3_K]byte)(src[i*BlockBytesQ3_K:]))
		}
	},
	Q4_K: func(src []byte, dst []float32) {
		for i := range len(dst) / QKK {
			DequantBlockQ4_K((*[QKK]float32)(dst[i*QKK:]), (*[BlockBytesQ4_K]byte)(src[i*BlockBytesQ4_K:]))
		}
	},
	Q5_K: func(src []byte, dst []float32) {
		for i := range len(dst) / QKK {
			DequantBlockQ5_K((*[QKK]float32)(dst[i*QKK:]), (*[BlockBytesQ5_K]byte)(src[i*BlockBytesQ5_K:]))
		}
	},
	Q6_K: func(src []byte, dst []float32) {
		for i := range len(dst) / QKK {
			DequantBlockQ6_K((*[QKK]float32)(dst[i*QKK:]), (*[BlockBytesQ6_K]byte)(src[i*BlockBytesQ6_K:]))
		}
	},
	Q8_K: func(src []byte, dst []float32) {
		for i := range len(dst) / QKK {
			DequantBlockQ8_K((*[QKK]float32)(dst[i*QKK:]), (*[BlockBytesQ8_K]byte)(src[i*BlockBytesQ8_K:]))
		}
	},
}

// CanDequantize reports whether Dequantize supports t.
func CanDequantize(t Type) bool {
	_, ok := dequantizers[t]
	return ok
}

// Dequantize converts n = len(dst) values of type t stored in src to float32,
// exactly as ggml's dequantize_row_* functions do. len(dst) must be a multiple
// of t.BlockSize() and src must hold exactly the bytes for them; otherwise, or
// when t is not supported, it returns an error and leaves dst unspecified.
func Dequantize(t Type, src []byte, dst []float32) error {
	f, ok := dequantizers[t]
	if !ok {
		return fmt.Errorf("tensor type %s is not supported", t)
	}
	want, err := t.RowBytes(len(dst))
	if err != nil {
		return fmt.Errorf("dequantize: %w", err)
	}
	if len(src) != want {
		return fmt.Errorf("dequantize %s: %d values take %d bytes, got %d", t, len(dst), want, len(src))
	}
	f(src, dst)
	return nil
}

func dequantRowF32(src []byte, dst []float32) {
	for i := range dst {
		dst[i] = f32At(src[4*i:])
	}
}

func dequantRowF16(src []byte, dst []float32) {
	for i := range dst {
		dst[i] = F16ToF32(binary.LittleEndian.Uint16(src[2*i:]))
	}
}

func dequantRowBF16(src []byte, dst []float32) {
	for i := range dst {
		dst[i] = BF16ToF32(binary.LittleEndian.Uint16(src[2*i:]))
	}
}
