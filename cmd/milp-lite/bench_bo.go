package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/milp-lite/milp-lite/bench/bobench"
)

func init() { benchSubcommands = append(benchSubcommands, benchBOCommand()) }

func benchBOCommand() *cli.Command {
	return &cli.Command{
		Name:  "bo",
		Usage: "benchmark the Bayesian optimiser (GP-EI against random search) on standard test functions",
		Description: "Runs GP-EI and random search over several seeds on Branin (2-D), Hartmann-6, Ackley-10 and a\n" +
			"mixed space (12 flags, a log-scale integer, a 4-way category), prints the median simple regret\n" +
			"against the number of evaluations, and draws the regret curves as an SVG. Example:\n\n" +
			"   milp-lite bench bo --seeds 20 --evals 60 --svg bo-regret.svg",
		Flags: []cli.Flag{
			intFlag("seeds", 20, 1, 10000, "independent runs per function and method"),
			intFlag("evals", 60, 1, 100000, "evaluations per run"),
			intFlag("init", 10, 1, 100000, "initial space-filling points before the GP takes over"),
			&cli.StringFlag{Name: "functions", Usage: "comma-separated subset of branin,hartmann6,ackley10,mixed"},
			intFlag("workers", 0, 0, 4096, "runs in parallel (0: GOMAXPROCS)"),
			&cli.StringFlag{Name: "svg", Value: bobench.DefaultSVGPath, Usage: "regret plot `FILE` (\"\" to skip)"},
			&cli.BoolFlag{Name: "json", Usage: `print [{"function","method","evals","median_regret"}, …] instead of the table`},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return fmt.Errorf("bench bo takes no arguments (got %q)", c.Args().First())
			}
			if err := checkOutputs(c.String("svg")); err != nil {
				return err
			}
			var funcs []string
			if s := c.String("functions"); s != "" {
				funcs = strings.Split(s, ",")
			}
			_, err := bobench.Run(bobench.Options{
				Functions: funcs, Seeds: c.Int("seeds"), Evals: c.Int("evals"), InitialPoints: c.Int("init"),
				Workers: c.Int("workers"), JSON: c.Bool("json"), SVGPath: c.String("svg"),
				Out: os.Stdout, Log: os.Stderr,
			})
			return err
		},
	}
}
