package milp

import (
	"encoding/xml"
	"math"
	"strings"
	"testing"
)

// A one-user eval has no intervals: the chart must still have finite bounds
// and hold every bar.
func TestSummaryOfOneUser(t *testing.T) {
	sum := []Summary{
		{Method: ZeroShot, RougeL: Stat{0.071, math.NaN(), math.NaN()}},
		{Method: MiLP, RougeL: Stat{0.64, math.NaN(), math.NaN()}},
	}
	fig := summaryFigure("one user", sum)
	bars := fig.Panels[0].Bars
	if len(bars) != 2 || bars[1].Label != string(MiLP) || bars[1].Value != 0.64 || !math.IsNaN(bars[1].High) {
		t.Fatalf("bars %+v", bars)
	}
	svg := SummarySVG("one user", sum)
	if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil || strings.Contains(svg, "NaN") {
		t.Fatalf("SVG not well-formed or holds NaN: %v", err)
	}
}

func TestSearchFigure(t *testing.T) {
	trials := []TrialReport{{ID: 0, Score: 0.2}, {ID: 1, Error: "boom"}, {ID: 2, Score: 0.1}, {ID: 3, Score: 0.4}}
	series := searchFigure("s", trials).Panels[0].Series
	best, scores, failed := series[0], series[1], series[2]
	if got := best.Y; len(got) != 3 || got[0] != 0.2 || got[1] != 0.2 || got[2] != 0.4 {
		t.Errorf("best so far %v, want [0.2 0.2 0.4]", got)
	}
	if len(scores.X) != 3 || scores.X[1] != 2 {
		t.Errorf("trial scores at %v, want trials 0, 2, 3", scores.X)
	}
	if len(failed.X) != 1 || failed.X[0] != 1 {
		t.Errorf("failed trials at %v, want [1]", failed.X)
	}
	if series := searchFigure("s", trials[:1]).Panels[0].Series; len(series) != 2 {
		t.Errorf("a search without failures has %d series, want 2 (no empty legend entry)", len(series))
	}
}
