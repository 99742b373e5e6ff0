package milp

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/milp-lite/milp-lite/bo"
	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/train"
	"github.com/milp-lite/milp-lite/userdata"
)

// Signal is what a search's trials are judged by.
type Signal string

const (
	// ValLoss is the adapter's teacher-forced loss on the user's validation
	// replies: one forward pass per validation conversation, no
	// generation, and smooth in the placement.
	ValLoss Signal = "val-loss"
	// ValRougeL is the ROUGE-L of the replies the adapter generates to the
	// validation turns: what is reported on test, but noisy and costly.
	ValRougeL Signal = "rouge-l"
)

// SearchOptions bound and shape one user's search.
type SearchOptions struct {
	Trials        int           // training runs at most
	Time          time.Duration // wall-time budget (0: none); the running trial finishes
	InitialTrials int           // space-filling trials before the GP takes over
	// Signal is the score BO maximises ("": ValLoss, whose minus is
	// maximised).
	Signal Signal
	// Budget bounds the training all trials together take, in whole
	// trainings: Budget × the recipe's epochs, rounded (0: none). With
	// early stopping, trials stopped after an epoch leave room for more.
	Budget float64
	// Halving stops a trial after an epoch unless its validation loss there
	// is among the best 1/Halving of every trial's after that epoch
	// (asynchronous successive halving); 0 or 1 trains every trial to the
	// end. Stopped trials are told to the GP at the loss they stopped at.
	Halving int
	// ParamPenalty is subtracted from the score per million trainable
	// parameters, to prefer small memories when they score alike.
	ParamPenalty float64
	JournalPath  string // the study's JSONL journal ("": none); an existing one is resumed
	// StartWith are placements tried first, before the space-filling design —
	// the fixed LoRA, say, and earlier users' winners (Prior.Starts).
	StartWith []Placement
	// Confirm keeps the first placement of StartWith (the standard one)
	// unless the chosen challenger also scores a higher ROUGE-L on
	// generated validation replies (see confirm).
	Confirm bool
	// AlsoScore, when set, also scores every trial's replies on these turns
	// (TrialReport.TestRougeL): for studying how the signals rank trials,
	// never for choosing.
	AlsoScore []userdata.EvalPair
	OnTrial   func(TrialReport)
}

// epochBudget is the options' budget in epochs of the recipe (0: none).
func (o SearchOptions) epochBudget(r train.Recipe) int {
	return int(math.Round(o.Budget * float64(r.Epochs)))
}

// signal is the options' signal, ValLoss by default.
func (o SearchOptions) signal() Signal {
	if o.Signal == "" {
		return ValLoss
	}
	return o.Signal
}

// TrialReport is one trial of a search.
type TrialReport struct {
	ID         int       `json:"id"`
	Placement  Placement `json:"placement"`
	Score      float64   `json:"score"`          // what BO maximises
	Mean       *float64  `json:"mean,omitempty"` // the GP's posterior mean of the score at the end of the search
	ValLoss    float64   `json:"val_loss"`       // after the last epoch trained
	ValLosses  []float64 `json:"val_losses"`     // after each epoch trained
	Epochs     int       `json:"epochs"`         // trained; fewer than the recipe's when stopped early
	Stopped    bool      `json:"stopped,omitempty"`
	RougeL     float64   `json:"rouge_l"` // of validation replies (signal rouge-l, or AlsoScore)
	PersonaF1  float64   `json:"persona_f1"`
	TestRougeL *float64  `json:"test_rouge_l,omitempty"` // on SearchOptions.AlsoScore's turns
	Params     int       `json:"params"`
	TrainLoss  float64   `json:"train_loss"`
	Seconds    float64   `json:"seconds"`
	Error      string    `json:"error,omitempty"`
}

// SearchResult is the outcome of one user's search.
type SearchResult struct {
	Trials  []TrialReport `json:"trials"`
	Best    TrialReport   `json:"best"`
	Adapter *lora.Adapter `json:"-"`
}

// SearchData is what a search trains on and judges by: the user's history,
// their validation conversations (for the loss) and turns (for replies),
// and their persona.
type SearchData struct {
	History  *History
	Val      *History
	ValTurns []userdata.EvalPair
	Persona  []string
}

