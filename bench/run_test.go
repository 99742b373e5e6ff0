package bench

import (
	"math"
	"strings"
	"testing"

	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/quant"
)

func TestModelAccountingByHand(t *testing.T) {
	// tinyShape: per layer Wq 64×64, Wk and Wv 32×64 (2 KV heads of 16),
	// Wo 64×64, gate and up 256×64, down 64×256: 61440 values; 2 layers.
	const layers = 2 * 61440
	const table = 300 * 64
	cases := []struct {
		typ   quant.Type
		tied  bool
		bytes int64
	}{
		// Untied F32: layers and output at 4 bytes, plus one embedding row.
		{quant.F32, false, (layers+table)*4 + 64*4},
		// Tied: the table is read once, as the output matrix.
		{quant.F32, true, (layers + table) * 4},
		// Q8_0: 34 bytes per 32 values; the row is two blocks.
		{quant.Q8_0, false, (layers+table)/32*34 + 2*34},
	}
	for _, tc := range cases {
		s := tinyShape
		s.Tied = tc.tied
		s.Name = "tiny-acct"
		path, _, err := (&ModelCache{Dir: t.TempDir(), Seed: 1}).Ensure(s, tc.typ, nil)
		if err != nil {
			t.Fatal(err)
		}
		m, err := nn.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		row := modelAccounting(m)
		params := int64(layers + table)
		if !tc.tied {
			params += table
		}
		if row.WeightBytes != tc.bytes || row.Params != params || row.Type != tc.typ.String() {
			t.Errorf("%s tied=%v: bytes %d params %d type %s, want %d, %d, %s", tc.typ, tc.tied, row.WeightBytes, row.Params, row.Type, tc.bytes, params, tc.typ)
		}
		// 4 tokens: 2 FLOPs per layer weight per token, the output once,
		// attention 4·headDim·heads·layers·(1+2+3+4).
		want := 2.0*layers*4 + 2*table + 4*16*4*2*10
		if got := promptFLOPs(m, 4, 0); got != want {
			t.Errorf("promptFLOPs = %v, want %v", got, want)
		}
		// After 5 cached tokens the 4 tokens see 6, 7, 8 and 9 positions.
		want = 2.0*layers*4 + 2*table + 4*16*4*2*30
		if got := promptFLOPs(m, 4, 5); got != want {
			t.Errorf("promptFLOPs at depth 5 = %v, want %v", got, want)
		}
		// Generating 3 tokens after 5 reads 6, 7 and 8 positions of keys and
		// values (float32) in every layer: 7 on average.
		c := &m.Config
		if got, want := kvBytesPerToken(m, 5, 3, nn.KVF32), int64(c.Layers*2*c.KVHeads*c.HeadDim*4*7); got != want {
			t.Errorf("kvBytesPerToken(5, 3) = %d, want %d", got, want)
		}
		if got, want := kvBytesPerToken(m, 5, 3, nn.KVF16), int64(c.Layers*2*c.KVHeads*c.HeadDim*2*7); got != want {
			t.Errorf("kvBytesPerToken(5, 3) with halves = %d, want %d", got, want)
		}
		m.Close()
	}
}

