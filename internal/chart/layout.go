package chart

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// The figure, top to bottom: its title, one row of legend entries, then the
// grid of panels. The legend has a band of its own, so it can never cover a
// curve, whatever the data.
const (
	margin    = vg.Length(6) // around the figure, and between header lines
	thumbSize = vg.Length(18)
	entryGap  = vg.Length(16) // between legend entries
)

// entry is one legend entry: a series name and how it is drawn.
type entry struct {
	name   string
	style  Style
	colour color.Color
}

// entries lists the figure's series names in order of first appearance,
// each with its colour.
func (f Figure) entries() []entry {
	var out []entry
	seen := map[string]bool{}
	for _, pn := range f.Panels {
		for _, s := range pn.Series {
			if s.Name == "" || seen[s.Name] {
				continue
			}
			seen[s.Name] = true
			c := markColour
			if s.Style != Marks {
				c = palette[len(out)%len(palette)]
			}
			out = append(out, entry{s.Name, s.Style, c})
		}
	}
	return out
}

// headerHeight is the height of the title and legend bands.
func headerHeight(f Figure) vg.Length {
	h := margin
	if f.Title != "" {
		h += figureTitleStyle.Height(f.Title) + margin
	}
	if len(f.entries()) > 0 {
		h += legendStyle.Height("M") + margin
	}
	return h
}

// panelTitleHeight is the band above each panel's plotting area that holds
// its title, if any panel has one.
func panelTitleHeight(f Figure) vg.Length {
	for _, pn := range f.Panels {
		if pn.Title != "" {
			return panelTitleStyle.Height("M") + margin
		}
	}
	return 0
}

// layout is where each part of a figure goes.
type layout struct {
	titleAt vg.Point     // top centre of the title
	legend  vg.Rectangle // the legend band's entries, empty if none
	entries []entry
	plots   [][]*plot.Plot // row-major; nil where the grid has no panel
	tiles   [][]draw.Canvas
}

func (f Figure) layout(dc draw.Canvas) layout {
	var l layout
	top := dc.Max.Y - margin
	centre := (dc.Min.X + dc.Max.X) / 2
	if f.Title != "" {
		l.titleAt = vg.Point{X: centre, Y: top}
		top -= figureTitleStyle.Height(f.Title) + margin
	}
	l.entries = f.entries()
	if len(l.entries) > 0 {
		w := legendWidth(l.entries)
		h := legendStyle.Height("M")
		l.legend = vg.Rectangle{Min: vg.Point{X: centre - w/2, Y: top - h}, Max: vg.Point{X: centre + w/2, Y: top}}
		top -= h + margin
	}
	colours := map[string]color.Color{}
	for _, e := range l.entries {
		colours[e.name] = e.colour
	}
	cols, rows := f.grid()
	l.plots = make([][]*plot.Plot, rows)
	for r := range l.plots {
		l.plots[r] = make([]*plot.Plot, cols)
	}
	for i, pn := range f.Panels {
		l.plots[i/cols][i%cols] = pn.plot(colours)
	}
	area := dc
	area.Max.Y = top
	// Panel titles are drawn here rather than by gonum, which puts them at
	// the top of the tile: aligned plotting areas would leave them at
	// different heights.
	band := panelTitleHeight(f)
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: 14, PadY: 10 + band, PadTop: band, PadLeft: 4, PadRight: 10, PadBottom: 4}
	l.tiles = plot.Align(l.plots, tiles, area)
	return l
}

func (f Figure) draw(dc draw.Canvas) {
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	l := f.layout(dc)
	if f.Title != "" {
		dc.FillText(figureTitleStyle, l.titleAt, f.Title)
	}
	drawLegend(dc, l.legend, l.entries)
	cols, _ := f.grid()
	for i, pn := range f.Panels {
		p, tile := l.plots[i/cols][i%cols], l.tiles[i/cols][i%cols]
		p.Draw(tile)
		if pn.Title != "" {
			data := p.DataCanvas(tile)
			sty := panelTitleStyle
			sty.YAlign = draw.YBottom
			dc.FillText(sty, vg.Point{X: (data.Min.X + data.Max.X) / 2, Y: data.Max.Y + margin}, pn.Title)
		}
	}
}

func legendWidth(entries []entry) vg.Length {
	var w vg.Length
	for i, e := range entries {
		if i > 0 {
			w += entryGap
		}
		w += thumbSize + margin + legendStyle.Width(e.name)
	}
	return w
}

// drawLegend draws the entries left to right in the band.
func drawLegend(dc draw.Canvas, band vg.Rectangle, entries []entry) {
	sty := legendStyle
	sty.XAlign, sty.YAlign = draw.XLeft, draw.YCenter
	mid := (band.Min.Y + band.Max.Y) / 2
	x := band.Min.X
	for _, e := range entries {
		switch e.style {
		case Line, Steps:
			line := lineStyle
			line.Color = e.colour
			dc.StrokeLine2(line, x, mid, x+thumbSize, mid)
		default:
			dc.DrawGlyph(glyph(e.style, e.colour), vg.Point{X: x + thumbSize/2, Y: mid})
		}
		x += thumbSize + margin
		dc.FillText(sty, vg.Point{X: x, Y: mid}, e.name)
		x += legendStyle.Width(e.name) + entryGap
	}
}