// Search finds where and how much memory to inject for one user: each trial
// trains the placement BO proposes on the history by the recipe and is
// judged on the validation conversations, by the options' signal. Trials
// that look bad after an epoch may be stopped (SearchOptions.Halving), and
// the placement kept is the one the GP, fitted on every trial, expects to be
// best among those trained to the end — not the single best noisy
// observation. The recipe's seed also seeds the study.
func Search(m *nn.Model, r *Replier, d SearchData, recipe train.Recipe, o SearchOptions) (*SearchResult, error) {
	if o.Trials < 1 {
		return nil, fmt.Errorf("a search needs at least one trial")
	}
	if len(d.ValTurns) == 0 || d.Val == nil || len(d.Val.Seqs) == 0 {
		return nil, fmt.Errorf("a search needs validation turns to score")
	}
	space, err := SearchSpace(m.Config.Layers)
	if err != nil {
		return nil, err
	}
	var enqueued []bo.Config
	for _, p := range o.StartWith {
		enqueued = append(enqueued, p.config(m.Config.Layers))
	}
	study, err := bo.NewStudy(bo.StudyOptions{
		Space: space, Direction: bo.Maximize, Seed: recipe.Seed, JournalPath: o.JournalPath,
		InitialTrials: max(1, len(enqueued), min(o.InitialTrials, o.Trials)), Enqueued: enqueued, Name: "milp",
		Settings: searchSettings(m, r, d, recipe, o),
	})
	var changed *bo.SettingsError
	if errors.As(err, &changed) {
		return nil, fmt.Errorf("cannot resume the search in %s: it ran with %s %s, not %s; resume with the same settings, or start anew (without --resume, or with the journal deleted)",
			changed.Journal, changed.Name, changed.Recorded, changed.Now)
	}
	if err != nil {
		return nil, err
	}
	defer study.Close()

	res := &SearchResult{}
	rungs := &rungs{eta: o.Halving}
	adapters := map[int]*lora.Adapter{}
	// Trials resumed from the journal count against the budgets, and the
	// chosen one is re-trained at the end if it was not trained in this run
	// (training is deterministic). A trial asked but never told (the process
	// died during it) is run again.
	done, epochs, epochBudget := 0, 0, o.epochBudget(recipe)
	for _, t := range study.Trials() {
		if t.Status == bo.TrialRunning {
			continue
		}
		done++
		tr := resumedTrial(m, t)
		epochs += tr.Epochs
		rungs.add(tr.ValLosses)
		res.Trials = append(res.Trials, tr)
	}
	start := time.Now()
	for ; done < o.Trials && (o.Time == 0 || time.Since(start) < o.Time) && (epochBudget == 0 || epochs < epochBudget); done++ {
		t, err := study.Ask()
		if err != nil {
			return nil, err
		}
		budget := recipe.Epochs
		if epochBudget > 0 {
			budget = min(budget, epochBudget-epochs)
		}
		tr, adapter, err := runTrial(m, r, d, t, recipe, o, rungs, budget)
		epochs += tr.Epochs
		if err != nil {
			tr.Error = err.Error()
			if err := study.TellFailed(t, err); err != nil {
				return nil, err
			}
		} else if err := study.TellWith(t, tr.Score, tr.attrs()); err != nil {
			return nil, err
		}
		res.Trials = append(res.Trials, tr)
		if err == nil && tr.Epochs == recipe.Epochs {
			adapters[tr.ID] = adapter
		}
		if o.OnTrial != nil {
			o.OnTrial(tr)
		}
	}
	best, err := choose(study, res.Trials, recipe.Epochs)
	if err != nil {
		return nil, err
	}
	adapterOf := func(i int) (*lora.Adapter, error) {
		if a := adapters[res.Trials[i].ID]; a != nil {
			return a, nil
		}
		a, _, err := Fit(m, d.History, res.Trials[i].Placement, recipe)
		adapters[res.Trials[i].ID] = a
		return a, err
	}
	if o.Confirm && len(o.StartWith) > 0 {
		scored := o.signal() == ValRougeL || o.AlsoScore != nil
		if best, err = confirm(r, d, res.Trials, best, recipe.Epochs, scored, adapterOf); err != nil {
			return nil, err
		}
	}
	res.Best = res.Trials[best]
	if res.Adapter, err = adapterOf(best); err != nil {
		return nil, err
	}
	return res, nil
}

// confirm keeps the first placement tried (the standard one) over the
// chosen challenger unless the challenger's generated validation replies
// score a higher ROUGE-L too: a switch away from the well-tried default
// needs both signals to agree, so that a loss a hair lower on a few
// validation conversations does not trade it for a lucky placement. It
// costs one reply per validation turn for each of the two, and only when
// they differ and the trials were not scored so already (scored).
func confirm(r *Replier, d SearchData, trials []TrialReport, best, epochs int, scored bool, adapterOf func(int) (*lora.Adapter, error)) (int, error) {
	base := -1
	for i, t := range trials {
		if t.ID == 0 && t.Error == "" && t.Epochs == epochs {
			base = i
		}
	}
	if base < 0 || base == best {
		return best, nil
	}
	defer r.Use()
	for _, i := range []int{base, best} {
		if scored {
			break
		}
		a, err := adapterOf(i)
		if err != nil {
			return 0, err
		}
		r.Use(a)
		s, err := Score(r, d.ValTurns, d.Persona, nil)
		if err != nil {
			return 0, err
		}
		trials[i].RougeL, trials[i].PersonaF1 = s.RougeL, s.PersonaF1
	}
	if trials[best].RougeL > trials[base].RougeL {
		return best, nil
	}
	return base, nil
}