func TestRunTinyProducesSaneNumbers(t *testing.T) {
	opts := DefaultOptions()
	opts.CacheDir = t.TempDir()
	opts.Shapes = []nn.Shape{tinyShape}
	opts.Types = []quant.Type{quant.F32, quant.Q8_0}
	opts.Reps, opts.PPTokens, opts.TGTokens, opts.KernelTime, opts.MachineTime = 1, 32, 8, 0.02, 0.1
	lastDone, calls, total := -1, 0, 0
	res, err := Run(opts, func(step string, done, tot int) {
		calls++
		if done < lastDone || done > tot || step == "" {
			t.Errorf("progress went from %d to %d of %d (%q)", lastDone, done, tot, step)
		}
		lastDone, total = done, tot
	})
	if err != nil {
		t.Fatal(err)
	}
	if total != 6 || lastDone != total || calls < total {
		t.Errorf("progress: %d calls, ended at %d of %d, want 6 steps", calls, lastDone, total)
	}
	finitePositive := func(what string, x float64) {
		if !(x > 0) || math.IsInf(x, 0) {
			t.Errorf("%s = %v, want a positive finite number", what, x)
		}
	}
	finitePositive("bandwidth", res.BandwidthGBs)
	finitePositive("peak", res.PeakGFLOPS)
	// Every FMA probe counts towards the median: the machine measurements
	// at the start, after each model and at the end make several.
	finitePositive("median peak", res.PeakMedianGFLOPS)
	if res.PeakMedianGFLOPS > res.PeakGFLOPS || res.PeakProbes < 3 {
		t.Errorf("median probe %v GFLOP/s of %d probes, best %v", res.PeakMedianGFLOPS, res.PeakProbes, res.PeakGFLOPS)
	}
	if len(res.KernelRows) != 4 {
		t.Fatalf("%d kernel rows, want matvec and gemm for 2 types", len(res.KernelRows))
	}
	for _, k := range res.KernelRows {
		finitePositive(k.Kernel+" GFLOP/s", k.GFLOPS)
		finitePositive(k.Kernel+" GB/s", k.GBs)
		finitePositive(k.Kernel+" %", k.Pct)
		// The matvec of the bandwidth probed between its own batches, and
		// of the run's best probe, which counts those; the GEMM of the
		// run's best peak alone.
		rate, run, paired := k.GFLOPS, res.PeakGFLOPS, res.PeakGFLOPS
		if k.Roofline == "bandwidth" {
			rate, run, paired = k.GBs, res.BandwidthGBs, k.Probed
		} else if k.Probed != 0 {
			t.Errorf("the GEMM has a paired probe (%v): it is held to the run's peak", k.Probed)
		}
		if want := 100 * rate / paired; math.Abs(k.Pct-want) > 1e-9*want {
			t.Errorf("%s %% of %s %v, want %v", k.Kernel, k.Roofline, k.Pct, want)
		}
		if want := 100 * rate / run; math.Abs(k.PctRun-want) > 1e-9*want || k.Probed > run {
			t.Errorf("%s %% of the run's %s %v, want %v (probed %v, run's best %v)", k.Kernel, k.Roofline, k.PctRun, want, k.Probed, run)
		}
		if k.Rows != 64 || k.Cols != 256 {
			t.Errorf("%s on %d×%d, want the FFN down matrix 64×256", k.Kernel, k.Rows, k.Cols)
		}
	}
	if len(res.Models) != 2 || res.Models[0].Type != "F32" || res.Models[1].Type != "Q8_0" {
		t.Fatalf("model rows %+v", res.Models)
	}
	for _, m := range res.Models {
		finitePositive("pp", m.PPTokensPerS)
		finitePositive("tg", m.TGTokensPerS)
		finitePositive("pp %", m.PPPctPeak)
		finitePositive("tg %", m.TGPctBW)
		if m.PPTokens != 32 || m.TGTokens != 8 || m.Model != "tiny" {
			t.Errorf("row %+v", m)
		}
		// The derived numbers follow from the measured ones.
		if gbs := float64(m.WeightBytes+m.KVBytes) * m.TGTokensPerS / 1e9; m.KVBytes <= 0 || math.Abs(gbs-m.TGGBs) > 1e-9*gbs {
			t.Errorf("tg GB/s %v, want %v", m.TGGBs, gbs)
		}
		// Generation against the bandwidth probed between its own passes
		// and against the run's best probe, which includes those.
		if pct := 100 * m.TGGBs / m.TGBandwidthGBs; math.Abs(pct-m.TGPctBW) > 1e-9*pct {
			t.Errorf("tg %% of bandwidth %v, want %v", m.TGPctBW, pct)
		}
		if pct := 100 * m.TGGBs / res.BandwidthGBs; math.Abs(pct-m.TGPctBWRun) > 1e-9*pct {
			t.Errorf("tg %% of the run's bandwidth %v, want %v", m.TGPctBWRun, pct)
		}
		if m.TGBandwidthGBs > res.BandwidthGBs {
			t.Errorf("a model's probe (%v GB/s) beats the run's best (%v)", m.TGBandwidthGBs, res.BandwidthGBs)
		}
		// Prompts against the run's best FMA peak: it is each core's own
		// and does not move with the VM's placement.
		if pct := 100 * m.PPGFLOPS / res.PeakGFLOPS; math.Abs(pct-m.PPPctPeak) > 1e-9*pct {
			t.Errorf("pp %% of peak %v, want %v", m.PPPctPeak, pct)
		}
	}
	if res.Kernels == "" || res.CPU.Threads < 1 || res.CPU.GoVersion == "" || res.Date == "" {
		t.Errorf("machine description incomplete: %+v", res)
	}
	if res.PPTokensPerS != nil {
		t.Error("top-level pp_tokens_per_s set for a run of several models")
	}
}

