package chart

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// fontFamily is the family gonum's Liberation Sans writes into the SVG.
const fontFamily = "Liberation Sans"

var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// palette colours series by their order of first appearance in a figure.
var palette = []color.Color{
	rgb(0x1f, 0x77, 0xb4), // blue
	rgb(0xd6, 0x27, 0x28), // red
	rgb(0x2c, 0xa0, 0x2c), // green
	rgb(0xff, 0x7f, 0x0e), // orange
	rgb(0x94, 0x67, 0xbd), // purple
	rgb(0x8c, 0x56, 0x4b), // brown
}

var (
	markColour     = rgb(0x88, 0x88, 0x88)
	gridColour     = rgb(0xdd, 0xdd, 0xdd)
	intervalColour = rgb(0x33, 0x33, 0x33)
)

func rgb(r, g, b uint8) color.Color { return color.RGBA{R: r, G: g, B: b, A: 0xff} }

// textStyle is black Liberation Sans of the given size in points, centred.
func textStyle(size vg.Length) text.Style {
	return text.Style{
		Color:   color.Black,
		Font:    font.From(sans, size),
		XAlign:  draw.XCenter,
		YAlign:  draw.YTop,
		Handler: plot.DefaultTextHandler,
	}
}

var (
	figureTitleStyle = textStyle(13)
	panelTitleStyle  = textStyle(11)
	legendStyle      = textStyle(10)
	tickStyle        = textStyle(9)
)

// setFonts gives a plot's axis labels and tick labels Liberation Sans,
// keeping the alignments gonum chose for each.
func setFonts(p *plot.Plot) {
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = legendStyle.Font
		a.Tick.Label.Font = tickStyle.Font
		a.Tick.Length = 4
	}
}

var lineStyle = draw.LineStyle{Width: vg.Points(1.75)}

func glyph(s Style, c color.Color) draw.GlyphStyle {
	if s == Marks {
		return draw.GlyphStyle{Color: markColour, Radius: 3.5, Shape: draw.CrossGlyph{}}
	}
	return draw.GlyphStyle{Color: c, Radius: 3, Shape: draw.CircleGlyph{}}
}
