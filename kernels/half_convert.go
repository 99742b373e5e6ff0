package kernels

import (
	"math"

	"github.com/milp-lite/milp-lite/quant"
)

// F16FromF32 writes src as IEEE half-precision bits into dst (len(src)
// values), rounding to nearest even: the rows of an F16 KV cache
// (AttentionArgs.K16), bit-exact with quant.F32ToF16.
func F16FromF32(dst []uint16, src []float32) { impl.narrowF16(src, dst[:len(src)]) }

// F32FromF16 widens len(dst) halves of src into dst, exactly (a NaN stays
// a NaN of its sign).
func F32FromF16(dst []float32, src []uint16) { impl.widenF16(src[:len(dst)], dst) }

// widenF16Generic rebiases normal halves' exponents with one add (most
// of a cache's values are normal) and leaves the rest to quant.F16ToF32.
func widenF16Generic(src []uint16, dst []float32) {
	src = src[:len(dst)]
	for i, h := range src {
		if e := h & 0x7c00; e != 0 && e != 0x7c00 {
			dst[i] = math.Float32frombits(uint32(h&0x8000)<<16 | (uint32(h&0x7fff)<<13 + (127-15)<<23))
			continue
		}
		dst[i] = quant.F16ToF32(h)
	}
}

func narrowF16Generic(src []float32, dst []uint16) {
	dst = dst[:len(src)]
	for i, f := range src {
		dst[i] = quant.F32ToF16(f)
	}
}

// widenF16RowsGeneric is kernelSet.widenF16Rows a row at a time.
func widenF16RowsGeneric(src []uint16, srcStride int, dst []float32, dstStride, rows, cols int) {
	widenRowsWith(widenF16Generic, src, srcStride, dst, dstStride, rows, cols)
}

// widenRowsWith is widenF16Rows on a level's widenF16, row by row.
func widenRowsWith(widen func([]uint16, []float32), src []uint16, srcStride int, dst []float32, dstStride, rows, cols int) {
	for r := range rows {
		widen(src[r*srcStride:r*srcStride+cols], dst[r*dstStride:r*dstStride+cols])
	}
}
