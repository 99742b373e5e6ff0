package main

import (
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"

	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/train"
)

func trainCommand() *cli.Command {
	cmd := &cli.Command{
		Name:  "train",
		Usage: "personalise the model to users (MiLP), or train one LoRA adapter with --data",
		Description: "With no arguments: the main job. For each user (the embedded sample of Synthetic-Persona-Chat\n" +
			"users, or --users DIR), Bayesian optimisation searches which FFN layers and sites get the user's\n" +
			"memory, the LoRA rank, modules per site and learning rate; each trial trains on the user's history\n" +
			"and is scored by the ROUGE-L of its replies to held-out turns. The best adapter becomes the user's\n" +
			"long-term memory in the store (--store), ready for `milp-lite chat --user ID`.\n\n" +
			"With --user ID: consolidates that user's short-term memory (what `chat --user` recorded) into the\n" +
			"long-term adapter, then empties it.\n\n" +
			"With --data FILE: trains one LoRA of a fixed configuration on JSONL conversations\n" +
			"({\"messages\": [{\"role\": \"user\", \"content\": ...}, ...]}), learning the assistant's replies, and\n" +
			"writes an adapter GGUF in llama.cpp's format (usable with `milp-lite chat --adapter` and llama.cpp's\n" +
			"--lora). Ctrl-C saves a checkpoint and exits; --resume continues from it.\n\n" +
			"Examples:\n" +
			"   milp-lite train                                   # the main job on the embedded model and users\n" +
			"   milp-lite train --users ./users --limit 10 --trials 16\n" +
			"   milp-lite train --user spc-216baf81               # consolidate short-term memory\n" +
			"   milp-lite train --data alice.jsonl --out alice.gguf --targets ffn_up,ffn_down --layers all --rank 8",
		Flags: []cli.Flag{
			modelFlag,
			&cli.StringFlag{Name: "data", Usage: "training conversations, JSONL `FILE`"},
			&cli.StringFlag{Name: "out", Value: "adapter.gguf", Usage: "adapter GGUF `FILE` to write"},
			&cli.StringFlag{Name: "targets", Value: "ffn_up,ffn_down", Usage: "linear `SITES`: attn_q, attn_k, attn_v, attn_output, ffn_gate, ffn_up, ffn_down, or all/attn/ffn"},
			&cli.StringFlag{Name: "layers", Value: "all", Usage: "`LAYERS`: all, a list 0,3,5 or ranges 0-4"},
			&cli.IntFlag{Name: "rank", Value: 8, Usage: "rank of each LoRA module"},
			&cli.Float64Flag{Name: "alpha", Value: 16, Usage: "alpha of each module (its scale is alpha/rank)"},
			&cli.IntFlag{Name: "loras-per-site", Value: 1, Usage: "LoRA modules at each site (MiLP's number of LoRAs)"},
			&cli.Float64Flag{Name: "dropout", Value: 0.05, Usage: "LoRA dropout probability"},
			&cli.IntFlag{Name: "epochs", Value: 2, Usage: "passes over the data (the main job trains each adapter for 3 unless set)"},
			&cli.Float64Flag{Name: "lr", Value: 1e-3, Usage: "peak learning rate (warm-up, then cosine to lr/10)"},
			&cli.IntFlag{Name: "batch", Value: 4, Usage: "sequences per optimizer step (gradient accumulation)"},
			&cli.IntFlag{Name: "ctx", Value: 256, Usage: "tokens per training sequence (also the main job's)"},
			&cli.Float64Flag{Name: "val-split", Value: 0.1, Usage: "fraction of conversations held out for validation"},
			&cli.Int64Flag{Name: "seed", Value: 1, Usage: "seed of initialisation, shuffling and dropout"},
			&cli.IntFlag{Name: "checkpoint-every", Value: 50, Usage: "write a checkpoint every `N` steps (0: only on Ctrl-C)"},
			&cli.BoolFlag{Name: "resume", Usage: "continue from the checkpoint (OUT.ckpt) of an interrupted run, or an interrupted search"},
		},
		Action: runTrain,
	}
	cmd.Flags = append(cmd.Flags, personaliseFlags()...)
	return cmd
}

