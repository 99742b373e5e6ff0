//go:build !noasm

package kernels

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
