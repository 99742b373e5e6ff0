package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/milp-lite/milp-lite/internal/atomicfile"
)

// Markdown renders a result as a short header and markdown tables: the
// machine, the kernels and the models, each number beside its roofline.
func Markdown(r *Result) string {
	return withOverLimitNote(markdown(r))
}

func markdown(r *Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## milp-lite bench\n\n%s\n\n", describeMachine(r))
	if r.BandwidthGBs > 0 || r.PeakGFLOPS > 0 {
		b.WriteString("| machine | measured | method |\n|---|---:|---|\n")
		fmt.Fprintf(&b, "| memory bandwidth (read) | %.1f GB/s | %s |\n", r.BandwidthGBs, r.BandwidthMethod)
		fmt.Fprintf(&b, "| f32 FMA peak | %.1f GFLOP/s | %s |\n", r.PeakGFLOPS, r.PeakMethod)
		if r.PeakProbes > 0 {
			// The reading depends on the ratio: the sentence used to hedge
			// ("far below it, ...") whatever the number was.
			reading := "the FMA units were mostly the run's own, though loops with loads can still feel other tenants"
			if r.PeakMedianGFLOPS < quietProbeShare*r.PeakGFLOPS {
				reading = "other tenants took the cores for much of the run"
			}
			fmt.Fprintf(&b, "| f32 FMA, median probe | %.1f GFLOP/s | %d probes of ~16 ms (%.0f%% of the peak: %s) |\n",
				r.PeakMedianGFLOPS, r.PeakProbes, percent(r.PeakMedianGFLOPS, r.PeakGFLOPS), reading)
		}
		b.WriteString("\n")
	}
	if len(r.KernelRows) > 0 {
		b.WriteString("| kernel | shape | type | size | GFLOP/s | GB/s | % of roofline |\n|---|---|---|---|---:|---:|---:|\n")
		for _, k := range r.KernelRows {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %.1f | %.1f | %s |\n",
				k.Kernel, k.Shape, k.Type, kernelSize(k), k.GFLOPS, k.GBs, pairedPct(k.Pct, k.Probed, k.PctRun, rooflineWord(k.Roofline)))
		}
		b.WriteString("\n")
	}
	b.WriteString(peerTable(r.KernelPeers))
	if len(r.Models) > 0 {
		pp, tg, depth := r.Models[0].PPTokens, r.Models[0].TGTokens, r.Models[0].Depth
		fmt.Fprintf(&b, "| model | type | weights/token | pp%d%s t/s | GFLOP/s | %% of peak | tg%d%s t/s | GB/s | %% of bandwidth |\n",
			pp, atDepth(depth), tg, atDepth(depth))
		b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|\n")
		var notes []string
		for _, m := range r.Models {
			typ := m.Type
			if len(m.MatrixTypes) > 1 {
				notes = append(notes, fmt.Sprintf("%s %s: matrices stored as %s", m.Model, m.Type, typeCounts(m.MatrixTypes)))
				typ += fmt.Sprintf("[^%d]", len(notes))
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %.1f | %.1f | %s | %.1f | %.1f | %s |\n",
				m.Model, typ, humanBytes(m.WeightBytes), m.PPTokensPerS, m.PPGFLOPS, pctOf(m.PPPctPeak, ""),
				m.TGTokensPerS, m.TGGBs, pairedPct(m.TGPctBW, m.TGBandwidthGBs, m.TGPctBWRun, ""))
		}
		for i, n := range notes {
			fmt.Fprintf(&b, "\n[^%d]: %s", i+1, n)
		}
		if len(notes) > 0 {
			b.WriteString("\n")
		}
		start := ""
		if depth > 0 {
			start = fmt.Sprintf(", both after %d tokens in the KV cache (@ d%d)", depth, depth)
		}
		fmt.Fprintf(&b, "\npp: one forward pass over a %d-token prompt; tg: %d forward passes of one token%s; each repeated (for at least a second unless --quick) and the best pass kept, as for the bandwidth and the peak. "+
			"%% of peak: FLOPs (2 per matrix weight per token, plus attention) per second ÷ FMA peak; "+
			"%% of bandwidth: bytes read per token (the weights, and the KV cache: %s a token on average for the first model) × tokens/s ÷ the best bandwidth probe run between that model's generation passes "+
			"(the GB/s after \"of\": the VM's bandwidth moves with its placement; the matvec likewise), and in brackets ÷ the best probe of the whole run (the machine table).\n",
			pp, tg, start, humanBytes(r.Models[0].KVBytes))
	}
	if len(r.Training) > 0 {
		b.WriteString("\n| LoRA training | type | rank | seq | train tokens/s | GFLOP/s | % of peak |\n|---|---|---:|---:|---:|---:|---:|\n")
		for _, t := range r.Training {
			fmt.Fprintf(&b, "| %s | %s | %d | %d | %.1f | %.1f | %s |\n", t.Model, t.Type, t.Rank, t.Seq, t.TrainTokensPerS, t.GFLOPS, pctOf(t.PctPeak, ""))
		}
		b.WriteString("\nTraining: forward, backward and AdamW, rank-r LoRA on every FFN site of every layer; FLOPs: 4 per frozen " +
			"weight (forward and input gradient), 6 per LoRA weight, plus attention.\n")
	}
	return b.String()
}

