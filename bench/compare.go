package bench

import (
	"fmt"
	"strings"
)

// Compare sets results side by side in one markdown table, one column per
// result (named by names), one row per measurement any of them has. Numbers
// after the first column carry their ratio to the first, so that a run on
// another CPU or kernel level reads as a speed-up.
func Compare(results []*Result, names []string) string {
	type row struct {
		label string
		vals  []float64
		ok    []bool // the result has this measurement
	}
	var rows []*row
	index := map[string]*row{}
	set := func(label string, col int, v float64) {
		r, found := index[label]
		if !found {
			r = &row{label: label, vals: make([]float64, len(results)), ok: make([]bool, len(results))}
			index[label] = r
			rows = append(rows, r)
		}
		r.vals[col], r.ok[col] = v, true
	}
	for i, res := range results {
		if res.BandwidthGBs > 0 {
			set("memory bandwidth, GB/s", i, res.BandwidthGBs)
		}
		if res.PeakGFLOPS > 0 {
			set("f32 FMA peak, GFLOP/s", i, res.PeakGFLOPS)
		}
		for _, k := range res.KernelRows {
			what := "GFLOP/s"
			v := k.GFLOPS
			if k.Roofline == "bandwidth" {
				what, v = "GB/s", k.GBs
			}
			set(fmt.Sprintf("%s %s %s %s, %s", k.Kernel, k.Shape, k.Type, kernelSize(k), what), i, v)
		}
		for _, m := range res.Models {
			set(fmt.Sprintf("%s %s pp%d%s, t/s", m.Model, m.Type, m.PPTokens, atDepth(m.Depth)), i, m.PPTokensPerS)
			set(fmt.Sprintf("%s %s tg%d%s, t/s", m.Model, m.Type, m.TGTokens, atDepth(m.Depth)), i, m.TGTokensPerS)
		}
	}

	var b strings.Builder
	cells := func(first string, rest []string) {
		b.WriteString("| " + first + " | " + strings.Join(rest, " | ") + " |\n")
	}
	cells("", names)
	seps := make([]string, len(results))
	for i := range seps {
		seps[i] = "---:"
	}
	b.WriteString("|---|" + strings.Join(seps, "|") + "|\n")
	info := func(label string, f func(*Result) string) {
		vals := make([]string, len(results))
		for i, r := range results {
			vals[i] = escapeCell(f(r))
		}
		cells(label, vals)
	}
	info("CPU", func(r *Result) string { return orUnknown(r.CPU.Brand) })
	info("kernels", func(r *Result) string { return r.Kernels })
	info("threads", func(r *Result) string { return fmt.Sprint(r.CPU.Threads) })
	info("Go, OS/arch", func(r *Result) string { return fmt.Sprintf("%s %s/%s", r.CPU.GoVersion, r.CPU.OS, r.CPU.Arch) })
	info("date", func(r *Result) string { return r.Date })
	for _, r := range rows {
		vals := make([]string, len(results))
		for i := range results {
			switch {
			case !r.ok[i]:
				vals[i] = "–"
			case i > 0 && r.ok[0] && r.vals[0] > 0:
				vals[i] = fmt.Sprintf("%.1f (%.2f×)", r.vals[i], r.vals[i]/r.vals[0])
			default:
				vals[i] = fmt.Sprintf("%.1f", r.vals[i])
			}
		}
		cells(r.label, vals)
	}
	return b.String()
}

// escapeCell keeps a value from breaking the table.
func escapeCell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }
