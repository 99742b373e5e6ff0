package main

import (
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
				// The server is its store's one writer: it keeps the keys in memory.
				lock, err := filelock.TryLock(serve.ServerLockPath(st.Root))
				if err != nil {
					return fmt.Errorf("a milp-lite server holds %s: make the key with POST /v1/users/%s/keys", st.Root, id)
				}
				defer lock.Unlock()
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