// describeMachine is the one-line account of where and how r was measured.
func describeMachine(r *Result) string {
	c := r.CPU
	quick := ""
	if r.Quick {
		quick = " (quick run)"
	}
	return fmt.Sprintf("%s [%s]; %d cores, GOMAXPROCS %d, %d threads; kernels %s; %s %s/%s; %s%s",
		orUnknown(c.Brand), strings.Join(c.Features, " "), c.Cores, c.GOMAXPROCS, c.Threads,
		r.Kernels, c.GoVersion, c.OS, c.Arch, r.Date, quick)
}

func orUnknown(s string) string {
	if strings.TrimSpace(s) == "" {
		return "unknown CPU"
	}
	return s
}

func kernelSize(k KernelRow) string {
	if k.N > 1 {
		return fmt.Sprintf("%d×%d ×%d", k.Rows, k.Cols, k.N)
	}
	return fmt.Sprintf("%d×%d", k.Rows, k.Cols)
}

func rooflineWord(r string) string {
	if r == "bandwidth" {
		return " bw"
	}
	return " " + r
}

// pairedPct renders a share of the roofline probed between a measurement's
// own passes, that roofline, and the share of the run's best probe:
// "71% bw of 77.1 (69%)"; without a paired probe, only the latter.
func pairedPct(p, roofline, run float64, word string) string {
	if p <= 0 || roofline <= 0 {
		return pctOf(run, word)
	}
	return fmt.Sprintf("%.0f%%%s of %.1f (%s)", p, word, roofline, pctOf(run, ""))
}

// pctOf renders a percentage, or "–" when there was no roofline to compare
// with. A share above 100% is marked with overLimitMark: a rate cannot beat
// its limit, so the limit was measured low, and overLimitNote says so under
// the table.
func pctOf(p float64, suffix string) string {
	if p <= 0 {
		return "–"
	}
	if p > 100 {
		return fmt.Sprintf("%.0f%%%s%s", p, suffix, overLimitMark)
	}
	return fmt.Sprintf("%.0f%%%s", p, suffix)
}

// overLimitMark flags a share above 100% of its limit (see overLimitNote).
const overLimitMark = "†"

// overLimitNote explains overLimitMark: a figure above its limit means the
// limit's probes ran while other work held the cores or the memory bus (a
// busy host; --quick's probes are short and few), so the limit is low; the
// share is already of the run's best probe, and the true one is lower.
const overLimitNote = "\n† above 100%: the rate beat its limit, so the limit was measured low (other work held the cores or the memory bus " +
	"during every probe of it; --quick probes briefly). The share is of the run's best probe; the true share is lower. Rerun on a quieter host, without --quick.\n"

// withOverLimitNote appends overLimitNote to a report that marks a share.
func withOverLimitNote(report string) string {
	if strings.Contains(report, overLimitMark) {
		return report + overLimitNote
	}
	return report
}

// typeCounts renders {"Q5_0": 151, "Q4_K": 30} as "151 Q5_0, 30 Q4_K", largest first.
func typeCounts(counts map[string]int) string {
	types := make([]string, 0, len(counts))
	for t := range counts {
		types = append(types, t)
	}
	slices.SortFunc(types, func(a, b string) int {
		if counts[a] != counts[b] {
			return counts[b] - counts[a]
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(types))
	for i, t := range types {
		parts[i] = fmt.Sprintf("%d %s", counts[t], t)
	}
	return strings.Join(parts, ", ")
}

// JSON encodes a result, indented, with a final newline.
func JSON(r *Result) ([]byte, error) {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("bench: encoding result: %w", err)
	}
	return append(data, '\n'), nil
}

// WriteJSON writes a result to path atomically (see atomicfile.Write), so a
// reader never sees half a file.
func WriteJSON(path string, r *Result) error {
	data, err := JSON(r)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, data)
}

// ReadJSON reads a result written by WriteJSON.
func ReadJSON(path string) (*Result, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Result
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: not a milp-lite bench result: %w", path, err)
	}
	if r.Date == "" || r.Kernels == "" {
		return nil, fmt.Errorf("%s: not a milp-lite bench result (no date or kernel level)", path)
	}
	return &r, nil
}

// quietProbeShare is the median FMA probe, as a share of the best, from
// which a run counts as mostly undisturbed: 86–94% on the shared 2-vCPU
// Xeon and Zen 3 VMs of 2026-12, 65% on a Zen 1 VM whose probe switched
// between full and half speed every few hundred milliseconds.
const quietProbeShare = 0.85

// atDepth is the " @ dN" that labels tests run after N cached tokens
// (llama-bench's notation), or nothing at depth 0.
func atDepth(depth int) string {
	if depth == 0 {
		return ""
	}
	return fmt.Sprintf(" @ d%d", depth)
}