// choose is the index of the trial to keep: of the trials trained to the
// end (all epochs), the one of the highest posterior mean. The GP smooths
// each trial's noisy score with its neighbours', stopped trials included.
func choose(study *bo.Study, trials []TrialReport, epochs int) (int, error) {
	means, err := study.PosteriorMeans()
	if err != nil {
		return 0, err
	}
	best := -1
	for i := range trials {
		tr := &trials[i]
		mean, ok := means[tr.ID]
		if !ok || tr.Error != "" {
			continue
		}
		tr.Mean = &mean
		if tr.Epochs == epochs && (best < 0 || mean > *trials[best].Mean) {
			best = i
		}
	}
	if best < 0 {
		return 0, errors.New("no trial was trained to the end (every trial failed, or the epoch budget is below one training)")
	}
	return best, nil
}

// runTrial trains one placement for at most budget epochs, stopping early
// when rungs say so, and scores it.
func runTrial(m *nn.Model, r *Replier, d SearchData, t *bo.Trial, recipe train.Recipe, o SearchOptions, rungs *rungs, budget int) (TrialReport, *lora.Adapter, error) {
	start := time.Now()
	tr := TrialReport{ID: t.ID}
	p, err := PlacementOf(t.Config)
	if err != nil {
		return tr, nil, err
	}
	tr.Placement, tr.Params = p, p.TrainableParams(m)
	stop := false
	recipe.LR = p.LR
	res, err := train.Run(m, d.History.Seqs, d.Val.Seqs, p.LoRAConfig(), recipe, train.Control{
		Stop: func() bool { return stop },
		OnEpoch: func(epoch int, _, valLoss float64) {
			tr.ValLosses = append(tr.ValLosses, valLoss)
			last := epoch+1 == recipe.Epochs
			stop = !last && (epoch+1 >= budget || !rungs.promotes(epoch, valLoss))
		},
	})
	tr.Epochs = len(tr.ValLosses)
	rungs.add(tr.ValLosses)
	if err != nil {
		return tr, nil, err
	}
	tr.TrainLoss, tr.ValLoss, tr.Stopped = res.TrainLoss, tr.ValLosses[len(tr.ValLosses)-1], res.Interrupted
	r.Use(res.Adapter)
	defer r.Use()
	if o.signal() == ValRougeL || o.AlsoScore != nil {
		s, err := Score(r, d.ValTurns, d.Persona, nil)
		if err != nil {
			return tr, nil, err
		}
		tr.RougeL, tr.PersonaF1 = s.RougeL, s.PersonaF1
	}
	if o.AlsoScore != nil {
		s, err := Score(r, o.AlsoScore, d.Persona, nil)
		if err != nil {
			return tr, nil, err
		}
		tr.TestRougeL = &s.RougeL
	}
	tr.Score = -tr.ValLoss
	if o.signal() == ValRougeL {
		tr.Score = tr.RougeL
	}
	tr.Score -= o.ParamPenalty * float64(tr.Params) / 1e6
	tr.Seconds = time.Since(start).Seconds()
	return tr, res.Adapter, nil
}

// attrs are what the journal keeps of a trial besides its score.
func (tr TrialReport) attrs() map[string]float64 {
	a := map[string]float64{"rouge_l": tr.RougeL, "persona_f1": tr.PersonaF1, "train_loss": tr.TrainLoss,
		"val_loss": tr.ValLoss, "epochs": float64(tr.Epochs)}
	for i, l := range tr.ValLosses {
		a[fmt.Sprintf("val_loss_%d", i+1)] = l
	}
	return a
}

// resumedTrial is the report of a trial told before a resume, from what the
// journal kept of it.
func resumedTrial(m *nn.Model, t bo.Trial) TrialReport {
	p, _ := PlacementOf(t.Config)
	tr := TrialReport{ID: t.ID, Placement: p, Score: t.Value, Params: p.TrainableParams(m), Seconds: t.WallTime.Seconds(),
		RougeL: t.Attrs["rouge_l"], PersonaF1: t.Attrs["persona_f1"], TrainLoss: t.Attrs["train_loss"], Error: t.Error,
		ValLoss: t.Attrs["val_loss"], Epochs: int(t.Attrs["epochs"])}
	for i := 1; ; i++ {
		l, ok := t.Attrs[fmt.Sprintf("val_loss_%d", i)]
		if !ok {
			break
		}
		tr.ValLosses = append(tr.ValLosses, l)
	}
	return tr
}

// rungs are the validation losses every trial had after each epoch, for
// successive halving.
type rungs struct {
	eta    int
	losses [][]float64 // by epoch
}

// promotes says whether a trial of this loss after this epoch goes on: it
// must be among the best 1/eta of the losses after that epoch so far,
// itself included (the first trial to get there always goes on).
func (r *rungs) promotes(epoch int, loss float64) bool {
	if r.eta <= 1 {
		return true
	}
	var seen []float64
	if epoch < len(r.losses) {
		seen = r.losses[epoch]
	}
	better := 0
	for _, l := range seen {
		if l < loss {
			better++
		}
	}
	keep := (len(seen) + 1 + r.eta - 1) / r.eta
	return better < keep
}

func (r *rungs) add(losses []float64) {
	for e, l := range losses {
		for len(r.losses) <= e {
			r.losses = append(r.losses, nil)
		}
		if !math.IsNaN(l) {
			r.losses[e] = append(r.losses[e], l)
		}
	}
}
