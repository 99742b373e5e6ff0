package bobench

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/milp-lite/milp-lite/bo"
)

func TestRunTableAndSVG(t *testing.T) {
	var out, log bytes.Buffer
	svg := filepath.Join(t.TempDir(), "regret.svg")
	res, err := Run(Options{Functions: []string{"branin"}, Seeds: 2, Evals: 12, InitialPoints: 5,
		SVGPath: svg, Out: &out, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "| branin | gp-ei |") || !strings.Contains(out.String(), svg) {
		t.Fatalf("table output:\n%s", out.String())
	}
	if strings.Count(log.String(), "\n") != 4 || !strings.Contains(log.String(), "[4/4]") {
		t.Fatalf("progress log:\n%s", log.String())
	}
	if data, err := os.ReadFile(svg); err != nil || !bytes.HasPrefix(data, []byte("<svg")) {
		t.Fatalf("svg: %v", err)
	}
	// Branin is only checked at 40 evaluations: nothing to check at 12.
	if ok, lines := TargetsMet(res); !ok || len(lines) != 0 {
		t.Fatalf("targets at 12 evaluations: %v %v", ok, lines)
	}
}

func TestRunJSON(t *testing.T) {
	var out bytes.Buffer
	if _, err := Run(Options{Functions: []string{"mixed"}, Seeds: 1, Evals: 6, InitialPoints: 3, JSON: true, Out: &out}); err != nil {
		t.Fatal(err)
	}
	var recs []bo.Record
	if err := json.Unmarshal(out.Bytes(), &recs); err != nil {
		t.Fatalf("output is not a JSON list of records: %v\n%s", err, out.String())
	}
	if len(recs) != 2*6 || recs[0].Function != "mixed" || recs[0].Evals != 1 {
		t.Fatalf("records %+v", recs)
	}
	if _, err := Run(Options{Functions: []string{"bogus"}}); err == nil {
		t.Fatal("unknown function accepted")
	}
}

// TestFullBenchmark is the full 20-seed benchmark (all four functions). It
// takes minutes, so it only runs with BO_FULL_BENCH=1; BO_FULL_BENCH_SVG names
// the plot to keep.
func TestFullBenchmark(t *testing.T) {
	if os.Getenv("BO_FULL_BENCH") != "1" {
		t.Skip("set BO_FULL_BENCH=1 to run the full 20-seed benchmark")
	}
	svg := os.Getenv("BO_FULL_BENCH_SVG")
	if svg == "" {
		svg = filepath.Join(t.TempDir(), "regret.svg")
	}
	var out bytes.Buffer
	res, err := Run(Options{SVGPath: svg, Out: &out, Log: os.Stderr})
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	if ok, lines := TargetsMet(res); !ok {
		t.Errorf("targets missed:\n%s", strings.Join(lines, "\n"))
	}
}
