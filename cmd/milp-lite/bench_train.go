package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/milp-lite/milp-lite/bench"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/quant"
)

func init() { benchSubcommands = append(benchSubcommands, benchTrainCommand()) }

func benchTrainCommand() *cli.Command {
	return &cli.Command{
		Name:  "train",
		Usage: "measure LoRA training throughput (forward, backward and AdamW) in tokens/s",
		Description: "Trains a LoRA on every FFN site of every layer with random token sequences and reports train\n" +
			"tokens/s. Without --model it uses synthetic stories15M and SmolLM2-135M shapes in F32 and Q8_0.",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "model", Aliases: []string{"m"}, Usage: "GGUF `FILE` to measure (repeatable)"},
			intFlag("rank", 8, 1, 4096, "LoRA rank"),
			intFlag("seq", 256, 2, 1<<20, "tokens per sequence"),
			intFlag("steps", 3, 1, 10000, "measured optimizer steps (after one warm-up step)"),
			&cli.StringFlag{Name: "cache", Usage: "`DIR` for the synthetic models (default: the bench cache)"},
			&cli.BoolFlag{Name: "json", Usage: "print the results as JSON"},
		},
		Action: runBenchTrain,
	}
}

func runBenchTrain(c *cli.Context) error {
	var paths []string
	paths = append(paths, c.StringSlice("model")...)
	if len(paths) == 0 {
		cache, err := benchCache(c)
		if err != nil {
			return err
		}
		for _, s := range []nn.Shape{nn.ShapeStories15M, nn.ShapeSmolLM2_135M} {
			for _, t := range []quant.Type{quant.F32, quant.Q8_0} {
				p, _, err := cache.Ensure(s, t, nil)
				if err != nil {
					return err
				}
				paths = append(paths, p)
			}
		}
	}
	var results []bench.TrainRow
	for _, p := range paths {
		r, err := bench.MeasureTraining(p, c.Int("rank"), c.Int("seq"), c.Int("steps"))
		if err != nil {
			return err
		}
		results = append(results, r)
		if !c.Bool("json") {
			fmt.Printf("%-28s %-5s rank %d seq %d: %8.1f train tokens/s  %6.1f GFLOP/s  (%.2f s/step)\n",
				r.Model, r.Type, r.Rank, r.Seq, r.TrainTokensPerS, r.GFLOPS, r.StepSeconds)
		}
	}
	if c.Bool("json") {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if len(results) == 1 {
			return enc.Encode(results[0])
		}
		return enc.Encode(results)
	}
	return nil
}

// benchCache is the cache of synthetic models a bench subcommand writes to:
// --cache, else the default one.
func benchCache(c *cli.Context) (*bench.ModelCache, error) {
	dir := c.String("cache")
	if dir == "" {
		var err error
		if dir, err = bench.DefaultCacheDir(); err != nil {
			return nil, err
		}
	}
	return &bench.ModelCache{Dir: dir, Seed: 1}, nil
}
