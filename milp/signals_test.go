package milp

import (
	"math"
	"testing"

	"github.com/milp-lite/milp-lite/metrics"
)

func TestStudySignalsRanksPerUserAndPooled(t *testing.T) {
	trial := func(loss1, loss, val, test float64) TrialReport {
		return TrialReport{ValLosses: []float64{loss1, loss}, ValLoss: loss, RougeL: val, TestRougeL: &test, Epochs: 2}
	}
	a := []TrialReport{trial(3, 2.0, 0.10, 0.12), trial(2.5, 1.5, 0.14, 0.15), trial(2.8, 1.8, 0.13, 0.11)}
	b := []TrialReport{trial(3, 2.2, 0.09, 0.10), trial(2.9, 2.1, 0.08, 0.13), trial(3.2, 2.5, 0.12, 0.07)}
	// Neither a failed nor a stopped trial counts.
	failed := TrialReport{Error: "boom", TestRougeL: new(float64)}
	stopped := trial(9, 9, 0.5, 0.5)
	stopped.Stopped = true
	users := []*UserResult{
		{Search: &SearchResult{Trials: append(append([]TrialReport{}, a...), failed)}},
		{Search: &SearchResult{Trials: append(append([]TrialReport{}, b...), stopped)}},
		{}, // a user whose search did not run
	}
	s := StudySignals(users)
	if s == nil || s.Trials != 6 {
		t.Fatalf("study: %+v", s)
	}
	column := func(ts []TrialReport, f func(TrialReport) float64) []float64 {
		var out []float64
		for _, t := range ts {
			out = append(out, f(t))
		}
		return out
	}
	loss := func(t TrialReport) float64 { return -t.ValLoss }
	test := func(t TrialReport) float64 { return *t.TestRougeL }
	all := append(append([]TrialReport{}, a...), b...)
	want := metrics.Spearman(column(all, loss), column(all, test))
	if got := s.Pooled["val loss vs test ROUGE-L"]; math.Abs(got-want) > 1e-12 {
		t.Fatalf("pooled: %v, want %v", got, want)
	}
	// User a ranks its trials by loss exactly as by test ROUGE-L except for
	// the last two: ρ = 0.5; user b: ρ = 1. The mean is 0.75.
	ra, rb := metrics.Spearman(column(a, loss), column(a, test)), metrics.Spearman(column(b, loss), column(b, test))
	if ra != 0.5 || rb != 1 {
		t.Fatalf("hand ranks: %v %v", ra, rb)
	}
	if got := s.PerUser["val loss vs test ROUGE-L"]; math.Abs(got[0]-0.75) > 1e-12 {
		t.Fatalf("per user: %v, want mean 0.75", got)
	}
	if got := s.PerUser["epoch-1 val loss vs final val loss"]; got[0] != 1 {
		t.Fatalf("first against last epoch: %v, want 1 (both users keep their order)", got)
	}
	if StudySignals([]*UserResult{{Search: &SearchResult{Trials: []TrialReport{{ValLoss: 1}}}}}) != nil {
		t.Fatal("a study without test scores")
	}
}
