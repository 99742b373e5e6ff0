package kernels

import "github.com/milp-lite/milp-lite/quant"

// F16FromF32 writes src as IEEE half-precision bits into dst (len(src)
// values), rounding to nearest even: the rows of an F16 KV cache
// (AttentionArgs.K16), bit-exact with quant.F32ToF16.
func F16FromF32(dst []uint16, src []float32) { impl.narrowF16(src, dst[:len(src)]) }

// F32FromF16 widens len(dst) halves of src into dst, exactly.
func F32FromF16(dst []float32, src []uint16) { impl.widenF16(src[:len(dst)], dst) }

func widenF16Generic(src []uint16, dst []float32) {
	src = src[:len(dst)]
	for i, h := range src {
		dst[i] = quant.F16ToF32(h)
	}
}

func narrowF16Generic(src []float32, dst []uint16) {
	dst = dst[:len(src)]
	for i, f := range src {
		dst[i] = quant.F32ToF16(f)
	}
}
