//go:build !noasm

package kernels

// NEON dots of F16 and BF16 weight rows with f32 activations (half_arm64.s);
// w holds 2*len(x) bytes.

//go:noescape
func dotF16NEON(w []byte, x []float32) float32

//go:noescape
func dotBF16NEON(w []byte, x []float32) float32
