package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/milp-lite/milp-lite/milp"
)

func evalCommand() *cli.Command {
	d := milp.DefaultEvalOptions()
	return &cli.Command{
		Name:  "eval",
		Usage: "the personalisation benchmark: MiLP against zero-shot, history, retrieval and fixed-LoRA baselines",
		Description: "For each user, under the same training budget per adapter, scores on the user's held-out test\n" +
			"turns: the base model zero-shot; the whole history in the prompt (cut to the context); BM25\n" +
			"retrieval of the k most relevant past exchanges; one fixed LoRA (rank 8 on every FFN site of every\n" +
			"layer); retrieval plus that LoRA (MaLP-style); and MiLP, the memory placement found by Bayesian\n" +
			"optimisation on the user's validation turns. Prints a markdown table (mean over users with 95%\n" +
			"intervals, and each method's CPU seconds per user), or with --json the report, and writes the report\n" +
			"as JSON (with every reply) and the ROUGE-L per method as an SVG. Each user's search starts from the\n" +
			"winners of the users before.\n\n" +
			"Examples:\n" +
			"   milp-lite data import --format spc testdata/data/spc_valid.csv --out users/spc\n" +
			"   milp-lite eval --users users/spc --limit 20 --out eval-spc",
		Flags: append(setupFlags(d.Setup, 20),
			intFlag("retrieval-k", d.RetrievalK, 1, 100, "past exchanges retrieved by BM25"),
			&cli.BoolFlag{Name: "trials-on-test", Usage: "also score every search trial on the test turns, and report how each signal ranks the trials (slower; the choice is unchanged)"},
			&cli.StringFlag{Name: "out", Value: "milp-eval", Usage: "`DIR` for report.json, rouge_l.svg and the search journals"},
			jsonFlag,
		),
		Action: runEval,
	}
}

func runEval(c *cli.Context) error {
	if c.NArg() > 0 {
		return fmt.Errorf("eval takes no arguments (got %q)", c.Args().First())
	}
	out := c.String("out")
	if err := prepareOutputDir(out); err != nil {
		return err
	}
	if err := checkOutputs(filepath.Join(out, "report.json"), filepath.Join(out, "rouge_l.svg"), filepath.Join(out, "search-prior.json")); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(out, "journals"), 0o755); err != nil {
		return err
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
	o := milp.DefaultEvalOptions()
	if o.Setup, err = setupFrom(c, m, o.Setup); err != nil {
		return err
	}
	o.RetrievalK = c.Int("retrieval-k")
	o.JournalDir = filepath.Join(out, "journals")
	// Each run learns its own prior, user by user, so that it is reproducible.
	o.PriorPath = filepath.Join(out, "search-prior.json")
	if err := os.Remove(o.PriorPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	o.TrialsOnTest = c.Bool("trials-on-test")
	start := time.Now()
	var userStart time.Time
	o.OnMethod = func(user string, meth milp.Method, s milp.Scores) {
		fmt.Fprintf(os.Stderr, "  %-15s ROUGE-L %.4f  Persona-F1 %.4f  (%.0fs)\n", meth, s.RougeL, s.PersonaF1, time.Since(userStart).Seconds())
	}
	overall := newOverallProgress(len(users), o.Search.Trials)
	userIndex := 0
	o.OnTrial = func(user string, t milp.TrialReport) {
		fmt.Fprintf(os.Stderr, "    trial %d/%d: %s → %s\n", t.ID+1, o.Search.Trials, t.Placement, trialStatus(t))
		fmt.Fprintf(os.Stderr, "    %s\n", overall.trial(userIndex))
	}
	name := modelName(c)
	rep := &milp.Report{Model: name, Command: strings.Join(os.Args, " "), Recipe: o.Recipe, Trials: o.Search.Trials,
		Signal: o.Search.Signal, Budget: o.Search.Budget, Halving: o.Search.Halving,
		Date: start.UTC().Format(time.RFC3339)}
	fmt.Fprintf(os.Stderr, "Evaluating %d users from %s on %s\n", len(users), from, name)
	for i, u := range users {
		userStart, userIndex = time.Now(), i
		fmt.Fprintf(os.Stderr, "[user %d/%d] %s (%d conversations)\n", i+1, len(users), u.ID, len(u.Conversations))
		res, err := milp.EvaluateUser(m, u, o)
		if err != nil {
			// One user's failure (too little history, say) does not sink the run.
			fmt.Fprintf(os.Stderr, "  skipped: %v\n", err)
			rep.Failures = append(rep.Failures, err.Error())
			overall.userDone(i)
			continue
		}
		rep.Users = append(rep.Users, res)
		if i+1 < len(users) {
			fmt.Fprintf(os.Stderr, "  %s\n", overall.userDone(i))
		}
	}
	if len(rep.Users) == 0 {
		return fmt.Errorf("no user could be evaluated")
	}
	rep.Summary = milp.Summarise(rep.Users)
	rep.Signals = milp.StudySignals(rep.Users)
	rep.Seconds = time.Since(start).Seconds()
	if err := milp.WriteJSON(filepath.Join(out, "report.json"), rep); err != nil {
		return err
	}
	svg := milp.SummarySVG(fmt.Sprintf("Test ROUGE-L over %d users, %s", len(rep.Users), name), rep.Summary)
	if err := milp.WriteSVG(filepath.Join(out, "rouge_l.svg"), svg); err != nil {
		return err
	}
	if c.Bool("json") { // report.json's contents
		return printJSON(rep)
	}
	fmt.Print(rep.Markdown())
	fmt.Printf("\n%.0fs. Report: %s, plot: %s\n", rep.Seconds, filepath.Join(out, "report.json"), filepath.Join(out, "rouge_l.svg"))
	return nil
}
