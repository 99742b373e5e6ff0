package chart

import (
	"encoding/xml"
	"io"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// mixedFigure is the BO benchmark's shape: several panels, the same two
// series in each, curves that start at the top right where a legend inside
// the plotting area would sit, and a zero regret floored.
func mixedFigure() Figure {
	var f Figure
	f.Title = "Median simple regret"
	for _, name := range []string{"branin", "hartmann6", "mixed"} {
		pn := Panel{Title: name, XLabel: "evaluations", YLabel: "median regret", LogY: true, IntegerX: true}
		for m, method := range []string{"gp-ei", "random"} {
			s := Series{Name: method}
			for e := 1; e <= 30; e++ {
				s.X = append(s.X, float64(e))
				s.Y = append(s.Y, math.Pow(10, 2-float64(e*(m+1))/10))
			}
			s.Y[29] = 0         // not drawable on a log axis
			s.Y[3] = math.NaN() // a missing value
			pn.Series = append(pn.Series, s)
		}
		f.Panels = append(f.Panels, pn)
	}
	return f
}

func overlaps(a, b vg.Rectangle) bool {
	return a.Min.X < b.Max.X && b.Min.X < a.Max.X && a.Min.Y < b.Max.Y && b.Min.Y < a.Max.Y
}

func TestLegendIsOutsideEveryPlottingArea(t *testing.T) {
	for name, f := range map[string]Figure{
		"panels": mixedFigure(),
		"search": {Title: "search", Panels: []Panel{{Series: []Series{
			{Name: "best so far", Style: Steps, X: []float64{0, 1, 2}, Y: []float64{0.1, 0.3, 0.3}},
			{Name: "trial score", Style: Points, X: []float64{0, 1, 2}, Y: []float64{0.1, 0.3, 0.2}},
			{Name: "failed trial", Style: Marks, X: []float64{3}},
		}}}},
	} {
		w, h := f.size()
		dc := draw.New(vgsvg.New(w, h))
		l := f.layout(dc)
		if len(l.entries) == 0 || l.legend.Size().X <= 0 {
			t.Fatalf("%s: no legend", name)
		}
		if l.legend.Min.X < 0 || l.legend.Max.X > w || l.legend.Min.Y < 0 || l.legend.Max.Y > h {
			t.Errorf("%s: legend %v outside the %v×%v figure", name, l.legend, w, h)
		}
		if l.titleAt.Y-figureTitleStyle.Height(f.Title) < l.legend.Max.Y {
			t.Errorf("%s: the title runs into the legend", name)
		}
		for r, row := range l.plots {
			for c, p := range row {
				if p == nil {
					continue
				}
				data := p.DataCanvas(l.tiles[r][c]).Rectangle
				if overlaps(data, l.legend) {
					t.Errorf("%s: legend %v overlaps panel %d,%d's plotting area %v", name, l.legend, r, c, data)
				}
				if data.Min.X < 0 || data.Max.X > w || data.Min.Y < 0 || data.Max.Y > h {
					t.Errorf("%s: panel %d,%d's plotting area %v is outside the figure", name, r, c, data)
				}
			}
		}
	}
}

func TestBarsStayWithinTheirAxis(t *testing.T) {
	// One user: a mean without an interval. The old chart took its height
	// from NaN and drew the taller bar over the title.
	f := Figure{Title: "one user", Panels: []Panel{{Bars: []Bar{
		{Label: "zero-shot", Value: 0.071, Low: math.NaN(), High: math.NaN()},
		{Label: "milp", Value: 0.72, Low: math.NaN(), High: math.NaN()},
		{Label: "failed", Value: math.NaN(), Low: math.NaN(), High: math.NaN()},
	}}}}
	p := f.Panels[0].plot(nil)
	if !finite(p.Y.Min) || !finite(p.Y.Max) || p.Y.Min > 0 || p.Y.Max < 0.72 {
		t.Fatalf("y axis [%g, %g] does not hold bars up to 0.72", p.Y.Min, p.Y.Max)
	}
	svg := mustParse(t, f.SVG())
	if strings.Contains(svg, "NaN") || strings.Contains(svg, "Inf") {
		t.Fatal("the SVG holds NaN or Inf")
	}

	// An interval above every mean sets the top.
	f.Panels[0].Bars = []Bar{{Label: "a", Value: 0.1, Low: 0.05, High: 0.31}}
	if p := f.Panels[0].plot(nil); p.Y.Max < 0.31 {
		t.Fatalf("y axis ends at %g, below the interval's 0.31", p.Y.Max)
	}
}

func TestSVGHasNoNaNAndParses(t *testing.T) {
	for name, f := range map[string]Figure{
		"panels":  mixedFigure(),
		"empty":   {Title: "nothing yet"},
		"no data": {Panels: []Panel{{Series: []Series{{Name: "a"}}}, {LogY: true, Series: []Series{{Name: "a", X: []float64{1}, Y: []float64{0}}}}}},
		"escapes": {Title: `a <search> & "more"`, Panels: []Panel{{Title: "<b>", Bars: []Bar{{Label: "x<y", Value: 1}}}}},
	} {
		svg := mustParse(t, f.SVG())
		if strings.Contains(svg, "NaN") || strings.Contains(svg, "Inf") {
			t.Errorf("%s: the SVG holds NaN or Inf", name)
		}
		if !strings.HasPrefix(svg, "<svg") {
			t.Errorf("%s: the SVG starts with %.30q, not <svg", name, svg)
		}
		if !strings.Contains(svg, "sans-serif") {
			t.Errorf("%s: no fallback font family", name)
		}
	}
}

func TestFigureWidensForALongTitle(t *testing.T) {
	f := Figure{Title: strings.Repeat("a long title ", 12), Panels: []Panel{{}}}
	w, _ := f.size()
	if w < figureTitleStyle.Width(f.Title) {
		t.Fatalf("figure %v wide, title %v", w, figureTitleStyle.Width(f.Title))
	}
	many := Panel{}
	for range 8 {
		many.Bars = append(many.Bars, Bar{Label: "retrieval+lora", Value: 1})
	}
	f = Figure{Panels: []Panel{many}}
	if w, _ := f.size(); w < 8*tickStyle.Width("retrieval+lora") {
		t.Fatalf("figure %v wide for eight labels of %v", w, tickStyle.Width("retrieval+lora"))
	}
}

// mustParse fails unless svg is well-formed XML with no repeated attribute
// (Go's decoder accepts one; SVG renderers do not), and returns it.
func mustParse(t *testing.T, svg string) string {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return svg
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		if el, ok := tok.(xml.StartElement); ok {
			seen := map[string]bool{}
			for _, a := range el.Attr {
				if seen[a.Name.Local] {
					t.Fatalf("<%s> repeats attribute %s", el.Name.Local, a.Name.Local)
				}
				seen[a.Name.Local] = true
			}
		}
	}
}
