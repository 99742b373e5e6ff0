package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/milp-lite/milp-lite/bench"
)

// benchSubcommands are the subcommands of `milp-lite bench` (e.g. `bench
// train`, `bench bo`): files that add one append it here in their own init,
// so that this file need not know them.
var benchSubcommands []*cli.Command

func benchCommand() *cli.Command {
	for _, sc := range benchSubcommands {
		if sc.OnUsageError == nil { // one-line usage errors, as for every command
			sc.OnUsageError = func(c *cli.Context, err error, isSubcommand bool) error { return err }
		}
	}
	return &cli.Command{
		Name:      "bench",
		Usage:     "measure memory bandwidth, FMA peak, kernels, prompt processing and generation",
		ArgsUsage: "[--compare RESULT.json...]",
		Description: "Writes random-weight GGUFs of real model shapes (cached, see --cache) and measures the machine,\n" +
			"the kernels and the engine: pp128 (tokens/s over a 128-token prompt) beside the FMA peak and\n" +
			"tg64 (tokens/s generating 64 tokens) beside the memory bandwidth. Prints a markdown table;\n" +
			"--out writes the results as JSON, which --compare sets side by side.\n" +
			"With --model it measures pp128 and tg64 on the given GGUF instead.",
		Subcommands: benchSubcommands,
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "model", Aliases: []string{"m"}, Usage: "measure pp128 and tg64 on the GGUF `FILE` (repeatable) instead of the synthetic models"},
			&cli.BoolFlag{Name: "quick", Usage: "a run of under a minute: stories15M and SmolLM2-135M in F32 and Q8_0, one repetition"},
			&cli.StringFlag{Name: "shapes", Usage: "comma-separated model `SHAPES` (stories15M, SmolLM2-135M, Qwen2.5-0.5B, TinyLlama-1.1B)"},
			&cli.StringFlag{Name: "types", Usage: "comma-separated weight `TYPES` (F32, F16, Q8_0, Q4_0, Q4_K)"},
			&cli.StringFlag{Name: "kernels", Usage: "kernel `LEVEL` to use: generic, avx2, avx512 or neon (default: the best this CPU has, or MILP_KERNELS)"},
			withAliases(intFlag("threads", 0, 1, 4096, "worker threads"), "t", "GOMAXPROCS"),
			withAliases(intFlag("depth", 0, 0, 1<<20, "measure pp and tg after `N` tokens already in the KV cache, as deep into a conversation (llama-bench's -d)"), "d", ""),
			kvFlag,
			withAliases(intFlag("reps", 0, 1, 1000, "repetitions of each measurement (each also repeated for at least a second), best kept"), "", "3, or 1 with --quick"),
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "seed of the synthetic weights"},
			&cli.StringFlag{Name: "cache", Usage: "`DIR` for the synthetic models (default: milp-lite/bench in the user cache directory)"},
			&cli.StringFlag{Name: "out", Usage: "also write the results as JSON to `FILE`"},
			&cli.BoolFlag{Name: "json", Usage: "print the results as one JSON object instead of markdown"},
			&cli.BoolFlag{Name: "peers", Usage: "measure only our f32 dot, axpy, matrix-vector and matrix products beside vek's and gonum's, on the same data"},
			&cli.BoolFlag{Name: "compare", Usage: "set the JSON results named as arguments side by side (markdown table)"},
		},
		Action: runBench,
	}
}

func runBench(c *cli.Context) error {
	if c.Bool("compare") {
		return compareResults(c.Args().Slice())
	}
	if c.NArg() > 0 {
		return fmt.Errorf("unknown bench subcommand or argument %q (see milp-lite bench --help)", c.Args().First())
	}
	if err := checkOutputs(c.String("out")); err != nil {
		return err
	}
	opts := bench.DefaultOptions()
	if c.Bool("quick") {
		opts = bench.QuickOptions()
	}
	var err error
	if c.IsSet("shapes") {
		if opts.Shapes, err = bench.ParseShapes(c.String("shapes")); err != nil {
			return err
		}
	}
	if c.IsSet("types") {
		if opts.Types, err = bench.ParseTypes(c.String("types")); err != nil {
			return err
		}
	}
	opts.ModelFiles = c.StringSlice("model")
	if len(opts.ModelFiles) > 0 && (c.IsSet("shapes") || c.IsSet("types")) {
		return fmt.Errorf("--model measures the given files: --shapes and --types do not apply")
	}
	if c.IsSet("reps") {
		opts.Reps = c.Int("reps")
	}
	opts.Depth = c.Int("depth")
	state, err := stateOptions(c)
	if err != nil {
		return err
	}
	opts.KV = state.KV
	opts.Threads = c.Int("threads")
	opts.Kernels = c.String("kernels")
	opts.Seed = c.Uint64("seed")
	opts.CacheDir = c.String("cache")

	progress := newBenchProgress(os.Stderr)
	run := bench.Run
	if c.Bool("peers") {
		run = bench.RunKernelPeers
	}
	res, err := run(opts, progress.report)
	progress.close()
	if err != nil {
		return err
	}
	if out := c.String("out"); out != "" {
		if err := bench.WriteJSON(out, res); err != nil {
			return err
		}
	}
	if c.Bool("json") {
		data, err := bench.JSON(res)
		if err != nil {
			return err
		}
		_, err = os.Stdout.Write(data)
		return err
	}
	_, err = fmt.Fprint(os.Stdout, bench.Markdown(res))
	return err
}

// compareResults prints the results in files side by side, each column named
// by its file (without directory and .json, unless that leaves two alike).
func compareResults(files []string) error {
	if len(files) == 0 {
		return fmt.Errorf("--compare needs the JSON result files to compare (written with --out)")
	}
	results := make([]*bench.Result, len(files))
	names := make([]string, len(files))
	seen := map[string]bool{}
	unique := true
	for i, f := range files {
		r, err := bench.ReadJSON(f)
		if err != nil {
			return err
		}
		results[i] = r
		names[i] = strings.TrimSuffix(filepath.Base(f), ".json")
		unique = unique && !seen[names[i]]
		seen[names[i]] = true
	}
	if !unique {
		copy(names, files)
	}
	_, err := fmt.Fprint(os.Stdout, bench.Compare(results, names))
	return err
}
