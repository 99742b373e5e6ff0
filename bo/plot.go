package bo

import (
	"fmt"
	"html"
	"math"
	"strings"

	"github.com/milp-lite/milp-lite/internal/atomicfile"
)

// The regret plot is plain SVG text: one panel per test function, median
// simple regret on a log axis against the number of evaluations, one line per
// method. Any browser opens it; no plotting dependency is needed.

const (
	panelW, panelH   = 420, 300
	marginL, marginR = 64, 16
	marginT, marginB = 36, 44
	regretFloor      = 1e-8 // zero regret is drawn at this floor of the log axis
)

var methodColors = map[string]string{MethodGPEI: "#1f77b4", MethodRandom: "#d62728"}

// SVG renders the median regret curves.
func (r *BenchmarkResult) SVG() string {
	var funcs []string
	byFunc := map[string][]RegretCurve{}
	for _, c := range r.Curves {
		if _, ok := byFunc[c.Function]; !ok {
			funcs = append(funcs, c.Function)
		}
		byFunc[c.Function] = append(byFunc[c.Function], c)
	}
	cols := min(2, max(1, len(funcs)))
	rows := (len(funcs) + cols - 1) / cols
	w, h := cols*panelW, rows*panelH+40
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">`+"\n", w, h, w, h)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", w, h)
	fmt.Fprintf(&b, `<text x="%d" y="22" font-size="15" text-anchor="middle">Median simple regret over %d seeds (%d initial points)</text>`+"\n",
		w/2, r.Options.Seeds, r.Options.InitialPoints)
	for i, f := range funcs {
		x0 := (i % cols) * panelW
		y0 := 40 + (i/cols)*panelH
		writePanel(&b, f, byFunc[f], x0, y0)
	}
	b.WriteString("</svg>\n")
	return b.String()
}

func writePanel(b *strings.Builder, name string, curves []RegretCurve, x0, y0 int) {
	px, py := float64(x0+marginL), float64(y0+marginT)
	pw, ph := float64(panelW-marginL-marginR), float64(panelH-marginT-marginB)
	n := 1
	lo, hi := math.Inf(1), math.Inf(-1)
	floored := false
	for _, c := range curves {
		n = max(n, len(c.Median))
		for _, v := range c.Median {
			floored = floored || v < regretFloor
			v = math.Max(v, regretFloor)
			lo = math.Min(lo, v)
			hi = math.Max(hi, v)
		}
	}
	if math.IsInf(lo, 0) {
		lo, hi = 1e-3, 1
	}
	decLo, decHi := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if decHi <= decLo {
		decHi = decLo + 1
	}
	xOf := func(e int) float64 { return px + pw*float64(e-1)/math.Max(1, float64(n-1)) }
	yOf := func(v float64) float64 {
		return py + ph*(decHi-math.Log10(math.Max(v, regretFloor)))/(decHi-decLo)
	}
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" font-size="13" text-anchor="middle">%s</text>`+"\n", px+pw/2, py-10, html.EscapeString(name))
	fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="#444"/>`+"\n", px, py, pw, ph)
	step := math.Max(1, math.Ceil((decHi-decLo)/6))
	for d := decLo; d <= decHi; d += step {
		y := yOf(math.Pow(10, d))
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", px, y, px+pw, y)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="end">1e%d</text>`+"\n", px-4, y+4, int(d))
	}
	tick := max(1, niceStep(n))
	for e := tick; e <= n; e += tick {
		x := xOf(e)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", x, py, x, py+ph)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">%d</text>`+"\n", x, py+ph+14, e)
	}
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">evaluations</text>`+"\n", px+pw/2, py+ph+32)
	fmt.Fprintf(b, `<text transform="translate(%.1f,%.1f) rotate(-90)" text-anchor="middle">median regret</text>`+"\n", px-46, py+ph/2)
	if floored {
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" fill="#666">regret 0 drawn at %g</text>`+"\n", px+6, py+ph-6, regretFloor)
	}
	for i, c := range curves {
		color := methodColors[c.Method]
		if color == "" {
			color = "#2ca02c"
		}
		var pts []string
		for e, v := range c.Median {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", xOf(e+1), yOf(v)))
		}
		fmt.Fprintf(b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`+"\n", color, strings.Join(pts, " "))
		ly := py + 14 + float64(i)*15
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2"/>`+"\n", px+pw-90, ly-4, px+pw-70, ly-4, color)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f">%s</text>`+"\n", px+pw-66, ly, html.EscapeString(c.Method))
	}
}

// niceStep picks a tick spacing of 1, 2 or 5 × 10^k giving about six ticks.
func niceStep(n int) int {
	raw := float64(n) / 6
	mag := math.Pow(10, math.Floor(math.Log10(math.Max(raw, 1))))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			return int(m * mag)
		}
	}
	return int(10 * mag)
}

// WriteSVG writes the regret plot to path atomically (see atomicfile.Write).
func (r *BenchmarkResult) WriteSVG(path string) error {
	return atomicfile.WriteFile(path, []byte(r.SVG()))
}
