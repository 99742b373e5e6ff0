// Package kernels holds the numerical inner loops of milp-lite: vector
// operations, matrix multiplication by weights of any ggml tensor type, the
// normalisation, activation and rotary-embedding operations of a transformer,
// and the one worker pool that runs them in parallel.
//
// It knows nothing of models: it sees slices of float32 and weight matrices
// described by a type, a shape and their raw bytes (see Matrix).
package kernels
