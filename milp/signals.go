package milp

import (
	"math"

	"github.com/milp-lite/milp-lite/metrics"
)

// SignalStudy is how well each of the search's signals ranks trials, by
// Spearman's correlation, when every trial was also scored on the test
// turns (EvalOptions.TrialsOnTest): over all trials pooled, and per user
// (the ranking a search acts on), as the mean over users with its 95%
// interval. Losses enter negated, so agreement is positive throughout.
type SignalStudy struct {
	Trials  int                `json:"trials"`
	Pooled  map[string]float64 `json:"pooled"`
	PerUser map[string]Stat    `json:"per_user"`
}

// signalPairs are the rankings compared: each signal against the test
// ROUGE-L that is reported, the two validation signals against each other,
// and the first epoch's loss against the last's (how well a trial stopped
// early is judged).
var signalPairs = []struct {
	name string
	x, y func(TrialReport) float64
}{
	{"val loss vs test ROUGE-L", negLoss, testRougeL},
	{"val ROUGE-L vs test ROUGE-L", valRougeL, testRougeL},
	{"val loss vs val ROUGE-L", negLoss, valRougeL},
	{"epoch-1 val loss vs final val loss", firstLoss, negLoss},
	{"epoch-1 val loss vs test ROUGE-L", firstLoss, testRougeL},
}

func negLoss(t TrialReport) float64    { return -t.ValLoss }
func valRougeL(t TrialReport) float64  { return t.RougeL }
func testRougeL(t TrialReport) float64 { return *t.TestRougeL }
func firstLoss(t TrialReport) float64 {
	if len(t.ValLosses) == 0 {
		return math.NaN()
	}
	return -t.ValLosses[0]
}

// StudySignals is the signal study of users' searches, nil when no trial
// was scored on test. Only complete trials trained to the end count.
func StudySignals(users []*UserResult) *SignalStudy {
	var all []TrialReport
	per := map[string][]float64{}
	for _, u := range users {
		if u.Search == nil {
			continue
		}
		var ts []TrialReport
		for _, t := range u.Search.Trials {
			if t.Error == "" && t.TestRougeL != nil && !t.Stopped {
				ts = append(ts, t)
			}
		}
		all = append(all, ts...)
		for _, p := range signalPairs {
			if r := spearmanOf(ts, p.x, p.y); !math.IsNaN(r) {
				per[p.name] = append(per[p.name], r)
			}
		}
	}
	if len(all) == 0 {
		return nil
	}
	s := &SignalStudy{Trials: len(all), Pooled: map[string]float64{}, PerUser: map[string]Stat{}}
	for _, p := range signalPairs {
		s.Pooled[p.name] = spearmanOf(all, p.x, p.y)
		if len(per[p.name]) > 0 {
			s.PerUser[p.name] = ci(per[p.name])
		}
	}
	return s
}

func spearmanOf(ts []TrialReport, x, y func(TrialReport) float64) float64 {
	xs, ys := make([]float64, len(ts)), make([]float64, len(ts))
	for i, t := range ts {
		xs[i], ys[i] = x(t), y(t)
	}
	return metrics.Spearman(xs, ys)
}
