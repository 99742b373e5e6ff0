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

// SearchOptions bound and shape one user's search.
type SearchOptions struct {
	Trials        int           // training runs at most
	Time          time.Duration // wall-time budget (0: none); the running trial finishes
	InitialTrials int           // space-filling trials before the GP takes over
	// ParamPenalty is subtracted from ROUGE-L per million trainable
	// parameters, to prefer small memories when they score alike.
	ParamPenalty float64
	JournalPath  string // the study's JSONL journal ("": none); an existing one is resumed
	// StartWith are placements tried first, before the space-filling design —
	// the fixed LoRA, say — so that the search's best is never worse than
	// they are on the validation turns.
	StartWith []Placement
	OnTrial   func(TrialReport)
}

// TrialReport is one trial of a search.
type TrialReport struct {
	ID        int       `json:"id"`
	Placement Placement `json:"placement"`
	Score     float64   `json:"score"` // what BO maximises
	RougeL    float64   `json:"rouge_l"`
	PersonaF1 float64   `json:"persona_f1"`
	Params    int       `json:"params"`
	TrainLoss float64   `json:"train_loss"`
	Seconds   float64   `json:"seconds"`
	Error     string    `json:"error,omitempty"`
}

// SearchResult is the outcome of one user's search.
type SearchResult struct {
	Trials  []TrialReport `json:"trials"`
	Best    TrialReport   `json:"best"`
	Adapter *lora.Adapter `json:"-"`
}

// Search finds where and how much memory to inject for one user: each trial
// trains the placement BO proposes on the history by the recipe and scores
// the replies it then gives to the validation turns. The recipe's seed also
// seeds the study.
func Search(m *nn.Model, r *Replier, h *History, val []userdata.EvalPair, persona []string, recipe train.Recipe, o SearchOptions) (*SearchResult, error) {
	if o.Trials < 1 {
		return nil, fmt.Errorf("a search needs at least one trial")
	}
	if len(val) == 0 {
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
		Settings: searchSettings(m, r, h, val, recipe, o.ParamPenalty),
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
	bestScore := math.Inf(-1)
	// Trials resumed from the journal count against the budget, and the best
	// of them is re-trained at the end (training is deterministic). A trial
	// asked but never told (the process died during it) is run again.
	done := 0
	for _, t := range study.Trials() {
		if t.Status == bo.TrialRunning {
			continue
		}
		done++
		tr := resumedTrial(m, t)
		res.Trials = append(res.Trials, tr)
		if t.Status == bo.TrialComplete && t.Value > bestScore {
			bestScore, res.Best = t.Value, tr
		}
	}
	start := time.Now()
	for ; done < o.Trials && (o.Time == 0 || time.Since(start) < o.Time); done++ {
		t, err := study.Ask()
		if err != nil {
			return nil, err
		}
		tr, adapter, err := runTrial(m, r, h, val, persona, t, recipe, o.ParamPenalty)
		if err != nil {
			tr.Error = err.Error()
			if err := study.TellFailed(t, err); err != nil {
				return nil, err
			}
		} else if err := study.TellWith(t, tr.Score, tr.attrs()); err != nil {
			return nil, err
		}
		res.Trials = append(res.Trials, tr)
		if err == nil && tr.Score > bestScore {
			bestScore, res.Best, res.Adapter = tr.Score, tr, adapter
		}
		if o.OnTrial != nil {
			o.OnTrial(tr)
		}
	}
	if math.IsInf(bestScore, -1) {
		return nil, errors.New("every trial failed")
	}
	if res.Adapter == nil {
		if res.Adapter, _, err = Fit(m, h, res.Best.Placement, recipe); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func runTrial(m *nn.Model, r *Replier, h *History, val []userdata.EvalPair, persona []string, t *bo.Trial, recipe train.Recipe, paramPenalty float64) (TrialReport, *lora.Adapter, error) {
	start := time.Now()
	tr := TrialReport{ID: t.ID}
	p, err := PlacementOf(t.Config)
	if err != nil {
		return tr, nil, err
	}
	tr.Placement, tr.Params = p, p.TrainableParams(m)
	adapter, loss, err := Fit(m, h, p, recipe)
	if err != nil {
		return tr, nil, err
	}
	tr.TrainLoss = loss
	r.Use(adapter)
	defer r.Use()
	s, err := Score(r, val, persona, nil)
	if err != nil {
		return tr, nil, err
	}
	tr.RougeL, tr.PersonaF1 = s.RougeL, s.PersonaF1
	tr.Score = s.RougeL - paramPenalty*float64(tr.Params)/1e6
	tr.Seconds = time.Since(start).Seconds()
	return tr, adapter, nil
}

// attrs are what the journal keeps of a trial besides its score.
func (tr TrialReport) attrs() map[string]float64 {
	return map[string]float64{"rouge_l": tr.RougeL, "persona_f1": tr.PersonaF1, "train_loss": tr.TrainLoss}
}

// resumedTrial is the report of a trial told before a resume, from what the
// journal kept of it.
func resumedTrial(m *nn.Model, t bo.Trial) TrialReport {
	p, _ := PlacementOf(t.Config)
	return TrialReport{ID: t.ID, Placement: p, Score: t.Value, Params: p.TrainableParams(m), Seconds: t.WallTime.Seconds(),
		RougeL: t.Attrs["rouge_l"], PersonaF1: t.Attrs["persona_f1"], TrainLoss: t.Attrs["train_loss"], Error: t.Error}
}
