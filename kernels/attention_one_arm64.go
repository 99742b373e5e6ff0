//go:build !noasm

package kernels

// attnScoresNEON and attnMixNEON are kernelSet.attnScores and attnMix on
// NEON (attention_one_arm64.s), for head sizes that are multiples of 4.
//
//go:noescape
func attnScoresNEON(q, k []float32, stride, n int, scale float32, out []float32)

//go:noescape
func attnMixNEON(s, v []float32, stride int, out []float32)
