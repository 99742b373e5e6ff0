package bench

import (
	"fmt"
	"slices"
	"strings"
)

// peerTable renders the kernel peers as one markdown row per kernel and a
// column per implementation, in the order measured; "" without rows. The
// GEMM, compute-bound, is shown in GFLOP/s, the others, bound by moving
// their operands, in GB/s (the JSON has both).
func peerTable(rows []PeerRow) string {
	if len(rows) == 0 {
		return ""
	}
	var impls, kernels []string
	byKey := map[[2]string]PeerRow{}
	for _, r := range rows {
		if !slices.Contains(impls, r.Impl) {
			impls = append(impls, r.Impl)
		}
		if !slices.Contains(kernels, r.Kernel) {
			kernels = append(kernels, r.Kernel)
		}
		byKey[[2]string{r.Kernel, r.Impl}] = r
	}
	var b strings.Builder
	fmt.Fprintf(&b, "| f32 kernel | size | unit | %s |\n|---|---|---|%s\n", strings.Join(impls, " | "), strings.Repeat("---:|", len(impls)))
	var notes []string
	for _, k := range kernels {
		unit, size := "GB/s", ""
		if k == "gemm" {
			unit = "GFLOP/s"
		}
		cells := make([]string, len(impls))
		for i, impl := range impls {
			r, ok := byKey[[2]string{k, impl}]
			if !ok {
				cells[i] = "–"
				continue
			}
			size = r.Size
			rate := r.GBs
			if unit == "GFLOP/s" {
				rate = r.GFLOPS
			}
			cells[i] = fmt.Sprintf("%.1f", rate)
			if r.Threads > 1 {
				cells[i] += fmt.Sprintf(" (%d threads)", r.Threads)
			}
			if r.Note != "" {
				notes = append(notes, fmt.Sprintf("%s %s: %s", impl, k, r.Note))
				cells[i] += fmt.Sprintf("[^p%d]", len(notes))
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", k, size, unit, strings.Join(cells, " | "))
	}
	for i, n := range notes {
		fmt.Fprintf(&b, "\n[^p%d]: %s", i+1, n)
	}
	if len(notes) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("\nThe same data for every implementation, one thread unless stated; GB/s counts each operand read or written once.\n\n")
	return b.String()
}
