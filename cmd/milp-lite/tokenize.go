package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

func tokenizeCommand() *cli.Command {
	return &cli.Command{
		Name:      "tokenize",
		Usage:     "print the token ids of TEXT",
		ArgsUsage: "TEXT",
		Description: "Tokenises TEXT exactly as llama.cpp does with the model's vocabulary. Special tokens written\n" +
			"in the text (such as <|im_start|>) are recognised. Only the vocabulary is read, so llama.cpp's\n" +
			"vocabulary-only files work too (as with llama-tokenize --vocab-only). Examples:\n\n" +
			"   milp-lite tokenize \"Once upon a time\"\n" +
			"   milp-lite tokenize --model testdata/vocab/ggml-vocab-qwen2.gguf --pieces \"Hello world\"",
		Flags: []cli.Flag{
			modelFlag,
			&cli.BoolFlag{Name: "no-bos", Usage: "do not add the BOS token even where the vocabulary asks for it"},
			&cli.BoolFlag{Name: "pieces", Usage: "print each id with its text"},
			jsonFlag,
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return fmt.Errorf("tokenize takes one TEXT argument, got %d (quote the text)", c.NArg())
			}
			tok, f, err := openTokenizer(c)
			if err != nil {
				return err
			}
			defer f.Close()
			ids := tok.Encode(c.Args().First(), !c.Bool("no-bos"), true)
			if c.Bool("json") {
				out := tokenizeJSON{IDs: ids, Pieces: make([]string, len(ids))}
				for i, id := range ids {
					out.Pieces[i] = string(tok.Piece(id))
				}
				return printJSON(out)
			}
			if c.Bool("pieces") {
				for _, id := range ids {
					fmt.Printf("%6d %q\n", id, tok.Piece(id))
				}
				return nil
			}
			parts := make([]string, len(ids))
			for i, id := range ids {
				parts[i] = fmt.Sprint(id)
			}
			// The same form as llama.cpp's `llama-tokenize --ids`.
			fmt.Printf("[%s]\n", strings.Join(parts, ", "))
			return nil
		},
	}
}

// tokenizeJSON is `tokenize --json`'s output: the ids and each one's text
// (bytes that are not UTF-8 on their own, as a byte token's, show as U+FFFD).
type tokenizeJSON struct {
	IDs    []int32  `json:"ids"`
	Pieces []string `json:"pieces"`
}
