// Package tensor is milp-lite's reverse-mode automatic differentiation over
// float32 matrices, with the operations a LLaMA/Qwen2 decoder needs.
//
// Every operation exists at two levels. The plain functions (RMSNorm and
// RMSNormBackward, Attention and AttentionBackward, ...) work on caller-owned
// slices and allocate nothing: the training decoder calls them block by block
// with buffers it allocated once. The Tape methods wrap the same functions,
// allocate their outputs and record a backward step, so that an arbitrary
// composition can be differentiated by calling Tape.Backward; the gradient
// checks use them.
//
// Conventions: a Tensor is Rows×Cols, row-major; a batch of T tokens is T
// rows. Backward functions ADD into gradient buffers (gradients of a value
// used twice sum), except where a doc comment says "writes".
package tensor
