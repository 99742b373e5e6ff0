// Package train fine-tunes LoRA adapters on a user's conversations: the
// differentiable decoder (decoder*.go, block by block like nn/forward.go, on
// the model's own weights, calling package tensor's forward and backward
// functions), the training data (data.go), the training step and its
// batches (trainer.go), and the run with its validation split and
// checkpoints (run.go, checkpoint.go).
package train
