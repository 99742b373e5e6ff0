// Package train fine-tunes LoRA adapters on a user's conversations: the
// differentiable decoder (decoder*.go, block by block like nn/forward.go, on
// the model's own weights), the training data (data.go), the loop with its
// checkpoints (loop.go, checkpoint.go).
package train
