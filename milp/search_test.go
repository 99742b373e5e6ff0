package milp

import (
	"math"
	"testing"

	"github.com/milp-lite/milp-lite/lora"
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

// TestConfirmKeepsTheStandardPlacementUnlessRepliesAgree: a challenger
// chosen by its loss replaces the first placement only if its generated
// validation replies score higher too; scores known already are not
// generated again.
func TestConfirmKeepsTheStandardPlacementUnlessRepliesAgree(t *testing.T) {
	m := defaultModel(t)
	u := sampleUser(t, 2)
	u.Conversations = u.Conversations[:8]
	pu, err := splitUserFor(m, u, Setup{Recipe: smallRecipe, ValTurns: 3, TestTurns: 2})
	if err != nil {
		t.Fatal(err)
	}
	d := pu.searchData(nil)
	fixed := FixedPlacement(m.Config.Layers)
	other := newPlacement([]int{1}, ffnSites[:1], 2, 1, 2e-2)
	fitted := 0
	adapterOf := func(trials []TrialReport) func(int) (*lora.Adapter, error) {
		return func(i int) (*lora.Adapter, error) {
			fitted++
			a, _, err := Fit(m, d.History, trials[i].Placement, smallRecipe)
			return a, err
		}
	}
	trials := func(base, challenger float64) []TrialReport {
		return []TrialReport{{ID: 0, Placement: fixed, Epochs: 1, RougeL: base}, {ID: 1, Placement: other, Epochs: 1, RougeL: challenger}}
	}
	for _, c := range []struct {
		base, challenger float64
		want             int
	}{{0.2, 0.1, 0}, {0.1, 0.2, 1}, {0.15, 0.15, 0}} {
		ts := trials(c.base, c.challenger)
		got, err := confirm(pu.r, d, ts, 1, 1, true, adapterOf(ts))
		if err != nil || got != c.want {
			t.Fatalf("base %v, challenger %v: kept %d (%v), want %d", c.base, c.challenger, got, err, c.want)
		}
	}
	if fitted != 0 {
		t.Fatalf("scores known already, yet %d adapters were trained to score them", fitted)
	}
	// The first placement chosen by the loss needs no confirming.
	ts := trials(0.5, 0.5) // not the replies' scores: to be replaced
	if got, err := confirm(pu.r, d, ts, 0, 1, false, adapterOf(ts)); err != nil || got != 0 || fitted != 0 {
		t.Fatalf("the first placement chosen: kept %d (%v), %d fits", got, err, fitted)
	}
	// Unknown scores are generated, and the choice follows them.
	ts[0].RougeL, ts[1].RougeL = -1, -1
	got, err := confirm(pu.r, d, ts, 1, 1, false, adapterOf(ts))
	if err != nil || fitted != 2 || ts[0].RougeL < 0 || ts[1].RougeL < 0 {
		t.Fatalf("generated scores %v and %v after %d fits: %v", ts[0].RougeL, ts[1].RougeL, fitted, err)
	}
	if want := map[bool]int{true: 1, false: 0}[ts[1].RougeL > ts[0].RougeL]; got != want {
		t.Fatalf("kept %d with validation ROUGE-L %v (standard) and %v (challenger)", got, ts[0].RougeL, ts[1].RougeL)
	}
}
