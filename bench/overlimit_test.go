package bench

import (
	"strings"
	"testing"
)

// TestSharesOverTheirLimit: a rate above the probe paired with it is held
// to the run's best probe instead; one above even that (a --quick run on a
// busy host: the GEMM beat the FMA peak) is printed with † and the note
// that the limit was measured low, and sets OverLimit; a clean result has
// neither.
func TestSharesOverTheirLimit(t *testing.T) {
	r := fixedResult()
	r.KernelRows[0].Probed, r.KernelRows[0].GBs = 25, 30 // 120% of its paired probe, 75% of the run's 40 GB/s
	r.KernelRows[1].GFLOPS = 276                         // 138% of the 200 GFLOP/s peak
	r.Models[1].TGBandwidthGBs = 20                      // 22 GB/s: 110% of its paired probe, 55% of the run's
	r.fillShares()
	if k := r.KernelRows[0]; k.Pct != 75 || k.Probed != 0 {
		t.Errorf("matvec held to %.0f%% of %.1f, want 75%% of the run's best", k.Pct, k.Probed)
	}
	if k := r.KernelRows[1]; k.Pct != 138 || !r.OverLimit {
		t.Errorf("gemm %.0f%%, OverLimit %v", k.Pct, r.OverLimit)
	}
	if m := r.Models[1]; m.TGPctBW != 55 || m.TGBandwidthGBs != 0 {
		t.Errorf("tg %.0f%% (run %.0f%%), want the paired probe dropped", m.TGPctBW, m.TGPctBWRun)
	}
	md := Markdown(r)
	for _, want := range []string{"| 276.0 | 10.5 | 138% peak† |", "| 75% bw |", "† above 100%: the rate beat its limit, so the limit was measured low"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if strings.Count(md, "†") != 2 { // the row and the note
		t.Errorf("want exactly one share marked:\n%s", md)
	}

	clean := fixedResult()
	clean.fillShares()
	if md := Markdown(clean); clean.OverLimit || strings.Contains(md, "†") {
		t.Errorf("a result within its limits is marked:\n%s", md)
	}
	s := &ServeResult{SingleUserTokensPerS: 30, SingleUserLimit: 20, AggregateTokensPerS: 50, BatchLimit: 100, NoAdapterAggregate: 55, SingleUserITLP99ms: 1}
	if md := s.Markdown(); !strings.Contains(md, ": 150%†") || !strings.Contains(md, ": 50% |") || !strings.Contains(md, overLimitNote) {
		t.Errorf("bench serve report:\n%s", md)
	}
}
