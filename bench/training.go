package bench

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"time"

	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/train"
)

// TrainRow is LoRA training throughput on one model: forward, backward and
// AdamW over sequences of Seq tokens, rank Rank on every FFN site of every
// layer.
type TrainRow struct {
	Model           string  `json:"model"`
	Type            string  `json:"type"`
	Rank            int     `json:"rank"`
	Seq             int     `json:"seq"`
	TrainTokensPerS float64 `json:"train_tokens_per_s"`
	GFLOPS          float64 `json:"gflop_per_s"`
	FLOPPerToken    float64 `json:"flop_per_token"`
	StepSeconds     float64 `json:"step_seconds"`
	TrainableParams int     `json:"trainable_params"`
	PctPeak         float64 `json:"pct_peak,omitempty"` // GFLOPS ÷ the suite's FMA peak, in percent
}

// MeasureTraining times steps optimizer steps (after one warm-up step) of
// LoRA training on the model at path, on random token sequences.
//
// FLOPs per token count 2 per weight for each product a token passes
// through: the frozen matrices only forward and input-gradient (no weight
// gradient), 4·params; the LoRA factors forward, input and weight gradients,
// 6·params; causal attention 4·T/2·d per layer forward and about 2.5 times
// that backward.
func MeasureTraining(path string, rank, seq, steps int) (TrainRow, error) {
	m, err := nn.Open(path)
	if err != nil {
		return TrainRow{}, err
	}
	defer m.Close()
	cfg := &m.Config
	if rank < 1 || steps < 1 || seq < 2 {
		return TrainRow{}, fmt.Errorf("bench train: rank %d, seq %d and steps %d must be positive (seq ≥ 2)", rank, seq, steps)
	}
	seq = min(seq, cfg.ContextLen)
	layers, _ := lora.ParseLayers("all", cfg.Layers)
	set, err := lora.New(m, lora.Config{Sites: []nn.Site{nn.SiteGate, nn.SiteUp, nn.SiteDown}, Layers: layers,
		Modules: []lora.ModuleConfig{{Rank: rank, Alpha: float32(2 * rank)}}}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		return TrainRow{}, err
	}
	tr, err := train.NewTrainer(m, set, train.Recipe{Epochs: 1, Batch: 1, TrainCtx: seq, LR: 1e-4, Seed: 1}, steps+1)
	if err != nil {
		return TrainRow{}, err
	}
	rng := rand.New(rand.NewPCG(2, 2))
	s := train.Sequence{Tokens: make([]int32, seq+1), Loss: make([]bool, seq+1)}
	for i := range s.Tokens {
		s.Tokens[i] = int32(rng.IntN(cfg.VocabSize))
		s.Loss[i] = true
	}
	batch := []train.Sequence{s}
	if _, _, err := tr.TrainStep(batch); err != nil { // warm-up: pages in the weights
		return TrainRow{}, err
	}
	start := time.Now()
	for i := 0; i < steps; i++ {
		if _, _, err := tr.TrainStep(batch); err != nil {
			return TrainRow{}, err
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
		name = filepath.Base(path)
	}
	return TrainRow{Model: name, Type: m.Weights.Layers[0].Up.Type.String(), Rank: rank, Seq: seq,
		TrainTokensPerS: float64(seq) / el, FLOPPerToken: flop, GFLOPS: flop * float64(seq) / el / 1e9,
		StepSeconds: el, TrainableParams: int(loraParams)}, nil
}
