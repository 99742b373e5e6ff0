package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/quant"
)

func loraMergeCommand() *cli.Command {
	return &cli.Command{
		Name:  "merge",
		Usage: "bake LoRA adapters into the model's weights and write a new GGUF (llama.cpp's export-lora)",
		Description: "Adds each adapter's ΔW = scale·(alpha/r)·B·A to the weights it modifies and writes the model as\n" +
			"a GGUF: the merged weights in --type, every other tensor and all metadata as they are. The merged\n" +
			"model runs with no adapter at no per-token cost, in milp-lite, llama.cpp or Ollama. Adapters are LoRA\n" +
			"GGUFs or PEFT directories, each with an optional :SCALE (1 by default); q8_0 needs rows that are a\n" +
			"multiple of 32 values.\n\n" +
			"Example:\n" +
			"   milp-lite lora merge --model base.gguf --adapter alice.gguf --adapter style.gguf:0.5 --out alice-merged.gguf --type f16",
		Flags: []cli.Flag{
			modelFlag,
			&cli.StringSliceFlag{Name: "adapter", Usage: "adapter `FILE[:SCALE]` to bake in: a LoRA GGUF or a PEFT directory (repeatable)", Required: true},
			&cli.StringFlag{Name: "out", Usage: "merged model GGUF `FILE` to write", Required: true},
			&cli.StringFlag{Name: "type", Value: "f16", Usage: "`TYPE` of the merged weights: f32, f16 or q8_0"},
		},
		Action: runLoRAMerge,
	}
}

func runLoRAMerge(c *cli.Context) error {
	if c.NArg() > 0 {
		return fmt.Errorf("lora merge takes no arguments (got %q)", c.Args().First())
	}
	types := map[string]quant.Type{"f32": quant.F32, "f16": quant.F16, "q8_0": quant.Q8_0}
	typ, ok := types[strings.ToLower(c.String("type"))]
	if !ok {
		return fmt.Errorf("--type %q: want f32, f16 or q8_0", c.String("type"))
	}
	out := c.String("out")
	if err := checkOutputs(out); err != nil {
		return err
	}
	m, err := loadModel(c)
	if err != nil {
		return err
	}
	defer m.Close()
	adapters, err := loadLoRAs(c.StringSlice("adapter"), m)
	if err != nil {
		return err
	}
	progress := newCountProgress(os.Stderr, "merging tensors")
	b, err := lora.MergeFile(m, typ, progress.set, adapters...)
	progress.finish()
	if err != nil {
		return err
	}
	if err := b.WriteFile(out); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %s (%d adapters merged, weights they modify as %s)\n", out, len(adapters), typ)
	return nil
}
