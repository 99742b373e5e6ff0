// Package kernels holds the numerical inner loops of milp-lite: vector
// operations, matrix multiplication by weights of any ggml tensor type, the
// normalisation, activation and rotary-embedding operations of a transformer,
// and the one worker pool that runs them in parallel.
//
// It knows nothing of models: it sees slices of float32 and weight matrices
// described by a type, a shape and their raw bytes (see Matrix).
//
// Every kernel has a generic twin in pure Go, the reference each
// instruction-set level (see Level) is tested against. Some levels' kernels
// (the f32 dots and GEMM, inference's exp and SiLU·mul) sum in another order
// or fuse a multiply and an add, and promise only accuracy. The bit-exact
// kernels of training, in the files bitexact_*, promise more: Exp,
// ExpScaled, SwiGLU, SwiGLUBackward and SoftmaxGrad give the generic Go
// code's bits exactly at every level (each operation in the Go loop's order
// and rounded on its own), so a training run gives the same numbers on
// every machine.
package kernels
