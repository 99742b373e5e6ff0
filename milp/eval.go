package milp

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/milp-lite/milp-lite/internal/cputime"
	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/metrics"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/userdata"
)

// Method is one way of giving the model a user's history.
type Method string

// The methods the benchmark compares, in table order.
const (
	ZeroShot      Method = "zero-shot"      // the base model, no history
	HistoryPrompt Method = "history-prompt" // the whole history in the prompt, cut to the context
	Retrieval     Method = "bm25-retrieval" // the k most relevant past exchanges in the prompt
	FixedLoRA     Method = "fixed-lora"     // rank 8 on every FFN site of every layer
	MaLP          Method = "retrieval+lora" // short-term retrieval with the fixed LoRA (MaLP-style)
	MiLP          Method = "milp"           // the BO-searched memory injection
)

// Methods lists every method in table order.
var Methods = []Method{ZeroShot, HistoryPrompt, Retrieval, FixedLoRA, MaLP, MiLP}

// EvalOptions configure the benchmark.
type EvalOptions struct {
	Setup
	RetrievalK   int // exchanges retrieved
	OnUser       func(i, n int, user string)
	OnMethod     func(user string, m Method, s Scores)
	OnTrial      func(user string, t TrialReport)
	JournalDir   string // per-user BO journals ("": none)
	KeepAdapters bool   // keep each user's searched adapter in the result
	// PriorPath is the search prior the users' searches start from and add
	// their winners to, in evaluation order ("": none).
	PriorPath string
	// TrialsOnTest also scores every trial on the test turns, to study how
	// the search's signals rank trials (TrialReport.TestRougeL); it costs a
	// generation per test turn per trial and does not change the choice.
	TrialsOnTest bool
}

// DefaultEvalOptions are the benchmark's settings for the embedded model:
// the default setup with twelve trials a search.
func DefaultEvalOptions() EvalOptions {
	s := DefaultSetup()
	s.Search.Trials, s.Search.InitialTrials = 12, 6
	return EvalOptions{Setup: s, RetrievalK: 3}
}

// UserResult is one user's scores per method and the placement MiLP chose.
type UserResult struct {
	User   string            `json:"user"`
	Scores map[Method]Scores `json:"scores"`
	// References are the user's real replies to the test turns, in the
	// order of each method's Scores.Replies.
	References []string      `json:"references"`
	Search     *SearchResult `json:"search"`
	// CPUSeconds is each method's CPU time for this user: training (or
	// searching) its adapter, if any, and replying to the test turns.
	// FitCPUSeconds is the training or search alone.
	CPUSeconds    map[Method]float64 `json:"cpu_seconds"`
	FitCPUSeconds map[Method]float64 `json:"fit_cpu_seconds,omitempty"`
	Seconds       float64            `json:"seconds"`
	adapter       *lora.Adapter
}

// Adapter is the user's searched adapter, when EvalOptions.KeepAdapters.
func (u *UserResult) Adapter() *lora.Adapter { return u.adapter }

