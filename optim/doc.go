// Package optim updates trainable parameters from their gradients: AdamW
// with decoupled weight decay and bias correction, a warm-up + cosine
// learning-rate schedule, and global gradient-norm clipping. Gradient
// accumulation is the caller's: sum the gradients of several micro-batches
// (each weighted by its share of the batch) and step once.
package optim
