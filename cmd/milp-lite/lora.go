package main

import (
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"

	"github.com/urfave/cli/v2"

	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/train"
)

func loraCommand() *cli.Command {
	return &cli.Command{
		Name:        "lora",
		Usage:       "work with LoRA adapters directly",
		Subcommands: []*cli.Command{loraTrainCommand(), loraExportCommand(), loraMergeCommand()},
	}
}

func loraTrainCommand() *cli.Command {
	return &cli.Command{
		Name:  "train",
		Usage: "train one LoRA adapter of a fixed placement on a file of conversations",
		Description: "Trains LoRA modules at the sites and layers given on JSONL conversations, one a line\n" +
			"({\"messages\": [{\"role\": \"user\", \"content\": ...}, {\"role\": \"assistant\", ...}]}), learning the\n" +
			"assistant's replies, with the same recipe as the main job (train.DefaultRecipe). Writes an adapter\n" +
			"GGUF in llama.cpp's format, usable with `milp-lite chat --adapter` and llama.cpp's --lora. Ctrl-C saves\n" +
			"a checkpoint (OUT.ckpt) and exits; --resume continues from it.\n\n" +
			"Example:\n" +
			"   milp-lite lora train --data alice.jsonl --out alice.gguf --targets ffn_up,ffn_down --layers all --rank 8",
		Flags: append([]cli.Flag{
			modelFlag,
			&cli.StringFlag{Name: "data", Usage: "training conversations, JSONL `FILE`", Required: true},
			&cli.StringFlag{Name: "out", Value: "adapter.gguf", Usage: "adapter GGUF `FILE` to write"},
			&cli.StringFlag{Name: "targets", Value: "ffn", Usage: "linear `SITES`: attn_q, attn_k, attn_v, attn_output, ffn_gate, ffn_up, ffn_down, or all/attn/ffn"},
			&cli.StringFlag{Name: "layers", Value: "all", Usage: "`LAYERS`: all, a list 0,3,5 or ranges 0-4"},
			intFlag("rank", 8, 1, 4096, "rank of each LoRA module, at most the site's width"),
			floatFlag("alpha", 0, bounds{lo: 0, hi: 1e6}, "alpha of each module; its scale is alpha/rank (0: twice the rank)"),
			intFlag("loras-per-site", 1, 1, 16, "LoRA modules at each site (MiLP's number of LoRAs)"),
			floatFlag("dropout", 0, bounds{lo: 0, hi: 1, hiOpen: true}, "LoRA dropout probability"),
			floatFlag("val-split", 0.1, bounds{lo: 0, hi: 1, hiOpen: true}, "fraction of conversations held out for the validation loss"),
			intFlag("checkpoint-every", 50, 0, 1<<30, "write a checkpoint every `N` steps (0: only on Ctrl-C)"),
			&cli.BoolFlag{Name: "resume", Usage: "continue from the checkpoint (OUT.ckpt) of an interrupted run"},
		}, recipeFlags(true)...),
		Action: runLoRATrain,
	}
}

func runLoRATrain(c *cli.Context) error {
	if c.NArg() > 0 {
		return fmt.Errorf("lora train takes no arguments (got %q)", c.Args().First())
	}
	if err := checkOutputs(c.String("out")); err != nil {
		return err
	}
	m, err := loadModel(c)
	if err != nil {
		return err
	}
	defer m.Close()
	ft := train.FineTune{Data: c.String("data"), Out: c.String("out"), ValSplit: c.Float64("val-split"),
		Control: train.Control{CheckpointEvery: c.Int("checkpoint-every"), Resume: c.Bool("resume")}}
	if ft.Recipe, err = recipeFrom(c, m); err != nil {
		return err
	}
	rank := c.Int("rank")
	if w := min(m.Config.Dim, m.Config.FFNDim); rank > w {
		return fmt.Errorf("--rank %d is wider than the model's narrowest site (%d): a rank above a site's width adds nothing", rank, w)
	}
	ft.LoRA = lora.Config{Modules: lora.Modules(c.Int("loras-per-site"), rank, float32(c.Float64("alpha"))), Dropout: float32(c.Float64("dropout"))}
	if ft.LoRA.Sites, err = lora.ParseSites(c.String("targets")); err != nil {
		return fmt.Errorf("--targets: %w", err)
	}
	if ft.LoRA.Layers, err = lora.ParseLayers(c.String("layers"), m.Config.Layers); err != nil {
		return fmt.Errorf("--layers: %w", err)
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
	ft.Control.Stop = stop.Load
	progress := newTrainProgress(os.Stderr)
	ft.Control.OnStart, ft.Control.OnStep, ft.Control.OnEpoch = progress.begin, progress.step, progress.epoch
	res, err := ft.Run(m)
	progress.finish()
	if err != nil {
		return err
	}
	if res.Interrupted {
		fmt.Fprintf(os.Stderr, "interrupted after step %d: checkpoint saved; --resume continues\n", res.Steps)
		return nil
	}
	fmt.Fprintf(os.Stderr, "wrote %s (%d steps, train loss %.4f, validation loss %.4f)\n", ft.Out, res.Steps, res.TrainLoss, res.ValLoss)
	return nil
}
