package bo

import (
	"math"
	"testing"
)

// TestPosteriorMeansDiscountALuckyObservation: on a smooth rising function
// observed with noise, one trial observed far above its neighbours (a lucky
// draw) has the best value, but not the best posterior mean; that goes to
// the top of the slope, where the function really is highest.
func TestPosteriorMeansDiscountALuckyObservation(t *testing.T) {
	space, err := NewSpace(Float("x", 0, 1, false))
	if err != nil {
		t.Fatal(err)
	}
	var enq []Config
	for i := 0; i <= 20; i++ {
		enq = append(enq, Config{"x": float64(i) / 20})
	}
	st, err := NewStudy(StudyOptions{Space: space, Direction: Maximize, Seed: 3, Enqueued: enq, InitialTrials: len(enq)})
	if err != nil {
		t.Fatal(err)
	}
	const lucky = 6
	for i := range enq {
		tr, err := st.Ask()
		if err != nil {
			t.Fatal(err)
		}
		x := tr.Config.Float("x")
		y := x + 0.05*math.Sin(17*x) // smooth truth, small wiggle as noise
		if i == lucky {
			y += 1
		}
		if err := st.Tell(tr, y); err != nil {
			t.Fatal(err)
		}
	}
	means, err := st.PosteriorMeans()
	if err != nil {
		t.Fatal(err)
	}
	if len(means) != len(enq) {
		t.Fatalf("%d posterior means for %d trials", len(means), len(enq))
	}
	bestMean, bestObs := -1, -1
	for _, tr := range st.Trials() {
		if bestMean < 0 || means[tr.ID] > means[bestMean] {
			bestMean = tr.ID
		}
		if bestObs < 0 || tr.Value > st.Trials()[bestObs].Value {
			bestObs = tr.ID
		}
	}
	if bestObs != lucky {
		t.Fatalf("the lucky trial %d should have the best observation, trial %d has", lucky, bestObs)
	}
	if bestMean < 17 {
		t.Fatalf("posterior means pick trial %d (x=%.2f), want one near the top of the slope; means %v", bestMean, float64(bestMean)/20, means)
	}
	if luckyObs := st.Trials()[lucky].Value; means[lucky] > luckyObs-0.3 {
		t.Fatalf("the lucky trial's mean %.3f is not pulled down from its observation %.3f", means[lucky], luckyObs)
	}
}

func TestPosteriorMeansOfOneTrialIsItsValue(t *testing.T) {
	st, err := NewStudy(braninStudyOptions(1, ""))
	if err != nil {
		t.Fatal(err)
	}
	if m, err := st.PosteriorMeans(); err != nil || len(m) != 0 {
		t.Fatalf("no trials: %v, %v", m, err)
	}
	runTrials(t, st, 1)
	m, err := st.PosteriorMeans()
	if err != nil || len(m) != 1 || m[0] != st.Trials()[0].Value {
		t.Fatalf("one trial: %v, %v; want its value %v", m, err, st.Trials()[0].Value)
	}
}
