package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/models"
	"github.com/milp-lite/milp-lite/nn"
)

var modelFlag = &cli.StringFlag{
	Name:    "model",
	Aliases: []string{"m"},
	Usage:   "GGUF model `FILE` (llama or qwen2 architecture); empty: the embedded stories260K",
}

// openGGUF opens the file named by --model, or the embedded default.
func openGGUF(path string) (*gguf.File, string, error) {
	if path == "" {
		f, err := gguf.Parse(models.Stories260K)
		return f, models.DefaultName, err
	}
	f, err := gguf.Open(path)
	return f, path, err
}

// loadModel loads the model named by --model, or the embedded default.
func loadModel(c *cli.Context) (*nn.Model, error) {
	f, name, err := openGGUF(c.String(modelFlag.Name))
	if err != nil {
		return nil, err
	}
	m, err := nn.FromGGUF(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return m, nil
}
