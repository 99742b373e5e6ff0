package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/milp-lite/milp-lite/milp"
)

func evalCommand() *cli.Command {
	return &cli.Command{
		Name:  "eval",
		Usage: "the personalisation benchmark: MiLP against zero-shot, history, retrieval and fixed-LoRA baselines",
		Description: "For each user, under the same training budget per adapter, scores on the user's held-out test\n" +
			"turns: the base model zero-shot; the whole history in the prompt (cut to the context); BM25\n" +
			"retrieval of the k most relevant past exchanges; one fixed LoRA (rank 8 on every FFN site of every\n" +
			"layer); retrieval plus that LoRA (MaLP-style); and MiLP, the memory placement found by Bayesian\n" +
			"optimisation on the user's validation turns. Prints a markdown table (mean over users with 95%\n" +
			"intervals), and writes the report as JSON and the ROUGE-L per method as an SVG.\n\n" +
			"Examples:\n" +
			"   milp-lite data import --format spc testdata/data/spc_valid.csv --out users/spc\n" +
			"   milp-lite eval --users users/spc --limit 20 --out eval-spc",
		Flags: []cli.Flag{
			modelFlag,
			&cli.StringFlag{Name: "users", Usage: "`DIR` of users in milp-lite's JSONL layout (default: the embedded sample)"},
			&cli.IntFlag{Name: "limit", Value: 20, Usage: "evaluate at most `N` users (0: all)"},
			&cli.IntFlag{Name: "trials", Value: 12, Usage: "MiLP's BO trials per user"},
			&cli.IntFlag{Name: "init", Value: 6, Usage: "space-filling trials before the Gaussian process takes over"},
			&cli.DurationFlag{Name: "time", Usage: "wall-time budget of each user's search (0: none)"},
			&cli.IntFlag{Name: "epochs", Value: milp.DefaultBudget.Epochs, Usage: "training budget: passes over a user's history per adapter"},
			&cli.IntFlag{Name: "retrieval-k", Value: 3, Usage: "past exchanges retrieved by BM25"},
			&cli.IntFlag{Name: "val-turns", Value: 24, Usage: "validation turns each BO trial is scored on (fewer make the search chase noise)"},
			&cli.IntFlag{Name: "test-turns", Value: 24, Usage: "test turns per user the table reports"},
			&cli.Int64Flag{Name: "seed", Value: 1, Usage: "seed of splits, initialisation and search"},
			&cli.StringFlag{Name: "out", Value: "milp-eval", Usage: "`DIR` for report.json, rouge_l.svg and the search journals"},
		},
		Action: runEval,
	}
}

func runEval(c *cli.Context) error {
	if c.NArg() > 0 {
		return fmt.Errorf("eval takes no arguments (got %q)", c.Args().First())
	}
	for _, f := range []string{"trials", "init", "epochs", "retrieval-k"} {
		if c.Int(f) < 1 {
			return fmt.Errorf("--%s must be ≥ 1, got %d", f, c.Int(f))
		}
	}
	m, err := loadModel(c)
	if err != nil {
		return err
	}
	defer m.Close()
	users, from, err := loadUsers(c)
	if err != nil {
		return err
	}
	out := c.String("out")
	if err := os.MkdirAll(filepath.Join(out, "journals"), 0o755); err != nil {
		return err
	}
	o := milp.DefaultEvalOptions()
	o.Budget.Epochs = c.Int("epochs")
	o.Budget.Seed, o.Seed = uint64(c.Int64("seed")), uint64(c.Int64("seed"))
	o.Budget.Ctx = min(o.Budget.Ctx, m.Config.ContextLen)
	o.Search.Trials, o.Search.InitialTrials, o.Search.Time = c.Int("trials"), c.Int("init"), c.Duration("time")
	o.RetrievalK, o.ValTurns, o.TestTurns = c.Int("retrieval-k"), c.Int("val-turns"), c.Int("test-turns")
	o.JournalDir = filepath.Join(out, "journals")
	start := time.Now()
	var userStart time.Time
	o.OnMethod = func(user string, meth milp.Method, s milp.Scores) {
		fmt.Fprintf(os.Stderr, "  %-15s ROUGE-L %.4f  Persona-F1 %.4f  (%.0fs)\n", meth, s.RougeL, s.PersonaF1, time.Since(userStart).Seconds())
	}
	o.OnTrial = func(user string, t milp.TrialReport) {
		fmt.Fprintf(os.Stderr, "    trial %d/%d: %s → val ROUGE-L %.4f\n", t.ID+1, o.Search.Trials, t.Placement, t.RougeL)
	}
	modelName := c.String(modelFlag.Name)
	if modelName == "" {
		modelName = "stories260K (embedded)"
	}
	rep := &milp.Report{Model: modelName, Command: strings.Join(os.Args, " "), Budget: o.Budget, Trials: o.Search.Trials,
		Date: start.UTC().Format(time.RFC3339)}
	fmt.Fprintf(os.Stderr, "Evaluating %d users from %s on %s\n", len(users), from, modelName)
	for i, u := range users {
		userStart = time.Now()
		fmt.Fprintf(os.Stderr, "[user %d/%d] %s (%d conversations)\n", i+1, len(users), u.ID, len(u.Conversations))
		res, err := milp.EvaluateUser(m, u, o)
		if err != nil {
			// One user's failure (too little history, say) does not sink the run.
			fmt.Fprintf(os.Stderr, "  skipped: %v\n", err)
			rep.Failures = append(rep.Failures, err.Error())
			continue
		}
		rep.Users = append(rep.Users, res)
	}
	if len(rep.Users) == 0 {
		return fmt.Errorf("no user could be evaluated")
	}
	rep.Summary = milp.Summarise(rep.Users)
	rep.Seconds = time.Since(start).Seconds()
	if err := milp.WriteJSON(filepath.Join(out, "report.json"), rep); err != nil {
		return err
	}
	svg := milp.SummarySVG(fmt.Sprintf("Test ROUGE-L over %d users, %s", len(rep.Users), modelName), rep.Summary)
	if err := milp.WriteSVG(filepath.Join(out, "rouge_l.svg"), svg); err != nil {
		return err
	}
	fmt.Print(rep.Markdown())
	fmt.Printf("\n%.0fs. Report: %s, plot: %s\n", rep.Seconds, filepath.Join(out, "report.json"), filepath.Join(out, "rouge_l.svg"))
	return nil
}
