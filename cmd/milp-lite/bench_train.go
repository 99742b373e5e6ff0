package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/milp-lite/milp-lite/bench"
	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/quant"
	"github.com/milp-lite/milp-lite/train"
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
			&cli.IntFlag{Name: "rank", Value: 8, Usage: "LoRA rank"},
			&cli.IntFlag{Name: "seq", Value: 256, Usage: "tokens per sequence"},
			&cli.IntFlag{Name: "steps", Value: 3, Usage: "measured optimizer steps (after one warm-up step)"},
			&cli.StringFlag{Name: "cache", Usage: "`DIR` for the synthetic models (default: the bench cache)"},
			&cli.BoolFlag{Name: "json", Usage: "print the results as JSON"},
		},
		Action: runBenchTrain,
	}
}

// trainBenchResult is one model's measurement. FLOPs count the multiply-adds
// of the matrices a token passes through (2 per weight): forward W·x, and in
// backward only the input gradient Wᵀ·dy (frozen weights need no weight
// gradient), so ≈ 4·matrix params per token, plus the LoRA factors
// (forward, input gradient and weight gradients: 6·LoRA params) and
// attention (forward 4·T/2·d per layer, backward ≈ 2.5× that, causal).
type trainBenchResult struct {
	Model            string  `json:"model"`
	Type             string  `json:"type"`
	Rank             int     `json:"rank"`
	Seq              int     `json:"seq"`
	TrainTokensPerS  float64 `json:"train_tokens_per_s"`
	GFLOPPerS        float64 `json:"gflop_per_s"`
	FLOPPerToken     float64 `json:"flop_per_token"`
	StepSeconds      float64 `json:"step_seconds"`
	TrainableParams  int     `json:"trainable_params"`
	KernelLevelInUse string  `json:"kernels,omitempty"`
}

func runBenchTrain(c *cli.Context) error {
	var paths []string
	paths = append(paths, c.StringSlice("model")...)
	if len(paths) == 0 {
		dir := c.String("cache")
		if dir == "" {
			var err error
			if dir, err = bench.DefaultCacheDir(); err != nil {
				return err
			}
		}
		cache := &bench.ModelCache{Dir: dir, Seed: 1}
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
	var results []trainBenchResult
	for _, p := range paths {
		r, err := benchTrainModel(p, c.Int("rank"), c.Int("seq"), c.Int("steps"))
		if err != nil {
			return err
		}
		results = append(results, r)
		if !c.Bool("json") {
			fmt.Printf("%-28s %-5s rank %d seq %d: %8.1f train tokens/s  %6.1f GFLOP/s  (%.2f s/step)\n",
				r.Model, r.Type, r.Rank, r.Seq, r.TrainTokensPerS, r.GFLOPPerS, r.StepSeconds)
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

func benchTrainModel(path string, rank, seq, steps int) (trainBenchResult, error) {
	m, err := nn.Open(path)
	if err != nil {
		return trainBenchResult{}, err
	}
	defer m.Close()
	cfg := &m.Config
	if seq < 2 || seq >= cfg.ContextLen+1 {
		seq = min(max(seq, 2), cfg.ContextLen)
	}
	layers, _ := lora.ParseLayers("all", cfg.Layers)
	set, err := lora.New(m, lora.Config{Sites: []nn.Site{nn.SiteGate, nn.SiteUp, nn.SiteDown}, Layers: layers,
		Modules: []lora.ModuleConfig{{Rank: rank, Alpha: float32(2 * rank)}}}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		return trainBenchResult{}, err
	}
	tr, err := train.NewTrainer(m, set, seq, train.Hyper{LR: 1e-4, Batch: 1, Seed: 1}, steps+1)
	if err != nil {
		return trainBenchResult{}, err
	}
	rng := rand.New(rand.NewPCG(2, 2))
	s := train.Sequence{Tokens: make([]int32, seq+1), Loss: make([]bool, seq+1)}
	for i := range s.Tokens {
		s.Tokens[i] = int32(rng.IntN(cfg.VocabSize))
		s.Loss[i] = true
	}
	batch := []train.Sequence{s}
	if _, _, err := tr.TrainStep(batch); err != nil { // warm-up: page in the weights
		return trainBenchResult{}, err
	}
	start := time.Now()
	for i := 0; i < steps; i++ {
		if _, _, err := tr.TrainStep(batch); err != nil {
			return trainBenchResult{}, err
		}
	}
	el := time.Since(start).Seconds() / float64(steps)
	var matParams, loraParams float64
	for _, lw := range m.Weights.Layers {
		for site := nn.Site(0); site < nn.NumSites; site++ {
			w := lw.Matrix(site)
			matParams += float64(w.Rows * w.Cols)
		}
	}
	matParams += float64(m.Weights.Output.Rows * m.Weights.Output.Cols)
	for _, p := range tr.Params {
		loraParams += float64(len(p.Value))
	}
	attn := float64(cfg.Layers) * 4 * float64(seq) / 2 * float64(cfg.QDim()) * 3.5
	flop := 4*matParams + 6*loraParams + attn
	name := cfg.Name
	if name == "" {
		name = path
	}
	return trainBenchResult{Model: name, Type: m.Weights.Layers[0].Up.Type.String(), Rank: rank, Seq: seq,
		TrainTokensPerS: float64(seq) / el, FLOPPerToken: flop, GFLOPPerS: flop * float64(seq) / el / 1e9,
		StepSeconds: el, TrainableParams: int(loraParams)}, nil
}
