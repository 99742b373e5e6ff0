package milp

import (
	"math"
	"testing"

	"github.com/milp-lite/milp-lite/train"
)

func TestRungsKeepTheBestShare(t *testing.T) {
	r := &rungs{eta: 3}
	// The first trial to reach an epoch always goes on.
	if !r.promotes(0, 5) {
		t.Fatal("the first trial was stopped")
	}
	r.add([]float64{2.0, 1.8, 1.7})
	// Two trials after epoch 1 (itself included): the best ⌈2/3⌉ = 1 goes on.
	if r.promotes(0, 2.1) || !r.promotes(0, 1.9) {
		t.Fatal("with one trial seen, only a better one goes on")
	}
	r.add([]float64{2.1})
	r.add([]float64{2.2})
	// Four with this one: the best ⌈4/3⌉ = 2.
	if !r.promotes(0, 2.05) || r.promotes(0, 2.15) {
		t.Fatal("with three seen, the second best goes on and the third does not")
	}
	// Epoch 2 has seen only the first trial's loss.
	if !r.promotes(1, 1.7) || r.promotes(1, 1.9) {
		t.Fatal("epoch 2's rung")
	}
	for _, eta := range []int{0, 1} {
		if !(&rungs{eta: eta, losses: r.losses}).promotes(0, 99) {
			t.Fatalf("halving %d stopped a trial", eta)
		}
	}
}

// TestSearchStopsEarlyWithinItsBudget: with halving, trials whose loss
// after the first epoch is not among the best stop there; the epochs of all
// trials stay within the budget, and the adapter kept is of a trial trained
// to the end, the one of the highest posterior mean among them.
func TestSearchStopsEarlyWithinItsBudget(t *testing.T) {
	m := defaultModel(t)
	u := sampleUser(t, 2)
	u.Conversations = u.Conversations[:8] // seconds, not minutes
	pu, err := splitUserFor(m, u, Setup{Recipe: searchRecipe, ValTurns: 2, TestTurns: 2})
	if err != nil {
		t.Fatal(err)
	}
	const budget = 5
	o := SearchOptions{Trials: 8, InitialTrials: 3, Halving: 2, Budget: budget / float64(searchRecipe.Epochs), StartWith: []Placement{FixedPlacement(m.Config.Layers)}}
	sr, err := Search(m, pu.r, pu.searchData(nil), searchRecipe, o)
	if err != nil {
		t.Fatal(err)
	}
	epochs, stopped, full := 0, 0, 0
	for _, tr := range sr.Trials {
		if tr.Error != "" {
			t.Fatalf("trial %d failed: %s", tr.ID, tr.Error)
		}
		epochs += tr.Epochs
		if len(tr.ValLosses) != tr.Epochs || tr.ValLoss != tr.ValLosses[tr.Epochs-1] || !(tr.ValLoss > 0) {
			t.Fatalf("trial %d: %d epochs, losses %v, val loss %v", tr.ID, tr.Epochs, tr.ValLosses, tr.ValLoss)
		}
		if tr.Score != -tr.ValLoss {
			t.Fatalf("trial %d: score %v, want minus its val loss %v", tr.ID, tr.Score, tr.ValLoss)
		}
		if tr.Stopped {
			stopped++
			if tr.Epochs >= searchRecipe.Epochs {
				t.Fatalf("trial %d stopped after all %d epochs", tr.ID, tr.Epochs)
			}
		} else {
			full++
		}
		if tr.RougeL != 0 || tr.TestRougeL != nil {
			t.Fatalf("trial %d generated replies, which the loss signal needs none of", tr.ID)
		}
	}
	if epochs > budget || stopped == 0 || full == 0 || len(sr.Trials) <= budget/searchRecipe.Epochs {
		t.Fatalf("%d trials, %d epochs (budget %d), %d stopped, %d full", len(sr.Trials), epochs, budget, stopped, full)
	}
	if sr.Best.Stopped || sr.Best.Mean == nil || sr.Adapter == nil {
		t.Fatalf("kept trial %d: stopped %v, mean %v, adapter %v", sr.Best.ID, sr.Best.Stopped, sr.Best.Mean, sr.Adapter != nil)
	}
	for _, tr := range sr.Trials {
		if !tr.Stopped && *tr.Mean > *sr.Best.Mean {
			t.Fatalf("trial %d has a higher posterior mean (%v) than the kept trial %d (%v)", tr.ID, *tr.Mean, sr.Best.ID, *sr.Best.Mean)
		}
	}
	// The kept adapter is the kept trial's: training it again gives the same loss.
	recipe := searchRecipe
	recipe.LR = sr.Best.Placement.LR
	again, err := train.Run(m, pu.h.Seqs, pu.valHist.Seqs, sr.Best.Placement.LoRAConfig(), recipe, train.Control{})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(again.ValLoss-sr.Best.ValLoss) > 1e-9 {
		t.Fatalf("retrained val loss %v, the kept trial's %v", again.ValLoss, sr.Best.ValLoss)
	}
}

// searchRecipe has epochs to stop between, on short sequences.
var searchRecipe = func() train.Recipe {
	r := smallRecipe
	r.Epochs = 2
	return r
}()
