package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/milp-lite/milp-lite/userdata"
)

func dataCommand() *cli.Command {
	return &cli.Command{
		Name:  "data",
		Usage: "prepare users' histories",
		Subcommands: []*cli.Command{{
			Name:      "import",
			Usage:     "convert a dialogue data set into one JSONL history per user",
			ArgsUsage: "FILE",
			Description: "Formats:\n" +
				"   spc   Synthetic-Persona-Chat CSV: users grouped by persona; the persona holder's lines are the\n" +
				"         replies being personalised\n" +
				"   malp  MaLP's patient/doctor dialogue JSON\n" +
				"The layout written is described in userdata/FORMAT.md. Example:\n\n" +
				"   milp-lite data import --format spc testdata/data/spc_valid.csv --out users/spc",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "format", Usage: "`FORMAT` of FILE: spc or malp", Required: true},
				&cli.StringFlag{Name: "out", Usage: "`DIR` to write <user>.jsonl files into", Required: true},
			},
			Action: func(c *cli.Context) error {
				if c.NArg() != 1 {
					return fmt.Errorf("data import takes one FILE, got %d", c.NArg())
				}
				format := c.String("format")
				if format != "spc" && format != "malp" {
					return fmt.Errorf("--format %q: want spc or malp", format)
				}
				path := c.Args().First()
				f, err := os.Open(path)
				if err != nil {
					return err
				}
				defer f.Close()
				var users []userdata.User
				if format == "spc" {
					users, err = userdata.ImportSPC(f)
				} else {
					users, err = userdata.ImportMaLP(f, filepath.Base(path))
				}
				if err != nil {
					return fmt.Errorf("%s: %w", path, err)
				}
				if err := os.MkdirAll(c.String("out"), 0o755); err != nil {
					return err
				}
				if err := userdata.Save(c.String("out"), users); err != nil {
					return err
				}
				convs := 0
				for _, u := range users {
					convs += len(u.Conversations)
				}
				fmt.Printf("wrote %d users (%d conversations) to %s\n", len(users), convs, c.String("out"))
				return nil
			},
		}},
	}
}
