package bench

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/milp-lite/milp-lite/internal/atomicfile"
)

// fixedResult is a hand-made result: every derived number in it is
// consistent with the others, as Run would make them.
func fixedResult() *Result {
	return &Result{
		Date: "2025-01-02T03:04:05Z",
		CPU: CPUInfo{Brand: "AMD Ryzen Test", Features: []string{"AVX2", "FMA3"}, Cores: 2, GOMAXPROCS: 2, Threads: 2,
			GoVersion: "go1.26.0", OS: "linux", Arch: "amd64"},
		Kernels: "avx2", Seed: 1,
		BandwidthGBs: 40, PeakGFLOPS: 200, BandwidthMethod: "loop A", PeakMethod: "loop B",
		PeakMedianGFLOPS: 120, PeakProbes: 40,
		KernelRows: []KernelRow{
			{Kernel: "matvec", Shape: "SmolLM2-135M", Type: "Q8_0", Rows: 576, Cols: 1536, N: 1, GFLOPS: 17.7, GBs: 30, Roofline: "bandwidth", Probed: 37.5, Pct: 80, PctRun: 75},
			{Kernel: "gemm", Shape: "SmolLM2-135M", Type: "F32", Rows: 576, Cols: 1536, N: 256, GFLOPS: 160, GBs: 10.5, Roofline: "peak", Pct: 80, PctRun: 80},
		},
		Models: []ModelRow{
			{Model: "SmolLM2-135M", Type: "Q8_0", MatrixTypes: map[string]int{"Q8_0": 211}, Params: 134515008, WeightBytes: 142920000,
				PPTokens: 128, TGTokens: 64, KVBytes: 1497600, PPTokensPerS: 500, TGTokensPerS: 200, PPGFLOPS: 140, PPPctPeak: 70, TGGBs: 28.584, TGPctBW: 71.46,
				TGBandwidthGBs: 40, TGPctBWRun: 71.46},
			{Model: "SmolLM2-135M", Type: "Q4_K", MatrixTypes: map[string]int{"Q5_0": 181, "Q4_K": 30}, Params: 134515008, WeightBytes: 88000000,
				PPTokens: 128, TGTokens: 64, PPTokensPerS: 300, TGTokensPerS: 250, PPGFLOPS: 84, PPPctPeak: 42, TGGBs: 22, TGPctBW: 61.1,
				TGBandwidthGBs: 36, TGPctBWRun: 55},
		},
	}
}

func TestMarkdown(t *testing.T) {
	want := `## milp-lite bench

AMD Ryzen Test [AVX2 FMA3]; 2 cores, GOMAXPROCS 2, 2 threads; kernels avx2; go1.26.0 linux/amd64; 2025-01-02T03:04:05Z

| machine | measured | method |
|---|---:|---|
| memory bandwidth (read) | 40.0 GB/s | loop A |
| f32 FMA peak | 200.0 GFLOP/s | loop B |
| f32 FMA, median probe | 120.0 GFLOP/s | 40 probes of ~16 ms (60% of the peak: other tenants took the cores for much of the run) |

| kernel | shape | type | size | GFLOP/s | GB/s | % of roofline |
|---|---|---|---|---:|---:|---:|
| matvec | SmolLM2-135M | Q8_0 | 576×1536 | 17.7 | 30.0 | 80% bw of 37.5 (75%) |
| gemm | SmolLM2-135M | F32 | 576×1536 ×256 | 160.0 | 10.5 | 80% peak |

| model | type | weights/token | pp128 t/s | GFLOP/s | % of peak | tg64 t/s | GB/s | % of bandwidth |
|---|---|---:|---:|---:|---:|---:|---:|---:|
| SmolLM2-135M | Q8_0 | 136.3 MiB | 500.0 | 140.0 | 70% | 200.0 | 28.6 | 71% of 40.0 (71%) |
| SmolLM2-135M | Q4_K[^1] | 83.9 MiB | 300.0 | 84.0 | 42% | 250.0 | 22.0 | 61% of 36.0 (55%) |

[^1]: SmolLM2-135M Q4_K: matrices stored as 181 Q5_0, 30 Q4_K

pp: one forward pass over a 128-token prompt; tg: 64 forward passes of one token; each repeated (for at least a second unless --quick) and the best pass kept, as for the bandwidth and the peak. % of peak: FLOPs (2 per matrix weight per token, plus attention) per second ÷ FMA peak; % of bandwidth: bytes read per token (the weights, and the KV cache: 1.4 MiB a token on average for the first model) × tokens/s ÷ the best bandwidth probe run between that model's generation passes (the GB/s after "of": the VM's bandwidth moves with its placement; the matvec likewise), and in brackets ÷ the best probe of the whole run (the machine table).
`
	if got := Markdown(fixedResult()); got != want {
		t.Fatalf("Markdown:\n%s\nwant:\n%s", got, want)
	}
	// After a depth, the tests say so in their headers and the note.
	d := fixedResult()
	for i := range d.Models {
		d.Models[i].Depth = 2048
	}
	if got := Markdown(d); !strings.Contains(got, "| pp128 @ d2048 t/s | GFLOP/s | % of peak | tg64 @ d2048 t/s |") ||
		!strings.Contains(got, "64 forward passes of one token, both after 2048 tokens in the KV cache (@ d2048);") {
		t.Fatalf("Markdown at depth 2048:\n%s", got)
	}
	// A median probe near the best reads as a quiet run, not a contended one.
	q := fixedResult()
	q.PeakMedianGFLOPS = 0.9 * q.PeakGFLOPS
	if got := Markdown(q); !strings.Contains(got, "(90% of the peak: the FMA units were mostly the run's own") {
		t.Fatalf("Markdown of a quiet run:\n%s", got)
	}
	// Without a machine measurement there is no roofline to show.
	r := fixedResult()
	r.BandwidthGBs, r.PeakGFLOPS, r.KernelRows = 0, 0, nil
	r.PeakMedianGFLOPS, r.PeakProbes = 0, 0
	r.Models[0].PPPctPeak, r.Models[0].TGPctBW = 0, 0
	r.Models[0].TGPctBWRun = 0
	got := Markdown(r)
	if strings.Contains(got, "| machine |") || !strings.Contains(got, "| 140.0 | – | 200.0 | 28.6 | – |") {
		t.Fatalf("Markdown without rooflines:\n%s", got)
	}
}