func TestRunOnModelFile(t *testing.T) {
	path, _, err := (&ModelCache{Dir: t.TempDir(), Seed: 1}).Ensure(tinyShape, quant.Q8_0, nil)
	if err != nil {
		t.Fatal(err)
	}
	opts := DefaultOptions()
	opts.ModelFiles = []string{path}
	opts.Reps, opts.PPTokens, opts.TGTokens, opts.SkipMachine = 1, 16, 4, true
	res, err := Run(opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.KernelRows) != 0 || len(res.Models) != 1 || res.PPTokensPerS == nil || *res.PPTokensPerS != res.Models[0].PPTokensPerS || *res.TGTokensPerS <= 0 {
		t.Fatalf("result %+v", res)
	}
	if res.Models[0].PPPctPeak != 0 || res.Models[0].TGPctBW != 0 {
		t.Error("rooflines reported without a machine measurement")
	}
	if _, err := Run(Options{ModelFiles: []string{path + ".missing"}, PPTokens: 1, TGTokens: 1, SkipMachine: true}, nil); err == nil {
		t.Error("a missing model file is not an error")
	}

	// With a depth the tests start after that many cached tokens: the row
	// records it, counts the cache in the bytes a token reads, and the
	// prompt's attention over it in the FLOPs; a depth the context cannot
	// hold is an error naming it.
	opts.Depth = 200
	res, err = Run(opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := nn.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	row := res.Models[0]
	if row.Depth != 200 || row.KVBytes != kvBytesPerToken(m, 200, 4, nn.KVF32) || !(row.TGTokensPerS > 0) ||
		math.Abs(row.PPGFLOPS*16/row.PPTokensPerS-promptFLOPs(m, 16, 200)/1e9) > 1e-9*row.PPGFLOPS {
		t.Fatalf("row at depth 200: %+v", row)
	}
	opts.Depth = tinyShape.Context - 15
	if _, err := Run(opts, nil); err == nil || !strings.Contains(err.Error(), "context is 256 positions: a depth of 241") {
		t.Fatalf("a depth past the context: %v", err)
	}
	synth := DefaultOptions()
	synth.Shapes, synth.Depth, synth.CacheDir = []nn.Shape{tinyShape}, 200, t.TempDir()
	if _, err := Run(synth, nil); err == nil || !strings.Contains(err.Error(), "tiny holds 256 positions, and a depth of 200 with pp128 needs 328") {
		t.Fatalf("a synthetic shape too short for the depth: %v", err)
	}
}

func TestMeasureModel(t *testing.T) {
	path, _, err := (&ModelCache{Dir: t.TempDir(), Seed: 1}).Ensure(tinyShape, quant.F32, nil)
	if err != nil {
		t.Fatal(err)
	}
	pp, tg, err := MeasureModel(path, 0)
	if err != nil || !(pp > 0) || !(tg > 0) {
		t.Fatalf("pp %v tg %v err %v", pp, tg, err)
	}
}
