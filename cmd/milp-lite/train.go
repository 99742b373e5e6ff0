package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/milp-lite/milp-lite/milp"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/userdata"
)

var storeFlag = &cli.StringFlag{Name: "store", Usage: "`DIR` of users' memories (default $MILP_HOME or ~/.local/share/milp-lite)"}

func trainCommand() *cli.Command {
	d := milp.DefaultSetup()
	return &cli.Command{
		Name:  "train",
		Usage: "the main job: personalise the model to each user (MiLP)",
		Description: "For each user (the embedded sample of Synthetic-Persona-Chat users, or --users DIR), Bayesian\n" +
			"optimisation searches which FFN layers and sites get the user's memory, the LoRA rank, modules per\n" +
			"site and learning rate; each trial trains on the user's history and is judged by its loss on held-out\n" +
			"conversations (--signal), stopped after an epoch if it is not in the best third (--halving), within\n" +
			"a budget of 2.4 trainings per user (--budget). The search starts from the standard placement and the\n" +
			"placements that won earlier users' searches (the store's search-prior.json), and keeps the one the\n" +
			"Gaussian process expects to be best; its adapter becomes the user's long-term memory in the store\n" +
			"(--store), ready for `milp-lite chat --user ID`. An interrupted search continues with --resume.\n\n" +
			"To fold a user's short-term memory into their adapter later, see `milp-lite consolidate`; to train\n" +
			"one adapter of a fixed placement on a file of conversations, `milp-lite lora train`.\n\n" +
			"Examples:\n" +
			"   milp-lite train                                   # the embedded model and users\n" +
			"   milp-lite train --users ./users --limit 10 --trials 16\n" +
			"   milp-lite train --model smollm2.gguf --users ./users --time 10m",
		Flags: append(setupFlags(d, 3),
			storeFlag,
			floatFlag("param-penalty", 0, bounds{lo: 0, hi: math.Inf(1)}, "subtracted from a trial's score (ROUGE-L, or minus the validation loss) per million trainable parameters"),
			&cli.BoolFlag{Name: "resume", Usage: "continue each user's interrupted search from its journal instead of starting anew"},
			jsonFlag,
			movedFlag("user", "consolidate"),
			movedFlag("data", "lora train"),
		),
		Action: runTrain,
	}
}

// movedFlag is a hidden flag of train's former jobs: using it says where the
// job went instead of "flag provided but not defined".
func movedFlag(name, command string) *cli.StringFlag {
	return &cli.StringFlag{Name: name, Hidden: true, Action: func(*cli.Context, string) error {
		return fmt.Errorf("`train --%s` is now `milp-lite %s --%s` (see milp-lite %s --help)", name, command, name, command)
	}}
}

// setupFlags are the flags the main job and eval share: the model, the
// users, the search, the held-out turns and the recipe, defaults from d.
func setupFlags(d milp.Setup, limit int) []cli.Flag {
	return append([]cli.Flag{
		modelFlag,
		&cli.StringFlag{Name: "users", Usage: "`DIR` of users in milp-lite's JSONL layout (default: the embedded sample)"},
		intFlag("limit", limit, 0, math.MaxInt, "at most `N` users (0: all)"),
		intFlag("trials", d.Search.Trials, 1, 10000, "BO trials (training runs) per user"),
		intFlag("init", d.Search.InitialTrials, 1, 10000, "space-filling trials before the Gaussian process takes over"),
		&cli.StringFlag{Name: "signal", Value: string(d.Search.Signal), Usage: "what judges a trial: val-loss (the adapter's loss on the validation replies, no generation) or rouge-l (of generated validation replies)"},
		floatFlag("budget", d.Search.Budget, bounds{lo: 0, hi: 1000}, "training all of a user's trials may take together, in whole trainings (--epochs each), e.g. 2.5 (0: no bound; else at least 1)"),
		intFlag("halving", d.Search.Halving, 0, 100, "stop a trial after an epoch unless its validation loss is in the best 1/`N` so far (0 or 1: train every trial to the end)"),
		durationFlag("time", 0, 0, 0, "wall-time budget per user's search, e.g. 2m (0: none)"),
		intFlag("val-turns", d.ValTurns, 1, math.MaxInt, "validation turns each trial is scored on (fewer make the search chase noise)"),
		intFlag("test-turns", d.TestTurns, 1, math.MaxInt, "test turns per user the scores use"),
	}, recipeFlags(false)...)
}

// setupFrom reads the flags the main job and eval share.
func setupFrom(c *cli.Context, m *nn.Model, d milp.Setup) (milp.Setup, error) {
	s := d
	var err error
	if s.Recipe, err = recipeFrom(c, m); err != nil {
		return s, err
	}
	s.Search.Trials, s.Search.InitialTrials, s.Search.Time = c.Int("trials"), c.Int("init"), c.Duration("time")
	s.Search.Budget, s.Search.Halving = c.Float64("budget"), c.Int("halving")
	switch sig := milp.Signal(c.String("signal")); sig {
	case milp.ValLoss, milp.ValRougeL:
		s.Search.Signal = sig
	default:
		return s, fmt.Errorf("--signal must be val-loss or rouge-l, got %.60q", sig)
	}
	s.ValTurns, s.TestTurns = c.Int("val-turns"), c.Int("test-turns")
	if c.Command.HasName("train") {
		s.Search.ParamPenalty = c.Float64("param-penalty")
	}
	return s, s.Validate()
}

func storeOf(c *cli.Context) milp.Store {
	if d := c.String(storeFlag.Name); d != "" {
		return milp.Store{Root: d}
	}
	return milp.Store{Root: milp.DefaultStoreRoot()}
}

