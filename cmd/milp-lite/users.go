package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/milp-lite/milp-lite/internal/filelock"
	"github.com/milp-lite/milp-lite/milp"
	"github.com/milp-lite/milp-lite/serve"
)

func usersCommand() *cli.Command {
	return &cli.Command{
		Name:  "users",
		Usage: "manage the store's users",
		Subcommands: []*cli.Command{{
			Name:      "add-key",
			Usage:     "make an API key for a user of `milp-lite serve` (shown once, stored hashed)",
			ArgsUsage: "ID",
			Flags:     []cli.Flag{storeFlag},
			Action: func(c *cli.Context) error {
				if c.NArg() != 1 {
					return fmt.Errorf("users add-key takes one user ID")
				}
				id := c.Args().First()
				if err := milp.CheckUserID(id); err != nil {
					return err
				}
				st := storeOf(c)
				if err := refuseIfServed(st); err != nil {
					return err
				}
				if err := os.MkdirAll(st.UserDir(id), 0o755); err != nil {
					return err
				}
				key, err := serve.AddKey(st.Root, id)
				if err != nil {
					return err
				}
				fmt.Println(key)
				fmt.Fprintf(os.Stderr, "a key for %s (shown once: only its hash is stored in %s)\n", id, st.Root)
				return nil
			},
		}},
	}
}

// refuseIfServed errors when a milp-lite server holds the store: the server
// is its store's one writer, and a command writing beside it could undo
// what the server keeps in memory (keys, adapter versions, jobs).
func refuseIfServed(st milp.Store) error {
	// A server creates its lock file when it starts and never removes it:
	// without one, no server has run here (and nothing is created).
	path := serve.ServerLockPath(st.Root)
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	lock, err := filelock.TryLock(path)
	switch {
	case errors.Is(err, filelock.ErrLocked):
		return fmt.Errorf("a milp-lite server is serving %s: use its API (/v1/users) while it runs, or stop it first", st.Root)
	case err != nil:
		return err
	}
	return lock.Unlock()
}

// userForWriting checks --user's ID and that no server holds the store the
// command would write that user's memories into.
func userForWriting(c *cli.Context) error {
	if err := milp.CheckUserID(c.String("user")); err != nil {
		return fmt.Errorf("--user %w", err)
	}
	return refuseIfServed(storeOf(c))
}
