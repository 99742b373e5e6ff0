// Command milp-lite personalises a local LLM to each of its users on the CPU.
// This file only wires the subcommands together; each lives in its own file
// and the work itself in the library packages.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"
)

func main() {
	app := &cli.App{
		Name:  "milp-lite",
		Usage: "personalise a local LLM to each of its users, on the CPU, in pure Go",
		Description: "milp-lite runs GGUF models (llama, qwen2) with no GPU and no cgo. With no --model it uses\n" +
			"the embedded stories260K model, so every command works out of the box.",
		Commands:             []*cli.Command{chatCommand(), tokenizeCommand(), infoCommand()},
		EnableBashCompletion: true,
		// Usage errors are reported like any other: one line, exit status 1.
		OnUsageError: func(c *cli.Context, err error, isSubcommand bool) error { return err },
		// The default handler would print and os.Exit itself; main does both below.
		ExitErrHandler: func(*cli.Context, error) {},
	}
	if err := app.Run(os.Args); err != nil {
		var exit cli.ExitCoder
		if errors.As(err, &exit) && exit.ExitCode() == 0 {
			return
		}
		fmt.Fprintf(os.Stderr, "milp-lite: %v\n", err)
		os.Exit(1)
	}
}
