//go:build !noasm

package kernels

// NEON quantised dot products (quant_arm64.s), in two variants each: SDOT for
// cores with the dot-product extension and Widen (SMULL/SADALP) for the rest.
// Sizes are the callers' promise from kernelSet: w holds len(xd) blocks, xq
// 32 (or 256) values per block, xs 16 sums per 256-block.

//go:noescape
func dotQ8_0SDOT(w []byte, xq []int8, xd []float32) float32

//go:noescape
func dotQ4_0SDOT(w []byte, xq []int8, xd []float32) float32

//go:noescape
func dotQ4_KSDOT(w []byte, xq []int8, xd []float32, xs []int16) float32

//go:noescape
func dotQ5_KSDOT(w []byte, xq []int8, xd []float32, xs []int16) float32

//go:noescape
func dotQ6_KSDOT(w []byte, xq []int8, xd []float32, xs []int16) float32

//go:noescape
func dotQ8_0Widen(w []byte, xq []int8, xd []float32) float32

//go:noescape
func dotQ4_0Widen(w []byte, xq []int8, xd []float32) float32

//go:noescape
func dotQ4_KWiden(w []byte, xq []int8, xd []float32, xs []int16) float32

//go:noescape
func dotQ5_KWiden(w []byte, xq []int8, xd []float32, xs []int16) float32

//go:noescape
func dotQ6_KWiden(w []byte, xq []int8, xd []float32, xs []int16) float32
