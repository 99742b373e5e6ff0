package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

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
				"   spc     Synthetic-Persona-Chat CSV: users grouped by persona; the persona holder's lines are the\n" +
				"           replies being personalised. A malformed record (no \"User 1:\"/\"User 2:\" labels, an empty\n" +
				"           conversation or persona, a wrong number of fields) is skipped with a warning naming its\n" +
				"           line, and counted; --strict stops at the first instead\n" +
				"   malp    MaLP's patient/doctor dialogue JSON\n" +
				"   openai  OpenAI's chat fine-tuning JSONL, one user (--user, or FILE's name): \"weight\": 0 keeps an\n" +
				"           assistant message as context but out of the loss, \"name\" is kept, content may be an array\n" +
				"           of text parts. Tool calls (tool_calls, function_call) and the tool's answers (role tool or\n" +
				"           function) are skipped and counted: milp-lite learns how the assistant talks, and its\n" +
				"           histories keep to the system, user and assistant roles.\n" +
				"The layout written is described in userdata/FORMAT.md. Examples:\n\n" +
				"   milp-lite data import --format spc testdata/data/spc_valid.csv --out users/spc\n" +
				"   milp-lite data import --format openai mydata.jsonl --user alice --out users/mine",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "format", Usage: "`FORMAT` of FILE: spc, malp or openai", Required: true},
				&cli.StringFlag{Name: "out", Usage: "`DIR` to write <user>.jsonl files into", Required: true},
				&cli.StringFlag{Name: "user", Usage: "user `ID` of an openai FILE (default: FILE's name without its extension)"},
				&cli.BoolFlag{Name: "strict", Usage: "spc: stop at the first malformed record instead of skipping it with a warning"},
			},
			Action: dataImport,
		}},
	}
}

func dataImport(c *cli.Context) error {
	if c.NArg() != 1 {
		return fmt.Errorf("data import takes one FILE, got %d", c.NArg())
	}
	format := c.String("format")
	if format != "spc" && format != "malp" && format != "openai" {
		return fmt.Errorf("--format %q: want spc, malp or openai", format)
	}
	if c.IsSet("user") && format != "openai" {
		return fmt.Errorf("--user is for --format openai (spc and malp files hold many users)")
	}
	if c.IsSet("strict") && format != "spc" {
		return fmt.Errorf("--strict is for --format spc (the other formats always stop at the first error)")
	}
	path := c.Args().First()
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var users []userdata.User
	switch format {
	case "spc":
		users, err = importSPC(f, path, c.Bool("strict"))
	case "malp":
		users, err = userdata.ImportMaLP(f, filepath.Base(path))
	case "openai": // its errors name the file and line already
		if users, err = importOpenAI(f, path, c.String("user")); err != nil {
			return err
		}
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
}

// importOpenAI reads an OpenAI fine-tuning file as one user's history,
// warning about the tool messages it skipped.
func importOpenAI(f *os.File, path, id string) ([]userdata.User, error) {
	if id == "" {
		id = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		if !userdata.ValidID(id) {
			return nil, fmt.Errorf("%s: the file name %q is no user ID: give one with --user", path, id)
		}
	}
	u, skipped, err := userdata.ImportOpenAI(f, path, id)
	if err != nil {
		return nil, fmt.Errorf("userdata: %w", err)
	}
	if skipped > 0 {
		fmt.Fprintf(os.Stderr, "milp-lite: warning: %s: skipped %d tool messages (tool calls and their answers; see --help)\n", path, skipped)
	}
	return []userdata.User{u}, nil
}

// importSPC reads a Synthetic-Persona-Chat CSV, warning about each
// malformed record it skips and counting them at the end, or stopping at the
// first when strict.
func importSPC(f *os.File, path string, strict bool) ([]userdata.User, error) {
	if strict {
		return userdata.ImportSPC(f)
	}
	skipped := 0
	users, err := userdata.ImportSPCSkipping(f, func(s userdata.SkippedRecord) {
		skipped++
		fmt.Fprintf(os.Stderr, "milp-lite: warning: %s:%d: skipped the record: %s\n", path, s.Line, s.Reason)
	})
	if skipped > 0 {
		fmt.Fprintf(os.Stderr, "milp-lite: warning: %s: skipped %d malformed records (--strict stops at the first)\n", path, skipped)
	}
	return users, err
}
