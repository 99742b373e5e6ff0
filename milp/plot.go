package milp

import (
	"math"

	"github.com/milp-lite/milp-lite/internal/atomicfile"
	"github.com/milp-lite/milp-lite/internal/chart"
)

// SearchSVG draws a search: each trial's score as a point, the best so far
// as a line, and failed trials as marks along the bottom.
func SearchSVG(title string, trials []TrialReport) string { return searchFigure(title, trials).SVG() }

func searchFigure(title string, trials []TrialReport) chart.Figure {
	best := chart.Series{Name: "best so far", Style: chart.Steps}
	scores := chart.Series{Name: "trial score", Style: chart.Points}
	failed := chart.Series{Name: "failed trial", Style: chart.Marks}
	top := math.Inf(-1)
	for _, t := range trials {
		x := float64(t.ID)
		if t.Error != "" {
			failed.X = append(failed.X, x)
			continue
		}
		scores.X, scores.Y = append(scores.X, x), append(scores.Y, t.Score)
		if t.Score > top {
			top = t.Score
		}
		if !math.IsInf(top, -1) {
			best.X, best.Y = append(best.X, x), append(best.Y, top)
		}
	}
	series := []chart.Series{best, scores}
	if len(failed.X) > 0 {
		series = append(series, failed)
	}
	return chart.Figure{Title: title, Panels: []chart.Panel{{
		XLabel: "trial", YLabel: "validation score (minus the loss, or ROUGE-L)", IntegerX: true, Series: series}}}
}

// SummarySVG draws each method's mean ROUGE-L over users as a bar with its
// 95% interval (none for a single user, whose interval is NaN).
func SummarySVG(title string, summary []Summary) string { return summaryFigure(title, summary).SVG() }

func summaryFigure(title string, summary []Summary) chart.Figure {
	bars := make([]chart.Bar, len(summary))
	for i, s := range summary {
		bars[i] = chart.Bar{Label: string(s.Method), Value: s.RougeL[0], Low: s.RougeL[1], High: s.RougeL[2]}
	}
	return chart.Figure{Title: title, Panels: []chart.Panel{{
		XLabel: "method", YLabel: "ROUGE-L (mean over users, 95% interval)", Bars: bars}}}
}

// WriteSVG writes an SVG document to path, atomically.
func WriteSVG(path, svg string) error { return atomicfile.WriteFile(path, []byte(svg)) }
