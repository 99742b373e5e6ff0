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
			"in the text (such as <|im_start|>) are recognised. Example:\n\n" +
			"   milp-lite tokenize \"Once upon a time\"",
		Flags: []cli.Flag{
			modelFlag,
			&cli.BoolFlag{Name: "no-bos", Usage: "do not add the BOS token even where the vocabulary asks for it"},
			&cli.BoolFlag{Name: "pieces", Usage: "print each id with its text"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return fmt.Errorf("tokenize takes one TEXT argument, got %d (quote the text)", c.NArg())
			}
			m, err := loadModel(c)
			if err != nil {
				return err
			}
			defer m.Close()
			ids := m.Tokenizer.Encode(c.Args().First(), !c.Bool("no-bos"), true)
			if c.Bool("pieces") {
				for _, id := range ids {
					fmt.Printf("%6d %q\n", id, m.Tokenizer.Piece(id))
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
