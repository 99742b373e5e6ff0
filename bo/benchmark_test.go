package bo

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchmarkTargets checks Targets with 5 seeds (the full benchmark runs
// 20): Branin median regret ≤ 1e-3 after 40 evaluations, Hartmann-6 ≤ 0.05
// after 60, and on the mixed space GP-EI at least 5× below random search
// after 60.
func TestBenchmarkTargets(t *testing.T) {
	if testing.Short() {
		t.Skip("benchmark targets take ~20 s")
	}
	res, err := RunBenchmark(BenchmarkOptions{
		Functions: []string{"branin", "hartmann6", "mixed"},
		Seeds:     5,
		Evals:     60,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + res.Markdown())
	for _, target := range Targets {
		ok, desc := res.CheckTarget(target)
		if !ok {
			t.Errorf("target missed: %s", desc)
		}
	}
}

func TestBenchmarkOutputs(t *testing.T) {
	var progress int
	res, err := RunBenchmark(BenchmarkOptions{
		Functions: []string{"branin", "mixed"}, Seeds: 2, Evals: 12, InitialPoints: 5,
		Progress: func(BenchmarkProgress) { progress++ },
	})
	if err != nil {
		t.Fatal(err)
	}
	if progress != 2*2*2 {
		t.Fatalf("%d progress calls, want 8", progress)
	}
	recs := res.JSONRecords()
	if len(recs) != 2*2*12 {
		t.Fatalf("%d records, want 48", len(recs))
	}
	var fields map[string]any
	b, _ := json.Marshal(recs[0])
	if err := json.Unmarshal(b, &fields); err != nil {
		t.Fatal(err)
	}
	if len(fields) != 4 || fields["function"] != "branin" || fields["method"] != "gp-ei" || fields["evals"] != 1.0 {
		t.Fatalf("record JSON %s", b)
	}
	if _, ok := fields["median_regret"].(float64); !ok {
		t.Fatalf("record JSON %s lacks a numeric median_regret", b)
	}
	// Curves are best-so-far: never increasing, and the median of each eval.
	for _, c := range res.Curves {
		for s, r := range c.Regret {
			for i := 1; i < len(r); i++ {
				if r[i] > r[i-1] || r[i] < 0 {
					t.Fatalf("%s/%s seed %d: regret curve not monotone", c.Function, c.Method, s)
				}
			}
		}
		for i, m := range c.Median {
			if want := median([]float64{c.Regret[0][i], c.Regret[1][i]}); m != want {
				t.Fatalf("median %g, want %g", m, want)
			}
		}
	}
	md := res.Markdown()
	for _, want := range []string{"| function | method |", "| branin | gp-ei |", "| mixed | random |", "n=12"} {
		if !strings.Contains(md, want) {
			t.Fatalf("markdown lacks %q:\n%s", want, md)
		}
	}
	path := filepath.Join(t.TempDir(), "regret.svg")
	if err := res.WriteSVG(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(data, new(struct{})); err != nil {
		t.Fatalf("SVG is not well-formed XML: %v", err)
	}
	if bytes.Contains(data, []byte("NaN")) {
		t.Fatal("the SVG holds NaN")
	}
	curves := 0
	for _, pn := range res.figure().Panels {
		curves += len(pn.Series)
	}
	if curves != 4 {
		t.Fatalf("%d curves drawn, want 4", curves)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
	if err := res.WriteSVG(filepath.Join(t.TempDir(), "missing", "x.svg")); err == nil {
		t.Fatal("writing into a missing directory succeeded")
	}
	if _, err := RunBenchmark(BenchmarkOptions{Functions: []string{"nope"}}); err == nil {
		t.Fatal("unknown function accepted")
	}
	if _, err := RunBenchmark(BenchmarkOptions{Methods: []string{"nope"}}); err == nil {
		t.Fatal("unknown method accepted")
	}
}
