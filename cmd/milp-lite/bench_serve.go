package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/milp-lite/milp-lite/bench"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/quant"
)

func init() { benchSubcommands = append(benchSubcommands, benchServeCommand()) }

func benchServeCommand() *cli.Command {
	return &cli.Command{
		Name:  "serve",
		Usage: "measure serving many users at once, each with their own LoRA adapter (continuous batching)",
		Description: "Synthetic users, each with a distinct random adapter (--rank on every FFN site of every layer),\n" +
			"arrive spread over --spread and send prompts of --prompt-min to --prompt-max tokens; each gets a reply of\n" +
			"--reply tokens, all sequences advancing together one step at a time (nn.Batch). Once all have arrived,\n" +
			"a --join-token prompt joins mid-run. Reports the aggregate tokens/s, per-user tokens/s, time to first\n" +
			"token and inter-token latency (p50, p99), the weights read per step and the share of a step spent in\n" +
			"LoRA and attention; then the same load without adapters, one user alone, and the users one after\n" +
			"another. Without --model: the synthetic SmolLM2-135M shape in Q8_0.\n\n" +
			"Example:\n" +
			"   milp-lite bench serve --users 16 --json",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "model", Aliases: []string{"m"}, Usage: "GGUF `FILE` to serve (default: synthetic SmolLM2-135M Q8_0)"},
			intFlag("users", 16, 1, 1024, "concurrent users"),
			intFlag("rank", 8, 0, 1024, "rank of each user's adapter (0: no adapters)"),
			intFlag("prompt-min", 64, 1, math.MaxInt, "shortest prompt, tokens"),
			intFlag("prompt-max", 512, 1, math.MaxInt, "longest prompt, tokens"),
			intFlag("reply", 128, 1, math.MaxInt, "tokens generated per reply"),
			&cli.DurationFlag{Name: "spread", Value: 2 * time.Second, Usage: "the users arrive spread evenly over this time"},
			intFlag("join", 1024, 0, math.MaxInt, "a prompt of this many tokens joins once all users have arrived (0: none)"),
			intFlag("step-tokens", nn.DefaultBatch, 1, 1<<16, "token rows one step runs at most"),
			intFlag("chunk", 0, 0, 1<<16, "prompt tokens one sequence feeds in one step at most (0: --step-tokens)"),
			generatingStepFlag,
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "seed of the prompts and adapters"},
			&cli.StringFlag{Name: "cache", Usage: "`DIR` for the synthetic model (default: the bench cache)"},
			kvFlag,
			&cli.BoolFlag{Name: "http", Usage: "serve over real HTTP on a loopback port (users with their own keys, streaming) and compare with the engine in process"},
			&cli.BoolFlag{Name: "json", Usage: "print the result as JSON"},
		},
		Action: runBenchServe,
	}
}

func runBenchServe(c *cli.Context) error {
	if c.NArg() > 0 {
		return fmt.Errorf("bench serve takes no arguments (got %q)", c.Args().First())
	}
	if c.Duration("spread") < 0 {
		return fmt.Errorf("--spread must be ≥ 0, got %v", c.Duration("spread"))
	}
	if c.Int("prompt-min") > c.Int("prompt-max") {
		return fmt.Errorf("--prompt-min %d is above --prompt-max %d", c.Int("prompt-min"), c.Int("prompt-max"))
	}
	path := c.String("model")
	if path == "" {
		cache, err := benchCache(c)
		if err != nil {
			return err
		}
		if path, _, err = cache.Ensure(nn.ShapeSmolLM2_135M, quant.Q8_0, func(s string) { fmt.Fprintln(os.Stderr, s) }); err != nil {
			return err
		}
	}
	kv, err := nn.ParseKVType(c.String(kvFlag.Name))
	if err != nil {
		return fmt.Errorf("--%s: %w", kvFlag.Name, err)
	}
	o := bench.ServeOptions{KV: kv, Model: path, Users: c.Int("users"), Rank: c.Int("rank"), PromptMin: c.Int("prompt-min"),
		PromptMax: c.Int("prompt-max"), ReplyTokens: c.Int("reply"), Spread: c.Duration("spread"), JoinPrompt: c.Int("join"),
		StepTokens: c.Int("step-tokens"), ChunkTokens: c.Int("chunk"), GeneratingStepTokens: c.Int(generatingStepFlag.Name), Seed: c.Uint64("seed"), ProbeSeconds: 1}
	start := time.Now()
	phase := func(p string) { fmt.Fprintf(os.Stderr, "[%5.1fs] %s\n", time.Since(start).Seconds(), p) }
	if c.Bool("http") {
		res, err := bench.MeasureServeHTTP(o, phase)
		if err != nil {
			return err
		}
		if c.Bool("json") {
			return printJSON(res)
		}
		fmt.Print(res.Markdown())
		if res.Errors > 0 {
			return fmt.Errorf("%d of %d requests failed: %s", res.Errors, res.Requests, res.FirstError)
		}
		return nil
	}
	res, err := bench.MeasureServe(o, phase)
	if err != nil {
		return err
	}
	if c.Bool("json") {
		return printJSON(res)
	}
	fmt.Print(res.Markdown())
	return nil
}

// printJSON prints v as indented JSON on standard output.
func printJSON(v any) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