func TestJSONRoundTripAndKeys(t *testing.T) {
	r := fixedResult()
	pp, tg := 1.5, 2.5
	r.PPTokensPerS, r.TGTokensPerS = &pp, &tg
	path := filepath.Join(t.TempDir(), "r.json")
	if err := WriteJSON(path, r); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]any{"bandwidth_gb_s": 40.0, "peak_gflops": 200.0, "kernels": "avx2",
		"pp_tokens_per_s": 1.5, "tg_tokens_per_s": 2.5, "date": "2025-01-02T03:04:05Z"} {
		if raw[key] != want {
			t.Errorf("%s = %v, want %v", key, raw[key], want)
		}
	}
	cpu := raw["cpu"].(map[string]any)
	if cpu["brand"] != "AMD Ryzen Test" || cpu["gomaxprocs"] != 2.0 || cpu["go_version"] != "go1.26.0" || cpu["arch"] != "amd64" {
		t.Errorf("cpu = %v", cpu)
	}
	model := raw["models"].([]any)[0].(map[string]any)
	for _, key := range []string{"model", "type", "weight_bytes", "pp_tokens_per_s", "tg_tokens_per_s", "pp_pct_peak", "tg_pct_bw"} {
		if _, ok := model[key]; !ok {
			t.Errorf("model row has no %q", key)
		}
	}
	back, err := ReadJSON(path)
	if err != nil {
		t.Fatal(err)
	}
	if Markdown(back) != Markdown(r) || *back.PPTokensPerS != 1.5 {
		t.Error("result changed on the way through JSON")
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("WriteJSON left %d files, want only the result", len(entries))
	}
	if err := WriteJSON(filepath.Dir(path), r); !errors.Is(err, atomicfile.ErrNotRegular) {
		t.Errorf("WriteJSON over a directory: %v", err)
	}
	os.WriteFile(path, []byte(`{"x": 1}`), 0o644)
	if _, err := ReadJSON(path); err == nil {
		t.Error("ReadJSON accepted a JSON file that is not a result")
	}
}

func TestCompare(t *testing.T) {
	a := fixedResult()
	b := fixedResult()
	b.Kernels, b.CPU.Brand, b.BandwidthGBs, b.PeakGFLOPS = "avx512", "AMD | Other", 50, 400
	b.KernelRows = b.KernelRows[1:]
	b.KernelRows[0].GFLOPS = 320
	b.Models = b.Models[:1]
	b.Models[0].PPTokensPerS, b.Models[0].TGTokensPerS = 1000, 250
	want := `|  | a | b |
|---|---:|---:|
| CPU | AMD Ryzen Test | AMD \| Other |
| kernels | avx2 | avx512 |
| threads | 2 | 2 |
| Go, OS/arch | go1.26.0 linux/amd64 | go1.26.0 linux/amd64 |
| date | 2025-01-02T03:04:05Z | 2025-01-02T03:04:05Z |
| memory bandwidth, GB/s | 40.0 | 50.0 (1.25×) |
| f32 FMA peak, GFLOP/s | 200.0 | 400.0 (2.00×) |
| matvec SmolLM2-135M Q8_0 576×1536, GB/s | 30.0 | – |
| gemm SmolLM2-135M F32 576×1536 ×256, GFLOP/s | 160.0 | 320.0 (2.00×) |
| SmolLM2-135M Q8_0 pp128, t/s | 500.0 | 1000.0 (2.00×) |
| SmolLM2-135M Q8_0 tg64, t/s | 200.0 | 250.0 (1.25×) |
| SmolLM2-135M Q4_K pp128, t/s | 300.0 | – |
| SmolLM2-135M Q4_K tg64, t/s | 250.0 | – |
`
	if got := Compare([]*Result{a, b}, []string{"a", "b"}); got != want {
		t.Fatalf("Compare:\n%s\nwant:\n%s", got, want)
	}
}
