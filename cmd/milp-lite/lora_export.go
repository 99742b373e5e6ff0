package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/safetensors"
)

func loraExportCommand() *cli.Command {
	return &cli.Command{
		Name:  "export",
		Usage: "convert an adapter between llama.cpp's LoRA GGUF and a Hugging Face PEFT directory",
		Description: "Reads the adapter given by --adapter (a LoRA GGUF, as milp-lite and llama.cpp write them, or a\n" +
			"PEFT directory of adapter_config.json + adapter_model.safetensors), checks it against the model, and\n" +
			"writes it as --format says: \"peft\" makes the directory --out, loadable with PEFT's\n" +
			"PeftModel.from_pretrained on the model's transformers checkpoint; \"gguf\" writes the file --out, as\n" +
			"llama.cpp's convert_lora_to_gguf.py would. Names follow llama.cpp's mapping\n" +
			"(model.layers.N.mlp.up_proj.lora_A.weight ↔ blk.N.ffn_up.weight.lora_a), a llama model's Q and K rows\n" +
			"are permuted as llama.cpp's converter permutes them, and every site keeps its scale (lora_alpha/r).\n\n" +
			"Examples:\n" +
			"   milp-lite lora export --model stories.gguf --adapter alice.gguf --format peft --out alice-peft \\\n" +
			"        --base-model karpathy/tinyllamas\n" +
			"   milp-lite lora export --model qwen.gguf --adapter ./my-peft-lora --format gguf --out my-lora.gguf",
		Flags: []cli.Flag{
			modelFlag,
			&cli.StringFlag{Name: "adapter", Usage: "adapter to convert: LoRA GGUF `FILE` or PEFT directory, optionally :SCALE (baked in)", Required: true},
			&cli.StringFlag{Name: "format", Value: "peft", Usage: "`FORMAT` to write: peft or gguf"},
			&cli.StringFlag{Name: "out", Usage: "PEFT `DIR` (made if missing) or GGUF file to write", Required: true},
			&cli.StringFlag{Name: "dtype", Value: "f32", Usage: "`TYPE` of a PEFT export's factors: f32, f16 or bf16"},
			&cli.StringFlag{Name: "base-model", Usage: "a PEFT export's base_model_name_or_path: the Hugging Face `ID` or folder of the model's\n\ttransformers checkpoint, for AutoPeftModelForCausalLM (default: the model's general.name)"},
		},
		Action: runLoRAExport,
	}
}

func runLoRAExport(c *cli.Context) error {
	if c.NArg() > 0 {
		return fmt.Errorf("lora export takes no arguments (got %q)", c.Args().First())
	}
	format, out := c.String("format"), c.String("out")
	dtypes := map[string]safetensors.DType{"f32": safetensors.F32, "f16": safetensors.F16, "bf16": safetensors.BF16}
	dtype, ok := dtypes[strings.ToLower(c.String("dtype"))]
	if !ok {
		return fmt.Errorf("--dtype %q: want f32, f16 or bf16", c.String("dtype"))
	}
	switch format {
	case "peft":
		if err := prepareOutputDir(out); err != nil {
			return err
		}
	case "gguf":
		if err := checkOutputs(out); err != nil {
			return err
		}
	default:
		return fmt.Errorf("--format %q: want peft or gguf", format)
	}
	m, err := loadModel(c)
	if err != nil {
		return err
	}
	defer m.Close()
	adapters, err := loadLoRAs([]string{c.String("adapter")}, m)
	if err != nil {
		return err
	}
	a := adapters[0]
	if format == "peft" {
		err = a.SavePEFT(out, m, lora.PEFTOptions{DType: dtype, BaseModel: c.String("base-model")})
	} else {
		err = a.Baked().Save(out)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %s (%s)\n", out, format)
	return nil
}