// EvaluateUser runs every method for one user: history is the user's
// training split, val what BO scores, test what is reported.
func EvaluateUser(m *nn.Model, u userdata.User, o EvalOptions) (*UserResult, error) {
	start := time.Now()
	pu, err := splitUserFor(m, u, o.Setup)
	if err != nil {
		return nil, err
	}
	r, h, hist, test := pu.r, pu.h, pu.hist, pu.test
	res := &UserResult{User: u.ID, Scores: map[Method]Scores{}, CPUSeconds: map[Method]float64{}, FitCPUSeconds: map[Method]float64{}}
	for _, t := range test {
		res.References = append(res.References, t.Reply.Content)
	}
	// score scores a method on the test turns; fit is the CPU time its
	// adapter took to make.
	score := func(method Method, adapter *lora.Adapter, fit time.Duration, memory func(userdata.EvalPair) string) error {
		began := cputime.ProcessOrWall()
		if adapter != nil {
			r.Use(adapter)
		} else {
			r.Use()
		}
		s, err := Score(r, test, u.Persona, memory)
		if err != nil {
			return fmt.Errorf("user %s, %s: %w", u.ID, method, err)
		}
		res.Scores[method] = s
		res.CPUSeconds[method] = (fit + cputime.ProcessOrWall() - began).Seconds()
		if adapter != nil {
			res.FitCPUSeconds[method] = fit.Seconds()
		}
		if o.OnMethod != nil {
			o.OnMethod(u.ID, method, s)
		}
		return nil
	}
	historyText := HistoryMemory(hist, r.Ctx()/2, r.Tokens)
	retrieval := RetrievalMemory(hist, o.RetrievalK)
	if err := score(ZeroShot, nil, 0, nil); err != nil {
		return nil, err
	}
	if err := score(HistoryPrompt, nil, 0, func(userdata.EvalPair) string { return historyText }); err != nil {
		return nil, err
	}
	if err := score(Retrieval, nil, 0, retrieval); err != nil {
		return nil, err
	}
	began := cputime.ProcessOrWall()
	fixed, _, err := Fit(m, h, FixedPlacement(m.Config.Layers), o.Recipe)
	if err != nil {
		return nil, fmt.Errorf("user %s, fixed LoRA: %w", u.ID, err)
	}
	fixedCPU := cputime.ProcessOrWall() - began
	if err := score(FixedLoRA, fixed, fixedCPU, nil); err != nil {
		return nil, err
	}
	if err := score(MaLP, fixed, fixedCPU, retrieval); err != nil {
		return nil, err
	}
	so := o.Search
	if so.StartWith, err = searchStarts(m, o.PriorPath); err != nil {
		return nil, err
	}
	if o.JournalDir != "" {
		so.JournalPath = fmt.Sprintf("%s/%s.search.jsonl", o.JournalDir, u.ID)
	}
	if o.OnTrial != nil {
		so.OnTrial = func(t TrialReport) { o.OnTrial(u.ID, t) }
	}
	if o.TrialsOnTest {
		so.AlsoScore = test
	}
	began = cputime.ProcessOrWall()
	sr, err := Search(m, r, pu.searchData(u.Persona), o.Recipe, so)
	if err != nil {
		return nil, fmt.Errorf("user %s, search: %w", u.ID, err)
	}
	searchCPU := cputime.ProcessOrWall() - began
	res.Search = sr
	if o.PriorPath != "" {
		if err := RecordWin(o.PriorPath, m, sr.Best.Placement); err != nil {
			return nil, err
		}
	}
	if err := score(MiLP, sr.Adapter, searchCPU, nil); err != nil {
		return nil, err
	}
	if o.KeepAdapters {
		res.adapter = sr.Adapter
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// Summary is one method's result over users: the mean of the per-user
// scores with its 95% interval, and corpus BLEU over every reply.
type Summary struct {
	Method    Method  `json:"method"`
	RougeL    Stat    `json:"rouge_l"`
	Rouge1    Stat    `json:"rouge_1"`
	Rouge2    Stat    `json:"rouge_2"`
	PersonaF1 Stat    `json:"persona_f1"`
	BLEU      float64 `json:"bleu4"`
	Users     int     `json:"users"`
	// CPUSeconds and FitCPUSeconds are the means over users of
	// UserResult's.
	CPUSeconds    float64 `json:"cpu_seconds"`
	FitCPUSeconds float64 `json:"fit_cpu_seconds"`
}

// Stat is a mean with its 95% interval, [mean, low, high]; the interval is
// NaN (null in JSON) for a single user.
type Stat [3]float64

// MarshalJSON writes the interval's NaNs as null, which JSON can hold.
func (s Stat) MarshalJSON() ([]byte, error) {
	out := make([]*float64, 3)
	for i := range s {
		if !math.IsNaN(s[i]) {
			out[i] = &s[i]
		}
	}
	return json.Marshal(out)
}

// Summarise aggregates users' results per method.
func Summarise(users []*UserResult) []Summary {
	var out []Summary
	for _, method := range Methods {
		var rl, r1, r2, pf []float64
		var cpu, fit float64
		var cands, refs []string
		for _, u := range users {
			s, ok := u.Scores[method]
			if !ok {
				continue
			}
			rl, r1, r2, pf = append(rl, s.RougeL), append(r1, s.Rouge1), append(r2, s.Rouge2), append(pf, s.PersonaF1)
			cands, refs = append(cands, s.Replies...), append(refs, s.Refs...)
			cpu += u.CPUSeconds[method]
			fit += u.FitCPUSeconds[method]
		}
		if len(rl) == 0 {
			continue
		}
		out = append(out, Summary{Method: method, RougeL: ci(rl), Rouge1: ci(r1), Rouge2: ci(r2), PersonaF1: ci(pf),
			BLEU: metrics.CorpusBLEU(cands, refs), Users: len(rl),
			CPUSeconds: cpu / float64(len(rl)), FitCPUSeconds: fit / float64(len(rl))})
	}
	return out
}

func ci(xs []float64) Stat {
	m, lo, hi := metrics.MeanCI(xs)
	return Stat{m, lo, hi}
}
