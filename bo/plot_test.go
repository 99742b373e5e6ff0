package bo

import (
	"encoding/xml"
	"strings"
	"testing"
)

func TestRegretFigure(t *testing.T) {
	res := &BenchmarkResult{Options: BenchmarkOptions{Seeds: 3, InitialPoints: 2}, Curves: []RegretCurve{
		{Function: "branin", Method: MethodGPEI, Median: []float64{3, 0.5, 0}},
		{Function: "branin", Method: MethodRandom, Median: []float64{4, 2, 1}},
		{Function: "mixed", Method: MethodGPEI, Median: []float64{1, 1, 0.2}},
	}}
	fig := res.figure()
	if len(fig.Panels) != 2 || fig.Panels[0].Title != "branin" || len(fig.Panels[0].Series) != 2 || fig.Panels[1].Title != "mixed" {
		t.Fatalf("panels %+v", fig.Panels)
	}
	gp := fig.Panels[0].Series[0]
	if gp.Name != MethodGPEI || gp.X[0] != 1 || gp.X[2] != 3 || gp.Y[2] != regretFloor {
		t.Fatalf("gp-ei curve %+v: evaluations from 1, zero regret at the floor", gp)
	}
	if !strings.Contains(fig.Panels[0].XLabel, "regret 0 drawn at") || strings.Contains(fig.Panels[1].XLabel, "drawn at") {
		t.Fatalf("x labels %q, %q: only a floored panel says so", fig.Panels[0].XLabel, fig.Panels[1].XLabel)
	}
	svg := res.SVG()
	if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil || strings.Contains(svg, "NaN") {
		t.Fatalf("SVG not well-formed or holds NaN: %v", err)
	}
}
