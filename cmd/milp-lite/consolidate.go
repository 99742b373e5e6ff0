package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/milp-lite/milp-lite/milp"
)

func consolidateCommand() *cli.Command {
	return &cli.Command{
		Name:  "consolidate",
		Usage: "fold a user's short-term memory into their long-term adapter",
		Description: "What `milp-lite chat --user ID` recorded (the user's short-term memory) joins their history as one\n" +
			"conversation; the adapter is retrained on the whole history at the placement the user's last search\n" +
			"found (the fixed placement, rank 8 on every FFN site, when there was none), and the turns it moved\n" +
			"leave the short-term memory (MaLP's memory coordination); chats during the consolidation stay there.\n\n" +
			"Example:\n" +
			"   milp-lite consolidate --user spc-216baf81",
		Flags: append([]cli.Flag{
			modelFlag,
			storeFlag,
			&cli.StringFlag{Name: "user", Usage: "the user `ID` whose memory to consolidate", Required: true},
		}, recipeFlags(false)...),
		Action: runConsolidate,
	}
}

func runConsolidate(c *cli.Context) error {
	if c.NArg() > 0 {
		return fmt.Errorf("consolidate takes no arguments (got %q)", c.Args().First())
	}
	id := c.String("user")
	if err := userForWriting(c); err != nil {
		return err
	}
	m, err := loadModel(c)
	if err != nil {
		return err
	}
	defer m.Close()
	r, err := recipeFrom(c, m)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "Consolidating %s's short-term memory into the long-term adapter...\n", id)
	res, err := milp.Consolidate(m, storeOf(c), id, r)
	if err != nil {
		return err
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(os.Stderr, "warning: %s\n", w)
	}
	fmt.Printf("moved %d short-term turns into %s's history (%d conversations); retrained %s (train loss %.3f); those turns left short-term memory\n",
		res.Turns, id, res.Conversations, res.Placement, res.TrainLoss)
	return nil
}
