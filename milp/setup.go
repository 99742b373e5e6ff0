package milp

import (
	"fmt"
	"math"

	"github.com/milp-lite/milp-lite/train"
)

// Setup is how a user's memory is trained, searched and judged: the same for
// the main job (Personalise), the benchmark (EvaluateUser) and consolidation.
type Setup struct {
	// Recipe trains every adapter: each trial's, the fixed LoRA's and a
	// consolidation's, so that they compare at equal cost. Its Seed also
	// draws the user's split and the search's space-filling design: one seed
	// makes a whole run reproducible.
	Recipe    train.Recipe
	Search    SearchOptions
	ValTurns  int // validation turns each trial is scored on (0: all)
	TestTurns int // test turns the scores before and after use (0: all)
	GenCtx    int // context of the generated replies that are scored (0: the model's, at most 2048)
}

// DefaultSetup suits the embedded model: three passes over a user's history
// per adapter; at most eight trials, judged by their validation loss, those
// not in the best third after an epoch stopped there, and 2.4 whole
// trainings in all (seven epochs, where a fixed LoRA takes three); 24
// validation and 24 test turns.
func DefaultSetup() Setup {
	return Setup{Recipe: train.DefaultRecipe, Search: SearchOptions{Trials: 8, InitialTrials: 5, Signal: ValLoss, Halving: 3, Budget: 2.4, Confirm: true},
		ValTurns: 24, TestTurns: 24}
}

// Validate checks the setup's numbers.
func (s Setup) Validate() error {
	if err := s.Recipe.Validate(); err != nil {
		return err
	}
	switch {
	case s.Search.Trials < 1 || s.Search.InitialTrials < 1:
		return fmt.Errorf("a search needs at least one trial and one initial trial, got %d and %d", s.Search.Trials, s.Search.InitialTrials)
	case s.Search.Time < 0:
		return fmt.Errorf("a search's time budget cannot be negative, got %v", s.Search.Time)
	case !(s.Search.Budget == 0 || s.Search.Budget >= 1) || math.IsInf(s.Search.Budget, 0):
		return fmt.Errorf("a search's budget must be at least one whole training, or 0 for none; got %g", s.Search.Budget)
	case s.Search.Halving < 0:
		return fmt.Errorf("halving cannot be negative, got %d", s.Search.Halving)
	case s.ValTurns < 0 || s.TestTurns < 0 || s.GenCtx < 0:
		return fmt.Errorf("turn counts and the generation context cannot be negative")
	}
	return nil
}
