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
	app := newApp()
	if err := app.Run(flagsFirst(app, os.Args)); err != nil {
		var exit cli.ExitCoder
		if errors.As(err, &exit) && exit.ExitCode() == 0 {
			return
		}
		if errors.Is(err, errInterrupted) { // Ctrl-C at the chat's prompt: the shell's convention
			os.Exit(130)
		}
		fmt.Fprintf(os.Stderr, "milp-lite: %v\n", err)
		os.Exit(1)
	}
}

func newApp() *cli.App {
	// Usage errors are reported like any other error: one line, exit status 1
	// (urfave/cli would otherwise print the whole help after the message).
	usageError := func(c *cli.Context, err error, isSubcommand bool) error { return err }
	cli.VersionPrinter = func(c *cli.Context) { printVersion(c.App.Writer) }
	app := &cli.App{
		Name:    "milp-lite",
		Version: moduleVersion(),
		Usage:   "personalise a local LLM to each of its users, on the CPU, in pure Go",
		Description: "milp-lite runs GGUF models (llama, qwen2) with no GPU and no cgo. With no --model it uses\n" +
			"the embedded stories260K model, so every command works out of the box.",
		Commands: []*cli.Command{trainCommand(), consolidateCommand(), chatCommand(), evalCommand(), loraCommand(), serveCommand(), workerCommand(), natsCommand(), usersCommand(), dataCommand(),
			benchCommand(), tokenizeCommand(), infoCommand()},
		EnableBashCompletion: true,
		OnUsageError:         usageError,
		// The default handler would print and os.Exit itself; main does both.
		ExitErrHandler: func(*cli.Context, error) {},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return fmt.Errorf("unknown command %q (see milp-lite --help)", c.Args().First())
			}
			return cli.ShowAppHelp(c)
		},
	}
	var prepare func(cmds []*cli.Command)
	prepare = func(cmds []*cli.Command) {
		for _, cmd := range cmds {
			cmd.OnUsageError = usageError
			if cmd.Before == nil {
				cmd.Before = checkFlagRanges
			}
			prepare(cmd.Subcommands)
		}
	}
	prepare(app.Commands)
	return app
}
