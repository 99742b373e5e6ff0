package chart

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// plot builds the panel's gonum plot, its axes set to nice bounds that hold
// every drawn value.
func (pn Panel) plot(colours map[string]color.Color) *plot.Plot {
	p := plot.New()
	setFonts(p)
	p.X.Label.Text = pn.XLabel
	p.Y.Label.Text = pn.YLabel
	grid := plotter.NewGrid()
	grid.Vertical.Color = gridColour
	grid.Horizontal.Color = gridColour
	p.Add(grid)
	if len(pn.Bars) > 0 {
		grid.Vertical.Color = nil
		pn.addBars(p)
	} else {
		pn.addSeries(p, colours)
	}
	return p
}

func (pn Panel) addSeries(p *plot.Plot, colours map[string]color.Color) {
	xr, yr := newExtent(), newExtent()
	for _, s := range pn.Series {
		colour := colours[s.Name]
		if s.Style == Marks {
			var xs []float64
			for _, x := range s.X {
				if finite(x) {
					xs = append(xs, x)
					xr.add(x)
				}
			}
			p.Add(marks{xs})
			continue
		}
		var xys plotter.XYs
		for i := range min(len(s.X), len(s.Y)) {
			x, y := s.X[i], s.Y[i]
			if finite(x) && finite(y) && (!pn.LogY || y > 0) {
				xys = append(xys, plotter.XY{X: x, Y: y})
				xr.add(x)
				yr.add(y)
			}
		}
		switch s.Style {
		case Points:
			p.Add(&plotter.Scatter{XYs: xys, GlyphStyle: glyph(Points, colour)})
		default:
			line := &plotter.Line{XYs: xys, LineStyle: lineStyle}
			line.LineStyle.Color = colour
			if s.Style == Steps {
				line.StepStyle = plotter.PostStep
			}
			p.Add(line)
		}
	}
	// The x axis spans the data (a search of 12 trials ends at 11, not 15);
	// the y axis widens to nice bounds.
	lo, hi := xr.or(0, 1)
	min, max, step := niceRange(lo, hi, pn.IntegerX)
	if hi > lo {
		min, max = lo, hi
	}
	p.X.Min, p.X.Max = min, max
	p.X.Tick.Marker = linearTicks{step}
	if pn.LogY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = decadeTicks{}
		p.Y.Min, p.Y.Max = decadeRange(yr.or(0.1, 1))
		return
	}
	lo, hi = yr.or(0, 1)
	p.Y.Min, p.Y.Max, step = niceRange(lo, hi, false)
	p.Y.Tick.Marker = linearTicks{step}
}

func (pn Panel) addBars(p *plot.Plot) {
	yr := newExtent()
	yr.add(0) // bars rise from zero
	ticks := make([]plot.Tick, len(pn.Bars))
	for i, b := range pn.Bars {
		ticks[i] = plot.Tick{Value: float64(i), Label: b.Label}
		for _, v := range []float64{b.Value, b.Low, b.High} {
			if finite(v) {
				yr.add(v)
			}
		}
	}
	p.Add(bars{pn.Bars, palette[0]})
	p.X.Padding, p.Y.Padding = 0, 0 // bars stand on the axis
	p.X.Min, p.X.Max = -0.5, float64(len(pn.Bars))-0.5
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	lo, hi := yr.or(0, 1)
	var step float64
	p.Y.Min, p.Y.Max, step = niceRange(lo, hi, false)
	p.Y.Tick.Marker = linearTicks{step}
}

// minWidth is the width a panel needs: a bar chart's labels side by side,
// beside room for the y axis.
func (pn Panel) minWidth() vg.Length {
	widest := vg.Length(0)
	for _, b := range pn.Bars {
		widest = max(widest, tickStyle.Width(b.Label))
	}
	const yAxisRoom, labelGap = 70, 12
	return yAxisRoom + vg.Length(len(pn.Bars))*(widest+labelGap)
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// extent is the smallest and largest of the values added.
type extent struct{ lo, hi float64 }

func newExtent() extent { return extent{math.Inf(1), math.Inf(-1)} }

func (e *extent) add(v float64) { e.lo, e.hi = math.Min(e.lo, v), math.Max(e.hi, v) }

// or is the extent, or [lo, hi] when nothing was added.
func (e extent) or(lo, hi float64) (float64, float64) {
	if e.lo > e.hi {
		return lo, hi
	}
	return e.lo, e.hi
}
