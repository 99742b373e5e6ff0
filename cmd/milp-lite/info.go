package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/dustin/go-humanize"

	"github.com/urfave/cli/v2"

	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/kernels"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/nn/tokenizer"
)

var jsonFlag = &cli.BoolFlag{Name: "json", Usage: "print the result as JSON on standard output (snake_case keys)"}

func infoCommand() *cli.Command {
	return &cli.Command{
		Name:      "info",
		Usage:     "print a GGUF file's metadata, tensors and tokenizer",
		ArgsUsage: "[FILE]",
		Description: "Lists every metadata key with its type and value, every tensor with its type, shape and size,\n" +
			"and, for a model milp-lite can run, its shape and tokenizer. With no FILE: the embedded model.\n" +
			"With --json, arrays in the metadata are summarised (type, length, first items). Example:\n\n" +
			"   milp-lite info --json model.gguf | jq .model",
		Flags: []cli.Flag{jsonFlag},
		Action: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return fmt.Errorf("info takes at most one FILE, got %d", c.NArg())
			}
			f, name, err := openGGUF(c.Args().First())
			if err != nil {
				return err
			}
			defer f.Close()
			info := describeFile(f, name)
			if c.Bool("json") {
				return printJSON(info)
			}
			return info.print(os.Stdout)
		},
	}
}

// infoJSON is what `info` reports about a file.
type infoJSON struct {
	File        string          `json:"file"`
	Version     uint32          `json:"gguf_version"`
	Alignment   uint64          `json:"alignment"`
	Metadata    []metadataJSON  `json:"metadata"`
	Tensors     []tensorJSON    `json:"tensors"`
	TotalBytes  uint64          `json:"tensor_bytes"`
	Tokenizer   *tokenizerJSON  `json:"tokenizer,omitempty"`
	TokenizerNo string          `json:"tokenizer_error,omitempty"`
	Model       *modelShapeJSON `json:"model,omitempty"`
	ModelNo     string          `json:"model_error,omitempty"`
	Kernels     kernelsJSON     `json:"kernels"`
}

type metadataJSON struct {
	Key   string `json:"key"`
	Type  string `json:"type"`
	Value any    `json:"value"`            // scalars as themselves; arrays summarised
	Len   *int   `json:"length,omitempty"` // arrays
	text  string // the value for people
}

type tensorJSON struct {
	Name  string   `json:"name"`
	Type  string   `json:"type"`
	Dims  []uint64 `json:"dims"`
	Bytes uint64   `json:"bytes"`
}

type tokenizerJSON struct {
	Kind   string `json:"kind"`
	Tokens int    `json:"tokens"`
	BOS    int32  `json:"bos"`
	EOS    int32  `json:"eos"`
}

type modelShapeJSON struct {
	Arch         string `json:"arch"`
	Layers       int    `json:"layers"`
	Dim          int    `json:"dim"`
	FFNDim       int    `json:"ffn_dim"`
	Heads        int    `json:"heads"`
	KVHeads      int    `json:"kv_heads"`
	HeadDim      int    `json:"head_dim"`
	ContextLen   int    `json:"context_length"`
	VocabSize    int    `json:"vocab_size"`
	ChatTemplate int    `json:"chat_template_chars"` // 0: none (plain text continuation)
}

type kernelsJSON struct {
	Level     string   `json:"level"`
	Available []string `json:"available"`
	CPU       string   `json:"cpu"`
	Features  []string `json:"cpu_features"`
	Threads   int      `json:"threads"`
}

// metadataValue is v as JSON shows it: a scalar itself, an array its
// one-line summary (a vocabulary's 150 000 tokens are not metadata to read).
func metadataValue(v gguf.Value) (any, *int) {
	if n := v.Len(); v.Type() == gguf.TypeArray {
		return v.String(), &n
	}
	if s, ok := v.AsString(); ok {
		return s, nil
	}
	if b, ok := v.AsBool(); ok {
		return b, nil
	}
	if u, ok := v.AsUint(); ok {
		return u, nil
	}
	if i, ok := v.AsInt(); ok {
		return i, nil
	}
	if x, ok := v.AsFloat(); ok {
		return x, nil
	}
	return v.String(), nil
}

