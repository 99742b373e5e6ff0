package chart

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// barWidth is a bar's share of its slot on the x axis.
const barWidth = 0.6

// bars draws a bar chart at x = 0, 1, … with interval whiskers.
type bars struct {
	bars   []Bar
	colour color.Color
}

func (b bars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	whisker := draw.LineStyle{Color: intervalColour, Width: vg.Points(1.25)}
	for i, bar := range b.bars {
		x := float64(i)
		if finite(bar.Value) {
			left, right := trX(x-barWidth/2), trX(x+barWidth/2)
			base, top := trY(0), trY(bar.Value)
			c.FillPolygon(b.colour, []vg.Point{{X: left, Y: base}, {X: right, Y: base}, {X: right, Y: top}, {X: left, Y: top}})
		}
		if finite(bar.Low) && finite(bar.High) {
			mid, low, high := trX(x), trY(bar.Low), trY(bar.High)
			c.StrokeLine2(whisker, mid, low, mid, high)
			for _, y := range []vg.Length{low, high} {
				c.StrokeLine2(whisker, mid-5, y, mid+5, y)
			}
		}
	}
}

// marks draws a grey × at each x along the bottom of the plotting area.
type marks struct{ xs []float64 }

func (m marks) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	g := glyph(Marks, nil)
	for _, x := range m.xs {
		c.DrawGlyph(g, vg.Point{X: trX(x), Y: c.Min.Y + g.Radius})
	}
}
