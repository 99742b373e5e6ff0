// Package chart draws the project's figures (regret curves, search traces,
// bar charts with intervals) as SVG through gonum.org/v1/plot, so that every
// figure gets the same fonts, nice tick values, bounds that hold all the
// data, and a legend placed outside every plotting area.
package chart

import (
	"bytes"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Style is how a series is drawn.
type Style int

const (
	// Line joins the points with straight lines.
	Line Style = iota
	// Steps holds each value until the next point, as a best-so-far does.
	Steps
	// Points draws a dot at each point.
	Points
	// Marks draws a grey × along the bottom of the panel at each X (Y is
	// not used), for events without a value, such as failed trials.
	Marks
)

// Series is one set of points in a panel. Non-finite points are left out
// (and points at or below zero on a logarithmic axis), so a missing value
// never reaches the drawing as NaN.
type Series struct {
	Name  string // its legend entry; series of one name share a colour across panels
	Style Style
	X, Y  []float64
}

// Bar is one bar of a bar chart, with an optional interval whisker.
// A NaN value draws no bar; a NaN bound draws no whisker.
type Bar struct {
	Label            string
	Value, Low, High float64
}

// Panel is one chart: either series against numeric axes, or bars.
type Panel struct {
	Title, XLabel, YLabel string
	LogY                  bool // a logarithmic y axis, ticked at powers of ten
	IntegerX              bool // x ticks only at whole numbers
	Series                []Series
	Bars                  []Bar // if set, a bar chart whose x axis names the bars
}

// Figure is a titled grid of panels sharing one legend.
type Figure struct {
	Title   string
	Panels  []Panel
	Columns int // panels a row; 0 means up to two
}

// Panel size, in points, unless a bar chart's labels need more width.
const (
	panelWidth  = 360
	panelHeight = 250
)

// size is the figure's width and height: the panel grid under the header,
// widened for a long title or legend.
func (f Figure) size() (w, h vg.Length) {
	cols, rows := f.grid()
	pw := vg.Length(panelWidth)
	for _, pn := range f.Panels {
		pw = max(pw, pn.minWidth())
	}
	w = max(vg.Length(cols)*pw, figureTitleStyle.Width(f.Title)+4*margin, legendWidth(f.entries())+4*margin)
	return w, vg.Length(rows)*(panelHeight+panelTitleHeight(f)) + headerHeight(f)
}

// SVG renders the figure as a standalone SVG document.
func (f Figure) SVG() string {
	w, h := f.size()
	canvas := vgsvg.New(w, h)
	f.draw(draw.New(canvas))
	var buf bytes.Buffer
	canvas.WriteTo(&buf) // a bytes.Buffer does not fail
	// The document starts at <svg>, as an inline SVG does: the XML prolog is
	// optional, and the generator comment says nothing to a reader.
	svg := buf.String()
	svg = svg[strings.Index(svg, "<svg"):]
	// The layout is measured with Liberation Sans, which has Arial's metrics:
	// name fallbacks so that viewers without it keep the same text widths.
	return strings.ReplaceAll(svg, "font-family:"+fontFamily+";",
		"font-family:'"+fontFamily+"',Arial,Helvetica,sans-serif;")
}

func (f Figure) grid() (cols, rows int) {
	cols = f.Columns
	if cols <= 0 {
		cols = min(2, len(f.Panels))
	}
	cols = max(cols, 1)
	rows = max(1, (len(f.Panels)+cols-1)/cols)
	return cols, rows
}
