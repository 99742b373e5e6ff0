//go:build !noasm

package kernels

// NEON f32 vector kernels (vec_arm64.s). Lengths are the callers' promise
// stated in kernelSet: b and y are at least as long as a and x.

//go:noescape
func dotNEON(a, b []float32) float32

//go:noescape
func axpyNEON(alpha float32, x, y []float32)

//go:noescape
func scaleNEON(alpha float32, x []float32)

//go:noescape
func sumNEON(x []float32) float32

func peakFMANEON(iters int) int64
