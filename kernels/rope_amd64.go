//go:build !noasm

package kernels

// Rotary embedding kernels (rope_amd64.s): see kernelSet.ropePairs.

//go:noescape
func ropePairsAVX512(x []float32, heads, headSize int, cs []float32)

//go:noescape
func ropeHalvesAVX512(x []float32, heads, headSize int, cs []float32)

//go:noescape
func ropePairsAVX2(x []float32, heads, headSize int, cs []float32)

//go:noescape
func ropeHalvesAVX2(x []float32, heads, headSize int, cs []float32)
