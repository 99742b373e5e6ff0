package main

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/dustin/go-humanize"

	"github.com/urfave/cli/v2"

	"github.com/milp-lite/milp-lite/kernels"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/nn/tokenizer"
)

func infoCommand() *cli.Command {
	return &cli.Command{
		Name:      "info",
		Usage:     "print a GGUF file's metadata, tensors and tokenizer",
		ArgsUsage: "[FILE]",
		Description: "Lists every metadata key with its type and value, every tensor with its type, shape and size,\n" +
			"and, for a model milp-lite can run, its shape and tokenizer. With no FILE: the embedded model.",
		Action: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return fmt.Errorf("info takes at most one FILE, got %d", c.NArg())
			}
			f, name, err := openGGUF(c.Args().First())
			if err != nil {
				return err
			}
			defer f.Close()
			w := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintf(w, "file:\t%s\nGGUF version:\t%d\nalignment:\t%d\n\n", name, f.Version, f.Alignment)
			fmt.Fprintf(w, "metadata (%d keys):\n", len(f.KV))
			for _, kv := range f.KV {
				fmt.Fprintf(w, "  %s\t%s\n", kv.Key, kv.Value)
			}
			var total uint64
			fmt.Fprintf(w, "\ntensors (%d):\n", len(f.Tensors))
			for i := range f.Tensors {
				t := &f.Tensors[i]
				total += t.Bytes()
				fmt.Fprintf(w, "  %s\t%s\t%v\t%s\n", t.Name, t.Type, t.Dims, humanize.IBytes(t.Bytes()))
			}
			fmt.Fprintf(w, "  total\t\t\t%s\n\n", humanize.IBytes(total))
			if tok, err := tokenizer.FromGGUF(f); err == nil {
				fmt.Fprintf(w, "tokenizer:\t%s, %d tokens, BOS %d, EOS %d\n", tok.Kind(), tok.VocabSize(), tok.BOS(), tok.EOS())
			} else {
				fmt.Fprintf(w, "tokenizer:\tnone usable (%v)\n", err)
			}
			if vocabOnly(f) {
				fmt.Fprintf(w, "model:\tnone: %s\n", vocabOnlyText)
			} else if m, err := nn.FromGGUF(f); err == nil {
				cfg := m.Config
				fmt.Fprintf(w, "model:\t%s, %d layers, dim %d, FFN %d, %d heads (%d KV), head %d, context %d, vocab %d\n",
					cfg.Arch, cfg.Layers, cfg.Dim, cfg.FFNDim, cfg.Heads, cfg.KVHeads, cfg.HeadDim, cfg.ContextLen, cfg.VocabSize)
				tmpl := "none (plain text continuation)"
				if m.ChatTemplate != "" {
					tmpl = fmt.Sprintf("%d characters", len(m.ChatTemplate))
				}
				fmt.Fprintf(w, "chat template:\t%s\n", tmpl)
			} else {
				fmt.Fprintf(w, "model:\tcannot run: %v\n", err)
			}
			fmt.Fprintf(w, "kernels:\t%s (available: %v; MILP_KERNELS forces one) on %s [%s], %d threads\n",
				kernels.CurrentLevel(), kernels.AvailableLevels(), kernels.CPUBrand(), strings.Join(kernels.CPUFeatures(), " "), kernels.Default().Size())
			return w.Flush()
		},
	}
}
