package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/quant"
)

// writeTinyModel writes a small random-weight model for the bench tests.
func writeTinyModel(t *testing.T) string {
	t.Helper()
	shape := nn.Shape{Name: "tiny", Arch: "llama", Dim: 64, Layers: 2, Heads: 4, KVHeads: 2, FFNDim: 128, Vocab: 300, Context: 256}
	b, err := nn.Synthesize(shape, quant.Q8_0, 1)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tiny.gguf")
	if err := b.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBenchModelJSON(t *testing.T) {
	model := writeTinyModel(t)
	out := filepath.Join(t.TempDir(), "r.json")
	r := run(t, "", "bench", "--model", model, "--json", "--quick", "--threads", "1", "--out", out)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, r.stdout)
	}
	for _, key := range []string{"pp_tokens_per_s", "tg_tokens_per_s", "bandwidth_gb_s", "peak_gflops"} {
		if v, ok := res[key].(float64); !ok || !(v > 0) {
			t.Errorf("%s = %v, want a positive number", key, res[key])
		}
	}
	if cpu, _ := res["cpu"].(map[string]any); cpu == nil || cpu["threads"] != 1.0 {
		t.Errorf("cpu = %v, want threads 1", res["cpu"])
	}
	// stderr is not a terminal here: one plain line per step, no bar.
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "milp-lite bench: [1/3] memory bandwidth") ||
		!strings.HasPrefix(lines[1], "milp-lite bench: [2/3] measuring tiny.gguf") ||
		!strings.HasPrefix(lines[2], "milp-lite bench: [3/3] memory bandwidth and FMA peak, again") || strings.Contains(r.stderr, "\r") {
		t.Errorf("progress on a non-terminal:\n%s", r.stderr)
	}
	saved, err := os.ReadFile(out)
	if err != nil || string(saved) != r.stdout {
		t.Errorf("--out file differs from the printed JSON (%v)", err)
	}

	// The saved result compares against itself.
	r = run(t, "", "bench", "--compare", out, out)
	if r.code != 0 || !strings.Contains(r.stdout, "| tiny Q8_0 pp128, t/s |") || !strings.Contains(r.stdout, "(1.00×)") {
		t.Fatalf("compare: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestBenchMarkdownOnModel(t *testing.T) {
	model := writeTinyModel(t)
	r := run(t, "", "bench", "-m", model, "--reps", "1")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "| model | type | weights/token | pp128 t/s") || !strings.Contains(r.stdout, "| tiny | Q8_0 |") {
		t.Fatalf("markdown:\n%s", r.stdout)
	}
	// Deep into a conversation: the tests start after --depth cached tokens.
	r = run(t, "", "bench", "-m", model, "--reps", "1", "--depth", "100")
	if r.code != 0 || !strings.Contains(r.stdout, "| pp128 @ d100 t/s |") || !strings.Contains(r.stdout, "after 100 tokens in the KV cache") {
		t.Fatalf("--depth 100: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestBenchBadInput(t *testing.T) {
	model := writeTinyModel(t)
	notJSON := filepath.Join(t.TempDir(), "x.json")
	os.WriteFile(notJSON, []byte("{}"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"bench", "--types", "q9"}, `unknown or unwritable weight type "q9"`},
		{[]string{"bench", "--shapes", "gpt5"}, `unknown shape "gpt5"`},
		{[]string{"bench", "--kernels", "sse9"}, `unknown kernel level "sse9"`},
		{[]string{"bench", "--model", model, "--types", "F32"}, "--shapes and --types do not apply"},
		{[]string{"bench", "--threads", "0"}, "--threads must be 1 to 4096, got 0"},
		{[]string{"bench", "--depth", "-5"}, "--depth must be 0 to 1048576, got -5"},
		{[]string{"bench", "--depth", "4096", "--shapes", "stories15M"}, "stories15M holds 256 positions, and a depth of 4096"},
		{[]string{"bench", "--model", model, "--depth", "200"}, "its context is 256 positions: a depth of 200 and pp128/tg64 do not fit"},
		{[]string{"bench", "--compare"}, "--compare needs"},
		{[]string{"bench", "--compare", notJSON}, "not a milp-lite bench result"},
		{[]string{"bench", "frobnicate"}, `unknown bench subcommand or argument "frobnicate"`},
		{[]string{"bench", "--model", model + ".missing"}, "no such file"},
	} {
		r := run(t, "", tc.args...)
		last := lastLine(strings.TrimSpace(r.stderr))
		if r.code != 1 || !strings.HasPrefix(last, "milp-lite: ") || !strings.Contains(last, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want one error line with %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}

// lastLine is the last line of s: the error, after any progress lines.
func lastLine(s string) string { return s[strings.LastIndex(s, "\n")+1:] }

func TestBenchBOJSON(t *testing.T) {
	svg := filepath.Join(t.TempDir(), "regret.svg")
	r := run(t, "", "bench", "bo", "--seeds", "2", "--evals", "14", "--init", "5", "--functions", "branin", "--json", "--svg", svg)
	if r.code != 0 {
		t.Fatalf("bench bo: exit %d: %s", r.code, r.stderr)
	}
	var recs []struct {
		Function     string  `json:"function"`
		Method       string  `json:"method"`
		Evals        int     `json:"evals"`
		MedianRegret float64 `json:"median_regret"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &recs); err != nil || len(recs) == 0 {
		t.Fatalf("bench bo --json: %v\n%s", err, r.stdout)
	}
	methods := map[string]bool{}
	for _, rec := range recs {
		if rec.Function != "branin" || rec.Evals < 1 || rec.MedianRegret < 0 {
			t.Fatalf("record %+v", rec)
		}
		methods[rec.Method] = true
	}
	if !methods["gp-ei"] || !methods["random"] {
		t.Fatalf("methods %v, want gp-ei and random", methods)
	}
	if data, err := os.ReadFile(svg); err != nil || !strings.Contains(string(data), "<svg") {
		t.Fatalf("no SVG at %s: %v", svg, err)
	}
}
