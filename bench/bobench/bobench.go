// Package bobench is the `milp-lite bench bo` command's engine: it runs the
// Bayesian-optimisation benchmark of package bo (GP-EI against random search on
// Branin, Hartmann-6, Ackley-10 and a mixed space), prints the median-regret
// table or JSON records, and writes the regret curves as an SVG.
//
// Suggested CLI wiring (flags map one to one onto Options):
//
//	--seeds N (20)  --evals N (60)  --init N (10)  --functions a,b  --workers N
//	--json          print [{"function","method","evals","median_regret"}, …]
//	--svg PATH      regret plot (default bo-regret.svg; "" to skip)
package bobench

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/milp-lite/milp-lite/bo"
)

// DefaultSVGPath is where the regret plot goes unless told otherwise.
const DefaultSVGPath = "bo-regret.svg"

// Options configures Run. Zero numeric fields take bo's defaults (20 seeds,
// 60 evaluations, 10 initial points, all functions, GOMAXPROCS workers).
type Options struct {
	Functions     []string
	Seeds         int
	Evals         int
	InitialPoints int
	Workers       int
	// JSON prints the records instead of the Markdown table.
	JSON bool
	// SVGPath is the regret plot to write; empty skips it.
	SVGPath string
	// Out receives the table or the JSON; Log, if non-nil, progress lines.
	Out io.Writer
	Log io.Writer
}

// Run runs the benchmark and reports it. It returns the result so a caller can
// also check bo.Targets (see TargetsMet).
func Run(opts Options) (*bo.BenchmarkResult, error) {
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	bopts := bo.BenchmarkOptions{
		Functions: opts.Functions, Seeds: opts.Seeds, Evals: opts.Evals,
		InitialPoints: opts.InitialPoints, Workers: opts.Workers,
	}
	if opts.Log != nil {
		bopts.Progress = func(p bo.BenchmarkProgress) {
			fmt.Fprintf(opts.Log, "[%d/%d] %s %s seed %d: %s (elapsed %s)\n", p.Done, p.Total,
				p.Function, p.Method, p.Seed, p.RunTime.Round(time.Millisecond), p.Elapsed.Round(time.Second))
		}
	}
	res, err := bo.RunBenchmark(bopts)
	if err != nil {
		return nil, err
	}
	if opts.SVGPath != "" {
		if err := res.WriteSVG(opts.SVGPath); err != nil {
			return nil, err
		}
	}
	if opts.JSON {
		b, err := json.MarshalIndent(res.JSONRecords(), "", "  ")
		if err != nil {
			return nil, fmt.Errorf("bench bo: encoding records: %w", err)
		}
		if _, err := fmt.Fprintf(opts.Out, "%s\n", b); err != nil {
			return nil, fmt.Errorf("bench bo: writing records: %w", err)
		}
		return res, nil
	}
	if _, err := io.WriteString(opts.Out, res.Markdown()); err != nil {
		return nil, fmt.Errorf("bench bo: writing table: %w", err)
	}
	if opts.SVGPath != "" {
		fmt.Fprintf(opts.Out, "Regret curves: %s\n", opts.SVGPath)
	}
	return res, nil
}

// TargetsMet checks the targets of bo.Targets that the result covers and
// returns whether all hold, with one line per checked target.
func TargetsMet(res *bo.BenchmarkResult) (bool, []string) {
	all := true
	var lines []string
	for _, t := range bo.Targets {
		if _, ok := res.MedianAt(t.Function, bo.MethodGPEI, t.Evals); !ok {
			continue
		}
		ok, desc := res.CheckTarget(t)
		all = all && ok
		mark := "PASS"
		if !ok {
			mark = "FAIL"
		}
		lines = append(lines, mark+" "+desc)
	}
	return all, lines
}
