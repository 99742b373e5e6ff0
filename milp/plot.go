package milp

import (
	"fmt"
	"math"
	"strings"

	"github.com/milp-lite/milp-lite/internal/atomicfile"
)

// The plots are written as SVG by hand: two simple charts do not earn a
// plotting dependency, and SVG opens in any browser.

const (
	plotW, plotH   = 640, 360
	plotL, plotR   = 64, 20
	plotT, plotB   = 64, 56
	plotFont       = `font-family="sans-serif" font-size="12"`
	titleFont      = `font-family="sans-serif" font-size="15"`
	colourPoint    = "#1f77b4"
	colourBest     = "#d62728"
	colourInterval = "#333333"
)

type svgCanvas struct {
	b          strings.Builder
	yMin, yMax float64
}

func newCanvas(title string, yMin, yMax float64, yLabel string) *svgCanvas {
	if yMax <= yMin {
		yMax = yMin + 1
	}
	c := &svgCanvas{yMin: yMin, yMax: yMax}
	fmt.Fprintf(&c.b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d">`+"\n", plotW, plotH, plotW, plotH)
	fmt.Fprintf(&c.b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&c.b, `<text x="%d" y="24" text-anchor="middle" %s>%s</text>`+"\n", plotW/2, titleFont, escape(title))
	// Axes, horizontal grid and y ticks.
	for i := 0; i <= 4; i++ {
		v := yMin + (yMax-yMin)*float64(i)/4
		y := c.y(v)
		fmt.Fprintf(&c.b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>`+"\n", plotL, y, plotW-plotR, y)
		fmt.Fprintf(&c.b, `<text x="%d" y="%.1f" text-anchor="end" %s>%.3f</text>`+"\n", plotL-6, y+4, plotFont, v)
	}
	fmt.Fprintf(&c.b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>`+"\n", plotL, plotH-plotB, plotW-plotR, plotH-plotB)
	fmt.Fprintf(&c.b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>`+"\n", plotL, plotT, plotL, plotH-plotB)
	fmt.Fprintf(&c.b, `<text x="14" y="%d" transform="rotate(-90 14 %d)" text-anchor="middle" %s>%s</text>`+"\n",
		(plotT+plotH-plotB)/2, (plotT+plotH-plotB)/2, plotFont, escape(yLabel))
	return c
}

func (c *svgCanvas) y(v float64) float64 {
	return float64(plotH-plotB) - (v-c.yMin)/(c.yMax-c.yMin)*float64(plotH-plotB-plotT)
}

func (c *svgCanvas) xLabel(text string) {
	fmt.Fprintf(&c.b, `<text x="%d" y="%d" text-anchor="middle" %s>%s</text>`+"\n", (plotL+plotW-plotR)/2, plotH-12, plotFont, escape(text))
}

func (c *svgCanvas) finish() string {
	c.b.WriteString("</svg>\n")
	return c.b.String()
}

func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// SearchSVG draws a search: each trial's score as a point and the best so far
// as a line.
func SearchSVG(title string, trials []TrialReport) string {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, t := range trials {
		if t.Error == "" {
			lo, hi = min(lo, t.Score), max(hi, t.Score)
		}
	}
	if math.IsInf(lo, 1) {
		lo, hi = 0, 1
	}
	pad := max((hi-lo)*0.1, 1e-3)
	c := newCanvas(title, math.Max(0, lo-pad), hi+pad, "validation score (ROUGE-L)")
	n := max(len(trials), 2)
	x := func(i int) float64 { return plotL + 20 + float64(i)/float64(n-1)*float64(plotW-plotL-plotR-40) }
	var path strings.Builder
	best := math.Inf(-1)
	for i, t := range trials {
		fmt.Fprintf(&c.b, `<text x="%.1f" y="%d" text-anchor="middle" %s>%d</text>`+"\n", x(i), plotH-plotB+16, plotFont, t.ID)
		if t.Error != "" {
			fmt.Fprintf(&c.b, `<text x="%.1f" y="%.1f" text-anchor="middle" %s fill="#999">×</text>`+"\n", x(i), c.y(c.yMin)-4, plotFont)
			continue
		}
		fmt.Fprintf(&c.b, `<circle cx="%.1f" cy="%.1f" r="4" fill="%s"/>`+"\n", x(i), c.y(t.Score), colourPoint)
		best = max(best, t.Score)
		cmd := "L"
		if path.Len() == 0 {
			cmd = "M"
		}
		fmt.Fprintf(&path, "%s%.1f %.1f ", cmd, x(i), c.y(best))
	}
	fmt.Fprintf(&c.b, `<path d="%s" fill="none" stroke="%s" stroke-width="2"/>`+"\n", path.String(), colourBest)
	// The legend sits between the title and the plot, clear of the data.
	fmt.Fprintf(&c.b, `<circle cx="%d" cy="46" r="4" fill="%s"/><text x="%d" y="50" %s>trial score</text>`+"\n", plotW-250, colourPoint, plotW-240, plotFont)
	fmt.Fprintf(&c.b, `<line x1="%d" y1="46" x2="%d" y2="46" stroke="%s" stroke-width="2"/><text x="%d" y="50" %s>best so far</text>`+"\n", plotW-136, plotW-124, colourBest, plotW-118, plotFont)
	c.xLabel("trial")
	return c.finish()
}

// SummarySVG draws each method's mean ROUGE-L over users as a bar with its
// 95% interval.
func SummarySVG(title string, summary []Summary) string {
	hi := 0.0
	for _, s := range summary {
		hi = max(hi, s.RougeL[0], s.RougeL[2])
	}
	if math.IsNaN(hi) || hi <= 0 {
		hi = 0.1
	}
	c := newCanvas(title, 0, hi*1.15, "ROUGE-L (mean over users, 95% interval)")
	slot := float64(plotW-plotL-plotR) / float64(max(len(summary), 1))
	for i, s := range summary {
		x0 := float64(plotL) + slot*float64(i) + slot*0.2
		w := slot * 0.6
		top := c.y(s.RougeL[0])
		fmt.Fprintf(&c.b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`+"\n", x0, top, w, c.y(0)-top, colourPoint)
		if lo, hi := s.RougeL[1], s.RougeL[2]; !math.IsNaN(lo) && !math.IsNaN(hi) {
			mid := x0 + w/2
			fmt.Fprintf(&c.b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="1.5"/>`+"\n", mid, c.y(max(lo, 0)), mid, c.y(hi), colourInterval)
			for _, v := range []float64{max(lo, 0), hi} {
				fmt.Fprintf(&c.b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="1.5"/>`+"\n", mid-6, c.y(v), mid+6, c.y(v), colourInterval)
			}
		}
		fmt.Fprintf(&c.b, `<text x="%.1f" y="%d" text-anchor="middle" %s>%s</text>`+"\n", x0+w/2, plotH-plotB+16, plotFont, escape(string(s.Method)))
	}
	c.xLabel("method")
	return c.finish()
}

// WriteSVG writes an SVG document to path, atomically.
func WriteSVG(path, svg string) error { return atomicfile.WriteFile(path, []byte(svg)) }