// loadUsers reads --users DIR, or the embedded sample.
func loadUsers(c *cli.Context) ([]userdata.User, string, error) {
	var users []userdata.User
	var err error
	from := "the embedded Synthetic-Persona-Chat sample (CC-BY 4.0, Jandaghi et al. 2023)"
	if dir := c.String("users"); dir != "" {
		users, err = userdata.Load(dir)
		from = dir
	} else {
		users, err = userdata.Sample()
	}
	if err != nil {
		return nil, "", err
	}
	if len(users) == 0 {
		return nil, "", fmt.Errorf("%s holds no users (*.jsonl)", from)
	}
	if n := c.Int("limit"); n > 0 && n < len(users) {
		users = users[:n]
	}
	return users, from, nil
}

// modelName is how reports name the model.
func modelName(c *cli.Context) string {
	if name := c.String(modelFlag.Name); name != "" {
		return name
	}
	return "stories260K (embedded)"
}

func runTrain(c *cli.Context) error {
	if c.NArg() > 0 {
		return fmt.Errorf("train takes no arguments (got %q)", c.Args().First())
	}
	m, err := loadModel(c)
	if err != nil {
		return err
	}
	defer m.Close()
	setup, err := setupFrom(c, m, milp.DefaultSetup())
	if err != nil {
		return err
	}
	users, from, err := loadUsers(c)
	if err != nil {
		return err
	}
	st := storeOf(c)
	if err := refuseIfServed(st); err != nil {
		return err
	}
	if err := prepareOutputDir(st.Root); err != nil {
		return err
	}
	name := modelName(c)
	fmt.Fprintf(os.Stderr, "Personalising %s for %d users from %s; memories go to %s\n", name, len(users), from, st.Root)
	o := milp.PersonaliseOptions{Setup: setup, Resume: c.Bool("resume"), ModelName: name}
	start := time.Now()
	overall := newOverallProgress(len(users), o.Search.Trials)
	var reports []*milp.UserReport
	for i, u := range users {
		fmt.Fprintf(os.Stderr, "[user %d/%d] %s: %d conversations; persona: %s\n", i+1, len(users), u.ID, len(u.Conversations), strings.Join(u.Persona, " "))
		userStart := time.Now()
		o.Search.OnTrial = func(t milp.TrialReport) {
			fmt.Fprintf(os.Stderr, "  trial %d/%d (%5.1fs): %s → %s\n", t.ID+1, o.Search.Trials, time.Since(userStart).Seconds(), t.Placement, trialStatus(t))
			fmt.Fprintf(os.Stderr, "  %s\n", overall.trial(i))
		}
		rep, err := milp.Personalise(m, st, u, o)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "  test ROUGE-L %.4f → %.4f, Persona-F1 %.4f → %.4f; adapter: %s\n",
			rep.Before.RougeL, rep.After.RougeL, rep.Before.PersonaF1, rep.After.PersonaF1, st.AdapterPath(u.ID))
		reports = append(reports, rep)
		if i+1 < len(users) {
			fmt.Fprintf(os.Stderr, "  %s\n", overall.userDone(i))
		}
	}
	summary := trainSummary{Model: name, Store: st.Root, TrialsPerUser: o.Search.Trials, Seconds: time.Since(start).Seconds(), Users: reports}
	if c.Bool("json") {
		return printJSON(summary)
	}
	chat := "milp-lite chat --user " + reports[0].User
	if c.IsSet(storeFlag.Name) {
		chat += " --store " + st.Root
	}
	summary.print(os.Stdout, chat)
	return nil
}

// trainSummary is the main job's result: `train --json` prints it.
type trainSummary struct {
	Model         string             `json:"model"`
	Store         string             `json:"store"`
	TrialsPerUser int                `json:"trials_per_user"`
	Seconds       float64            `json:"seconds"`
	Users         []*milp.UserReport `json:"users"`
}

// print writes the summary table for people, and how to talk to a result.
func (s trainSummary) print(w io.Writer, chat string) {
	fmt.Fprintf(w, "\nMiLP on %s, %d users, %d BO trials each (%.0fs):\n\n", s.Model, len(s.Users), s.TrialsPerUser, s.Seconds)
	fmt.Fprintln(w, "| user | test ROUGE-L before → after | Persona-F1 before → after | memory found |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, r := range s.Users {
		fmt.Fprintf(w, "| %s | %.4f → %.4f | %.4f → %.4f | %s |\n", r.User, r.Before.RougeL, r.After.RougeL, r.Before.PersonaF1, r.After.PersonaF1, r.Placement)
	}
	fmt.Fprintf(w, "\nBefore: the base model, zero-shot. After: with the user's searched LoRA memory. Reports and search\n"+
		"plots are in %s/<user>/. Talk to a result:\n\n   %s\n", s.Store, chat)
}

// trialStatus is what a trial's progress line says of its result.
func trialStatus(t milp.TrialReport) string {
	if t.Error != "" {
		return "failed: " + t.Error
	}
	s := fmt.Sprintf("val loss %.4f", t.ValLoss)
	if t.RougeL != 0 {
		s += fmt.Sprintf(", val ROUGE-L %.4f", t.RougeL)
	}
	if t.TestRougeL != nil {
		s += fmt.Sprintf(", test ROUGE-L %.4f", *t.TestRougeL)
	}
	if t.Stopped {
		s += fmt.Sprintf(" (stopped after %d epochs)", t.Epochs)
	}
	return s
}