func trainOptions(c *cli.Context, layers int) (train.Options, error) {
	o := train.Options{Data: c.String("data"), Out: c.String("out"), Rank: c.Int("rank"), Alpha: float32(c.Float64("alpha")),
		LorasPerSite: c.Int("loras-per-site"), Dropout: float32(c.Float64("dropout")), Epochs: c.Int("epochs"),
		Ctx: c.Int("ctx"), ValSplit: c.Float64("val-split"), CheckpointEvery: c.Int("checkpoint-every"), Resume: c.Bool("resume"),
		Hyper: train.Hyper{LR: c.Float64("lr"), Batch: c.Int("batch"), Seed: uint64(c.Int64("seed")), WeightDecay: 0, ClipNorm: 1}}
	var err error
	if o.Sites, err = lora.ParseSites(c.String("targets")); err != nil {
		return o, fmt.Errorf("--targets: %w", err)
	}
	if o.Layers, err = lora.ParseLayers(c.String("layers"), layers); err != nil {
		return o, fmt.Errorf("--layers: %w", err)
	}
	switch {
	case o.Rank < 1:
		return o, fmt.Errorf("--rank must be ≥ 1, got %d", o.Rank)
	case o.Alpha <= 0:
		return o, fmt.Errorf("--alpha must be > 0, got %g", o.Alpha)
	case o.LorasPerSite < 1:
		return o, fmt.Errorf("--loras-per-site must be ≥ 1, got %d", o.LorasPerSite)
	case o.Epochs < 1:
		return o, fmt.Errorf("--epochs must be ≥ 1, got %d", o.Epochs)
	case o.Hyper.LR <= 0:
		return o, fmt.Errorf("--lr must be > 0, got %g", o.Hyper.LR)
	case o.Hyper.Batch < 1:
		return o, fmt.Errorf("--batch must be ≥ 1, got %d", o.Hyper.Batch)
	case o.ValSplit < 0 || o.ValSplit >= 1:
		return o, fmt.Errorf("--val-split must be in [0, 1), got %g", o.ValSplit)
	case o.Dropout < 0 || o.Dropout >= 1:
		return o, fmt.Errorf("--dropout must be in [0, 1), got %g", o.Dropout)
	case o.CheckpointEvery < 0:
		return o, fmt.Errorf("--checkpoint-every must be ≥ 0, got %d", o.CheckpointEvery)
	}
	return o, nil
}

func runTrain(c *cli.Context) error {
	if c.NArg() > 0 {
		return fmt.Errorf("train takes no arguments (got %q)", c.Args().First())
	}
	if c.String("data") == "" {
		return runPersonalise(c)
	}
	m, err := loadModel(c)
	if err != nil {
		return err
	}
	defer m.Close()
	if c.Int("ctx") < 2 || c.Int("ctx") > m.Config.ContextLen {
		return fmt.Errorf("--ctx must be in 2..%d (the model's context), got %d", m.Config.ContextLen, c.Int("ctx"))
	}
	o, err := trainOptions(c, m.Config.Layers)
	if err != nil {
		return err
	}
	var stop atomic.Bool
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	defer signal.Stop(sig)
	go func() {
		for range sig {
			stop.Store(true)
		}
	}()
	o.Stop = stop.Load

	var bar *progressbar.ProgressBar
	start := time.Now()
	tokens := 0
	o.OnStart = func(total int) {
		bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(os.Stderr), progressbar.OptionSetDescription("training"),
			progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true), progressbar.OptionSetWidth(30),
			progressbar.OptionClearOnFinish())
	}
	o.OnStep = func(step int, loss float64, n int) {
		tokens += n
		rate := float64(tokens) / time.Since(start).Seconds()
		bar.Describe(fmt.Sprintf("loss %.4f  %.0f tok/s", loss, rate))
		bar.Set(step)
	}
	o.OnEpoch = func(epoch int, trainLoss, valLoss float64) {
		bar.Clear()
		fmt.Fprintf(os.Stderr, "epoch %d: train loss %.4f, validation loss %.4f\n", epoch+1, trainLoss, valLoss)
	}
	res, err := train.Run(m, o)
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		return err
	}
	if res.Interrupted {
		fmt.Fprintf(os.Stderr, "interrupted after step %d: checkpoint saved; --resume continues\n", res.Steps)
		return nil
	}
	fmt.Fprintf(os.Stderr, "wrote %s (%d steps, train loss %.4f, validation loss %.4f)\n", o.Out, res.Steps, res.TrainLoss, res.ValLoss)
	return nil
}
