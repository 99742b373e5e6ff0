package main

import (
	"fmt"
	"math"

	"github.com/urfave/cli/v2"

	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/train"
)

// recipeFlags are the training recipe's flags, shared by every command that
// trains adapters, with the recipe's defaults (train.DefaultRecipe). The
// learning rate is a flag only where no search chooses it.
func recipeFlags(withLR bool) []cli.Flag {
	d := train.DefaultRecipe
	flags := []cli.Flag{
		intFlag("epochs", d.Epochs, 1, 1000, "passes over the training conversations per adapter"),
		intFlag("batch", d.Batch, 1, 1024, "sequences per optimizer step (gradient accumulation)"),
		intFlag("train-ctx", d.TrainCtx, 16, math.MaxInt, "tokens per training sequence, at most the model's context"),
		&cli.Uint64Flag{Name: "seed", Value: d.Seed, Usage: "seed of the splits, the search, initialisation, order and dropout"},
	}
	if withLR {
		flags = append(flags, floatFlag("lr", d.LR, bounds{lo: 1e-8, hi: 1},
			"peak learning rate: warm-up over a tenth of the steps (at most 10), then cosine to lr/10"))
	}
	return flags
}

// recipeFrom reads the recipe's flags for model m.
func recipeFrom(c *cli.Context, m *nn.Model) (train.Recipe, error) {
	r := train.DefaultRecipe
	r.Epochs, r.Batch, r.TrainCtx, r.Seed = c.Int("epochs"), c.Int("batch"), c.Int("train-ctx"), c.Uint64("seed")
	if c.IsSet("lr") {
		r.LR = c.Float64("lr")
	}
	if r.TrainCtx > m.Config.ContextLen {
		if c.IsSet("train-ctx") {
			return r, fmt.Errorf("--train-ctx %d is longer than the model's context of %d tokens", r.TrainCtx, m.Config.ContextLen)
		}
		r.TrainCtx = m.Config.ContextLen
	}
	return r, r.Validate()
}
