// Package tensor holds the forward and backward operations of a LLaMA/Qwen2
// decoder's training step on float32 rows: frozen linear maps and
// embeddings of any stored weight type (FrozenLinear, FrozenEmbedding),
// RMSNorm, RoPE, causal grouped-query attention, SwiGLU and the
// cross-entropy loss, each with its backward function.
//
// It is not an automatic-differentiation engine: the training decoder
// (package train) calls every forward function and then every backward
// function itself, block by block, on caller-owned slices it allocated once,
// so a step allocates nothing. The Parallel* types and CrossEntropyRows run
// an operation on the kernels' worker pool with the serial function's bits.
// The package's tests check each backward function against finite
// differences through a small tape (tape_test.go) that exists only for them.
//
// Conventions: a batch of T tokens is T rows of values, row-major. Backward
// functions ADD into gradient buffers (gradients of a value used twice sum),
// except where a doc comment says "writes".
package tensor