func describeFile(f *gguf.File, name string) infoJSON {
	info := infoJSON{File: name, Version: f.Version, Alignment: uint64(f.Alignment), Metadata: []metadataJSON{}, Tensors: []tensorJSON{}}
	for _, kv := range f.KV {
		val, n := metadataValue(kv.Value)
		info.Metadata = append(info.Metadata, metadataJSON{Key: kv.Key, Type: kv.Value.Type().String(), Value: val, Len: n, text: kv.Value.String()})
	}
	for i := range f.Tensors {
		t := &f.Tensors[i]
		info.TotalBytes += t.Bytes()
		info.Tensors = append(info.Tensors, tensorJSON{Name: t.Name, Type: t.Type.String(), Dims: t.Dims, Bytes: t.Bytes()})
	}
	if tok, err := tokenizer.FromGGUF(f); err == nil {
		info.Tokenizer = &tokenizerJSON{Kind: tok.Kind(), Tokens: tok.VocabSize(), BOS: tok.BOS(), EOS: tok.EOS()}
	} else {
		info.TokenizerNo = err.Error()
	}
	if vocabOnly(f) {
		info.ModelNo = vocabOnlyText
	} else if m, err := nn.FromGGUF(f); err == nil {
		cfg := m.Config
		info.Model = &modelShapeJSON{Arch: cfg.Arch, Layers: cfg.Layers, Dim: cfg.Dim, FFNDim: cfg.FFNDim, Heads: cfg.Heads,
			KVHeads: cfg.KVHeads, HeadDim: cfg.HeadDim, ContextLen: cfg.ContextLen, VocabSize: cfg.VocabSize, ChatTemplate: len(m.ChatTemplate)}
	} else {
		info.ModelNo = err.Error()
	}
	info.Kernels = kernelsJSON{Level: kernels.CurrentLevel().String(), CPU: kernels.CPUBrand(), Features: kernels.CPUFeatures(), Threads: kernels.Default().Size()}
	for _, l := range kernels.AvailableLevels() {
		info.Kernels.Available = append(info.Kernels.Available, l.String())
	}
	return info
}

// print writes the report for people.
func (info infoJSON) print(out io.Writer) error {
	w := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintf(w, "file:\t%s\nGGUF version:\t%d\nalignment:\t%d\n\n", info.File, info.Version, info.Alignment)
	fmt.Fprintf(w, "metadata (%d keys):\n", len(info.Metadata))
	for _, kv := range info.Metadata {
		fmt.Fprintf(w, "  %s\t%s\n", kv.Key, kv.text)
	}
	fmt.Fprintf(w, "\ntensors (%d):\n", len(info.Tensors))
	for _, t := range info.Tensors {
		fmt.Fprintf(w, "  %s\t%s\t%v\t%s\n", t.Name, t.Type, t.Dims, humanize.IBytes(t.Bytes))
	}
	fmt.Fprintf(w, "  total\t\t\t%s\n\n", humanize.IBytes(info.TotalBytes))
	if tok := info.Tokenizer; tok != nil {
		fmt.Fprintf(w, "tokenizer:\t%s, %d tokens, BOS %d, EOS %d\n", tok.Kind, tok.Tokens, tok.BOS, tok.EOS)
	} else {
		fmt.Fprintf(w, "tokenizer:\tnone usable (%s)\n", info.TokenizerNo)
	}
	switch cfg := info.Model; {
	case cfg != nil:
		fmt.Fprintf(w, "model:\t%s, %d layers, dim %d, FFN %d, %d heads (%d KV), head %d, context %d, vocab %d\n",
			cfg.Arch, cfg.Layers, cfg.Dim, cfg.FFNDim, cfg.Heads, cfg.KVHeads, cfg.HeadDim, cfg.ContextLen, cfg.VocabSize)
		tmpl := "none (plain text continuation)"
		if cfg.ChatTemplate > 0 {
			tmpl = fmt.Sprintf("%d characters", cfg.ChatTemplate)
		}
		fmt.Fprintf(w, "chat template:\t%s\n", tmpl)
	case info.ModelNo == vocabOnlyText:
		fmt.Fprintf(w, "model:\tnone: %s\n", vocabOnlyText)
	default:
		fmt.Fprintf(w, "model:\tcannot run: %s\n", info.ModelNo)
	}
	k := info.Kernels
	fmt.Fprintf(w, "kernels:\t%s (available: [%s]; MILP_KERNELS forces one) on %s [%s], %d threads\n",
		k.Level, strings.Join(k.Available, " "), k.CPU, strings.Join(k.Features, " "), k.Threads)
	return w.Flush()
}
