package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"time"

	"github.com/dustin/go-humanize"
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
			"LoRA and attention; then the same load without adapters; the users arriving together, over the steps\n" +
			"in which all draw a token (the batch at its full size), with and without adapters alternately, three\n" +
			"times each (medians), between two runs of one user alone (pooled: a shared host's speed drifts); and\n" +
			"the users one after another.\n" +
			"Without --model: the synthetic SmolLM2-135M shape in Q8_0.\n\n" +
			"With --http the users are made on a server on a loopback port (their own keys, adapters uploaded)\n" +
			"and stream completions over HTTP; the same users then run on the engine in process, --repeat times\n" +
			"alternately, for the cost of HTTP, JSON and SSE (medians), and the first user alone for its time to first\n" +
			"token. With --duration, --users clients keep streaming that long, each request for a user drawn from\n" +
			"--population, and the server's resident memory is sampled every --sample against its budget: what\n" +
			"it holds after one request, plus --adapter-cache, plus the KV caches, plus 10%. Exits 1 on any error.\n\n" +
			"Examples:\n" +
			"   milp-lite bench serve --users 16 --json\n" +
			"   milp-lite bench serve --http --users 16 --repeat 3\n" +
			"   milp-lite bench serve --http --users 16 --population 1000 --adapter-cache 256MB --duration 10m",
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
			stepTimeFlag,
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "seed of the prompts and adapters"},
			&cli.StringFlag{Name: "cache", Usage: "`DIR` for the synthetic model (default: the bench cache)"},
			servingKVFlag,
			&cli.BoolFlag{Name: "http", Usage: "serve over real HTTP on a loopback port (users with their own keys, streaming) and compare with the engine in process"},
			intFlag("population", 0, 0, 1<<20, "with --http: users made, each with their own adapter (0: --users)"),
			&cli.StringFlag{Name: "adapter-cache", Value: "256MiB", Usage: "with --http: `SIZE` of the server's adapter cache"},
			durationFlag("duration", 0, 0, 24*time.Hour, "with --http: keep --users streaming this long and sample resident memory (0: one request each)"),
			durationFlag("sample", 10*time.Second, time.Millisecond, time.Hour, "with --duration: how often resident memory is sampled"),
			intFlag("repeat", 1, 1, 100, "with --http and no --duration: runs over HTTP and in process, alternately"),
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
	kv, err := nn.ParseKVType(c.String(servingKVFlag.Name))
	if err != nil {
		return fmt.Errorf("--%s: %w", servingKVFlag.Name, err)
	}
	o := bench.ServeOptions{KV: kv, Model: path, Users: c.Int("users"), Rank: c.Int("rank"), PromptMin: c.Int("prompt-min"),
		PromptMax: c.Int("prompt-max"), ReplyTokens: c.Int("reply"), Spread: c.Duration("spread"), JoinPrompt: c.Int("join"),
		StepTokens: c.Int("step-tokens"), ChunkTokens: c.Int("chunk"), GeneratingStepTokens: c.Int(generatingStepFlag.Name), StepTime: c.Duration(stepTimeFlag.Name), Seed: c.Uint64("seed"), ProbeSeconds: 1}
	start := time.Now()
	phase := func(p string) { fmt.Fprintf(os.Stderr, "[%5.1fs] %s\n", time.Since(start).Seconds(), p) }
	if c.Bool("http") {
		cacheBytes, err := humanize.ParseBytes(c.String("adapter-cache"))
		if err != nil || cacheBytes == 0 {
			return fmt.Errorf("--adapter-cache %q is not a size like 256MB", c.String("adapter-cache"))
		}
		if p := c.Int("population"); p != 0 && p < o.Users {
			return fmt.Errorf("--population %d is below --users %d", p, o.Users)
		}
		res, err := bench.MeasureServeHTTP(bench.HTTPServeOptions{ServeOptions: o, Population: c.Int("population"), AdapterCache: int64(cacheBytes),
			Duration: c.Duration("duration"), Sample: c.Duration("sample"), Repeat: c.Int("repeat")}, phase)
		if err != nil {
			return err
		}
		if c.Bool("json") {
			err = printJSON(res)
		} else {
			fmt.Print(res.Markdown())
		}
		if err == nil && res.Errors > 0 {
			err = fmt.Errorf("%d of %d requests failed: %s", res.Errors, res.Requests, res.FirstError)
		}
		return err
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
