package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/milp-lite/milp-lite/milp"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/userdata"
)

var storeFlag = &cli.StringFlag{Name: "store", Usage: "`DIR` of users' memories (default $MILP_HOME or ~/.local/share/milp-lite)"}

// personaliseFlags are train's flags for the main job (no --data).
func personaliseFlags() []cli.Flag {
	return []cli.Flag{
		storeFlag,
		&cli.StringFlag{Name: "users", Usage: "`DIR` of users in milp-lite's JSONL layout (default: the embedded sample)"},
		&cli.IntFlag{Name: "limit", Value: 3, Usage: "personalise at most `N` users (0: all)"},
		&cli.StringFlag{Name: "user", Usage: "consolidate user `ID`'s short-term memory into their adapter"},
		&cli.IntFlag{Name: "trials", Value: 8, Usage: "BO trials (training runs) per user"},
		&cli.IntFlag{Name: "init", Value: 5, Usage: "space-filling trials before the Gaussian process takes over"},
		&cli.DurationFlag{Name: "time", Usage: "wall-time budget per user's search, e.g. 2m (0: none)"},
		&cli.Float64Flag{Name: "param-penalty", Usage: "ROUGE-L points subtracted per million trainable parameters"},
		&cli.IntFlag{Name: "val-turns", Value: 24, Usage: "validation turns each trial is scored on (fewer make the search chase noise)"},
		&cli.IntFlag{Name: "test-turns", Value: 24, Usage: "test turns the before/after scores use"},
	}
}

// budgetFrom is the per-adapter training budget: the defaults for the
// embedded model, with --epochs, --batch, --ctx and --seed where given.
func budgetFrom(c *cli.Context, m *nn.Model) (milp.Budget, error) {
	b := milp.DefaultBudget
	if c.IsSet("epochs") {
		b.Epochs = c.Int("epochs")
	}
	if c.IsSet("batch") {
		b.Batch = c.Int("batch")
	}
	if c.IsSet("ctx") {
		b.Ctx = c.Int("ctx")
	}
	if c.IsSet("seed") {
		b.Seed = uint64(c.Int64("seed"))
	}
	b.Ctx = min(b.Ctx, m.Config.ContextLen)
	switch {
	case b.Epochs < 1:
		return b, fmt.Errorf("--epochs must be ≥ 1, got %d", b.Epochs)
	case b.Batch < 1:
		return b, fmt.Errorf("--batch must be ≥ 1, got %d", b.Batch)
	case b.Ctx < 16:
		return b, fmt.Errorf("--ctx must be ≥ 16, got %d", b.Ctx)
	}
	return b, nil
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

func runPersonalise(c *cli.Context) error {
	m, err := loadModel(c)
	if err != nil {
		return err
	}
	defer m.Close()
	b, err := budgetFrom(c, m)
	if err != nil {
		return err
	}
	st := storeOf(c)
	if id := c.String("user"); id != "" {
		return consolidate(c, m, st, id, b)
	}
	if c.Int("trials") < 1 || c.Int("init") < 1 {
		return fmt.Errorf("--trials and --init must be ≥ 1")
	}
	users, from, err := loadUsers(c)
	if err != nil {
		return err
	}
	modelName := c.String(modelFlag.Name)
	if modelName == "" {
		modelName = "stories260K (embedded)"
	}
	fmt.Fprintf(os.Stderr, "Personalising %s for %d users from %s; memories go to %s\n", modelName, len(users), from, st.Root)
	o := milp.PersonaliseOptions{
		Budget: b, ValTurns: c.Int("val-turns"), TestTurns: c.Int("test-turns"), Seed: b.Seed,
		Resume: c.Bool("resume"), ModelName: modelName,
		Search: milp.SearchOptions{Trials: c.Int("trials"), InitialTrials: c.Int("init"), Time: c.Duration("time"),
			ParamPenalty: c.Float64("param-penalty")},
	}
	start := time.Now()
	var reports []*milp.UserReport
	for i, u := range users {
		fmt.Fprintf(os.Stderr, "[user %d/%d] %s: %d conversations; persona: %s\n", i+1, len(users), u.ID, len(u.Conversations), strings.Join(u.Persona, " "))
		userStart := time.Now()
		o.Search.OnTrial = func(t milp.TrialReport) {
			status := fmt.Sprintf("val ROUGE-L %.4f, loss %.3f", t.RougeL, t.TrainLoss)
			if t.Error != "" {
				status = "failed: " + t.Error
			}
			fmt.Fprintf(os.Stderr, "  trial %d/%d (%5.1fs): %s → %s\n", t.ID+1, o.Search.Trials, time.Since(userStart).Seconds(), t.Placement, status)
		}
		rep, err := milp.Personalise(m, st, u, o)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "  test ROUGE-L %.4f → %.4f, Persona-F1 %.4f → %.4f; adapter: %s\n",
			rep.Before.RougeL, rep.After.RougeL, rep.Before.PersonaF1, rep.After.PersonaF1, st.AdapterPath(u.ID))
		reports = append(reports, rep)
	}
	fmt.Printf("\nMiLP on %s, %d users, %d BO trials each (%.0fs):\n\n", modelName, len(reports), o.Search.Trials, time.Since(start).Seconds())
	fmt.Println("| user | test ROUGE-L before → after | Persona-F1 before → after | memory found |")
	fmt.Println("|---|---|---|---|")
	for _, r := range reports {
		fmt.Printf("| %s | %.4f → %.4f | %.4f → %.4f | %s |\n", r.User, r.Before.RougeL, r.After.RougeL, r.Before.PersonaF1, r.After.PersonaF1, r.Placement)
	}
	chat := "milp-lite chat --user " + reports[0].User
	if c.IsSet(storeFlag.Name) {
		chat += " --store " + st.Root
	}
	fmt.Printf("\nBefore: the base model, zero-shot. After: with the user's searched LoRA memory. Reports and search\n"+
		"plots are in %s/<user>/. Talk to a result:\n\n   %s\n", st.Root, chat)
	return nil
}

func consolidate(c *cli.Context, m *nn.Model, st milp.Store, id string, b milp.Budget) error {
	if !userdata.ValidID(id) {
		return fmt.Errorf("--user %q is not a valid user ID", id)
	}
	fmt.Fprintf(os.Stderr, "Consolidating %s's short-term memory into the long-term adapter...\n", id)
	res, err := milp.Consolidate(m, st, id, b, 3e-3)
	if err != nil {
		return err
	}
	fmt.Printf("moved %d short-term turns into %s's history (%d conversations); retrained %s (train loss %.3f); short-term memory emptied\n",
		res.Turns, id, res.Conversations, res.Placement, res.TrainLoss)
	return nil
}
