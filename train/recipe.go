package train

import (
	"fmt"
	"math"
)

// Recipe is how an adapter is trained: the one recipe of milp-lite, used
// alike by the main job's trials, by consolidation and by `milp-lite lora
// train`. Where the LoRA modules go, their rank, alpha and dropout are the
// lora.Config's; everything about the optimisation is here.
//
// The learning rate rises linearly over the first tenth of the steps (at
// most 10 steps), then follows a half cosine down to LR/10 at the last step.
// Gradients are clipped to a global norm of ClipNorm, and AdamW steps once
// per Batch sequences.
type Recipe struct {
	Epochs      int     `json:"epochs"`       // passes over the training sequences
	Batch       int     `json:"batch"`        // sequences per optimizer step (gradient accumulation)
	TrainCtx    int     `json:"train_ctx"`    // tokens per training sequence
	LR          float64 `json:"lr"`           // peak learning rate
	WeightDecay float64 `json:"weight_decay"` // AdamW's decoupled weight decay
	ClipNorm    float64 `json:"clip_norm"`    // global gradient norm limit (0: none)
	Seed        uint64  `json:"seed"`         // the modules' initialisation, the order of sequences and dropout
}

// DefaultRecipe is the recipe's defaults, stated once: every command shows
// these as its flags' defaults.
var DefaultRecipe = Recipe{Epochs: 3, Batch: 4, TrainCtx: 256, LR: 3e-3, WeightDecay: 0, ClipNorm: 1, Seed: 1}

// Validate checks the recipe's numbers.
func (r Recipe) Validate() error {
	switch {
	case r.Epochs < 1:
		return fmt.Errorf("epochs must be at least 1, got %d", r.Epochs)
	case r.Batch < 1:
		return fmt.Errorf("batch must be at least 1, got %d", r.Batch)
	case r.TrainCtx < 2:
		return fmt.Errorf("training context must be at least 2 tokens, got %d", r.TrainCtx)
	case !(r.LR > 0) || math.IsInf(r.LR, 0):
		return fmt.Errorf("learning rate must be a positive number, got %g", r.LR)
	case !(r.WeightDecay >= 0) || math.IsInf(r.WeightDecay, 0):
		return fmt.Errorf("weight decay must be a number ≥ 0, got %g", r.WeightDecay)
	case !(r.ClipNorm >= 0) || math.IsInf(r.ClipNorm, 0):
		return fmt.Errorf("gradient clip norm must be a number ≥ 0, got %g", r.ClipNorm)
	}
	return nil
}

// warmupSteps is the warm-up of a run of total optimizer steps.
func warmupSteps(total int) int { return min(total/10, 10) }

// stepsPerEpoch is the optimizer steps one pass over n sequences takes.
func (r Recipe) stepsPerEpoch(n int) int { return (n + r.Batch - 1) / r.Batch }
