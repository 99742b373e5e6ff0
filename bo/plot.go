package bo

import (
	"fmt"
	"math"

	"github.com/milp-lite/milp-lite/internal/atomicfile"
	"github.com/milp-lite/milp-lite/internal/chart"
)

// regretFloor is where zero regret is drawn on the logarithmic axis.
const regretFloor = 1e-8

// SVG renders the median regret curves: one panel per test function, median
// simple regret on a log axis against the number of evaluations, one line per
// method.
func (r *BenchmarkResult) SVG() string { return r.figure().SVG() }

func (r *BenchmarkResult) figure() chart.Figure {
	fig := chart.Figure{Title: fmt.Sprintf("Median simple regret over %d seeds (%d initial points)",
		r.Options.Seeds, r.Options.InitialPoints)}
	panelOf := map[string]int{}
	for _, c := range r.Curves {
		i, ok := panelOf[c.Function]
		if !ok {
			i = len(fig.Panels)
			panelOf[c.Function] = i
			fig.Panels = append(fig.Panels, chart.Panel{Title: c.Function, XLabel: "evaluations",
				YLabel: "median regret", LogY: true, IntegerX: true})
		}
		pn := &fig.Panels[i]
		s := chart.Series{Name: c.Method, Style: chart.Line}
		floored := false
		for e, v := range c.Median {
			floored = floored || v < regretFloor
			s.X = append(s.X, float64(e+1))
			s.Y = append(s.Y, math.Max(v, regretFloor))
		}
		if floored && pn.XLabel == "evaluations" {
			pn.XLabel = fmt.Sprintf("evaluations (regret 0 drawn at %g)", regretFloor)
		}
		pn.Series = append(pn.Series, s)
	}
	return fig
}

// WriteSVG writes the regret plot to path atomically (see atomicfile.Write).
func (r *BenchmarkResult) WriteSVG(path string) error {
	return atomicfile.WriteFile(path, []byte(r.SVG()))
}
