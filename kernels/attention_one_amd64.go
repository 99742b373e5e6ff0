//go:build !noasm

package kernels

import "unsafe"

// attnScoresAVX512 and attnMixAVX512 are kernelSet.attnScores and attnMix on
// AVX-512 (attention_one_amd64.s).
//
//go:noescape
func attnScoresAVX512(q, k []float32, stride, n int, scale float32, out []float32)

//go:noescape
func attnMixAVX512(s, v []float32, stride int, out []float32)

// attnScoresAVX2 and attnMixAVX2 are their AVX2 twins (head sizes that are
// multiples of 8).
//
//go:noescape
func attnScoresAVX2(q, k []float32, stride, n int, scale float32, out []float32)

//go:noescape
func attnMixAVX2(s, v []float32, stride int, out []float32)

// attnMix3AVX2 is kernelSet.attnMix3 on AVX2 (attention_one_amd64.s).
//
//go:noescape
func attnMix3AVX2(s []float32, n, sStride int, v []float32, stride int, out []float32, outStride, dims int)

// attnScoresF16AVX512, attnMixF16AVX512 and their AVX2 twins are
// kernelSet.attnScoresF16 and attnMixF16: the float32 kernels' arithmetic
// on keys and values in halves, widened by VCVTPH2PS as they are loaded.
//
//go:noescape
func attnScoresF16AVX512(q []float32, k []uint16, stride, n int, scale float32, out []float32)

//go:noescape
func attnMixF16AVX512(s []float32, v []uint16, stride int, out []float32)

//go:noescape
func attnScoresF16AVX2(q []float32, k []uint16, stride, n int, scale float32, out []float32)

//go:noescape
func attnMixF16AVX2(s []float32, v []uint16, stride int, out []float32)

// attnMix3AVX512 and attnMix3F16AVX512 are kernelSet.attnMix3 and
// attnMix3F16 on Z registers (dims a multiple of 16).
//
//go:noescape
func attnMix3AVX512(s []float32, n, sStride int, v []float32, stride int, out []float32, outStride, dims int)

//go:noescape
func attnMix3F16AVX512(s []float32, n, sStride int, v []uint16, stride int, out []float32, outStride, dims int)

// narrowF16x8AVX2 converts len(src)/8 groups of eight floats to halves.
//
//go:noescape
func narrowF16x8AVX2(src []float32, dst []uint16)

// narrowF16AVX2 is kernelSet.narrowF16: groups of eight in assembly, the
// rest in Go.
func narrowF16AVX2(src []float32, dst []uint16) {
	dst = dst[:len(src)] // the assembly does not check bounds
	n := len(src) &^ 7
	narrowF16x8AVX2(src[:n], dst[:n])
	narrowF16Generic(src[n:], dst[n:])
}

// widenF16AVX2 is kernelSet.widenF16: dequantF16AVX2 on the halves' bytes
// (amd64 is little-endian, the byte order dequantF16 reads).
func widenF16AVX2(src []uint16, dst []float32) {
	if len(dst) == 0 {
		return
	}
	src = src[:len(dst)]
	dequantF16AVX2(unsafe.Slice((*byte)(unsafe.Pointer(&src[0])), 2*len(src)), dst)
}

// attnScoresGroupAVX512 and attnScoresGroupF16AVX512 are
// kernelSet.attnScoresGroup and attnScoresGroupF16 (head size 64).
//
//go:noescape
func attnScoresGroupAVX512(q []float32, heads int, k []float32, stride, n int, scale float32, out []float32, outStride int)

//go:noescape
func attnScoresGroupF16AVX512(q []float32, heads int, k []uint16, stride, n int, scale float32, out []float32, outStride int)

// attnScoresGroupQ8AVX512 and attnMix3Q8AVX512 are kernelSet.attnScoresGroupQ8
// and attnMix3Q8 (attention_group_amd64.s, attention_one_amd64.s).
//
//go:noescape
func attnScoresGroupQ8AVX512(q []float32, heads int, k []int8, stride, n int, scale float32, out []float32, outStride int, ks []float32)

//go:noescape
func attnMix3Q8AVX512(s []float32, n, sStride int, v []int8, stride int, out []float32, outStride, dims int, vs []float32)

// dequantQ8Rows8AVX2 is dequantQ8Rows for head sizes that are multiples of
// 8 (q8rows_amd64.s); dequantQ8RowsAVX2, the kernelSet entry, sends the
// others to the generic loop.
//
//go:noescape
func dequantQ8Rows8AVX2(q []int8, scales []float32, hs int, dst []float32)

func dequantQ8RowsAVX2(q []int8, scales []float32, hs int, dst []float32) {
	if hs%8 != 0 || len(dst) == 0 {
		dequantQ8RowsGeneric(q, scales, hs, dst)
		return
	}
	rows := len(dst) / hs
	dequantQ8Rows8AVX2(q[:rows*hs], scales[:rows], hs, dst[:rows*hs]) // the assembly does not check bounds
}

// quantizeQ8Rows16AVX512 is quantizeQ8Rows for head sizes that are
// multiples of 16 (q8rows_amd64.s); quantizeQ8RowsAVX512, the kernelSet
// entry, sends the others to the generic loop.
//
//go:noescape
func quantizeQ8Rows16AVX512(src []float32, dst []int8, scales []float32, hs int)

func quantizeQ8RowsAVX512(src []float32, dst []int8, scales []float32, hs int) {
	if hs%16 != 0 || len(src) < hs {
		quantizeQ8RowsGeneric(src, dst, scales, hs)
		return
	}
	rows := len(src) / hs
	quantizeQ8Rows16AVX512(src[:rows*hs], dst[:rows*hs], scales[:rows], hs) // the assembly does not check bounds
}
