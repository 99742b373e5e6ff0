package bo

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"sync"
	"time"
)

// Direction says whether a study minimises or maximises its objective.
type Direction int

const (
	// Minimize looks for the smallest objective value.
	Minimize Direction = iota
	// Maximize looks for the largest objective value.
	Maximize
)

// String names the direction.
func (d Direction) String() string {
	if d == Maximize {
		return "maximize"
	}
	return "minimize"
}

// DesignKind is the initial space-filling design.
type DesignKind int

const (
	// SobolDesign is a Sobol sequence scrambled by a random digital shift.
	SobolDesign DesignKind = iota
	// LatinHypercubeDesign is a random Latin hypercube over the initial trials.
	LatinHypercubeDesign
	// RandomDesign samples uniformly at random (the random-search baseline
	// when InitialTrials covers the whole budget).
	RandomDesign
)

// TrialStatus is the state of a trial.
type TrialStatus string

const (
	// TrialRunning: handed out by Ask, outcome not yet told.
	TrialRunning TrialStatus = "running"
	// TrialComplete: Tell recorded a value.
	TrialComplete TrialStatus = "complete"
	// TrialFailed: TellFailed recorded an error; the model ignores the trial.
	TrialFailed TrialStatus = "failed"
)

// Trial is one evaluation of the objective.
type Trial struct {
	ID       int
	Config   Config
	Status   TrialStatus
	Value    float64       // valid when Status is TrialComplete
	Error    string        // set when Status is TrialFailed
	WallTime time.Duration // from Ask to Tell
	// Attrs are what the caller measured besides the value (TellWith),
	// kept in the journal so that a resumed study still knows them.
	Attrs   map[string]float64
	started time.Time
}

// StudyOptions configures a Study. Space is required; every other field has a
// sensible default.
type StudyOptions struct {
	Space     *Space
	Direction Direction
	// Seed makes the whole study reproducible: the proposal for trial k depends
	// only on Seed, k and the outcomes told so far.
	Seed uint64
	// Name is recorded in the journal header.
	Name string
	// JournalPath, if set, is the JSONL journal. An existing journal is resumed
	// (it must describe the same space, direction, seed and settings);
	// otherwise a new one is created.
	JournalPath string
	// Settings are whatever else gives a trial's value its meaning (the
	// objective's own parameters), by name. They are recorded in the journal,
	// and resuming a journal recorded with other settings fails with a
	// *SettingsError naming the first that differs.
	Settings map[string]string
	// InitialTrials is the size of the space-filling design run before the
	// model takes over (default 10).
	InitialTrials int
	// Enqueued are configurations to evaluate first, before the design: known
	// good defaults, so that the study's best is never worse than they are.
	// They count towards InitialTrials.
	Enqueued    []Config
	Design      DesignKind
	Acquisition AcquisitionKind
	// UCBBeta is UCB's exploration weight (default 4).
	UCBBeta float64
	Kernel  KernelKind
	Batch   BatchStrategy
	// Candidates is the number of random candidates scored per proposal
	// (default 1024); LocalStarts the number refined by local search (default 5).
	Candidates  int
	LocalStarts int
	// GPRestarts is the number of hyper-parameter optimisation starts (default 3).
	GPRestarts int
}

// Study runs Bayesian optimisation by ask/tell. It is safe for concurrent use.
type Study struct {
	mu      sync.Mutex
	opts    StudyOptions
	space   *Space
	trials  []*Trial
	queue   []int // IDs of resumed running trials to hand out again
	journal *journal
	closed  bool
	design  [][]float64 // precomputed design-cube points (LHS)
}

// errClosed is returned by Ask and Tell after Close.
var errClosed = errors.New("bo: study is closed")

// NewStudy creates a study, resuming it from opts.JournalPath if that file
// exists.
func NewStudy(opts StudyOptions) (*Study, error) {
	if opts.Space == nil {
		return nil, errors.New("bo: NewStudy: no search space")
	}
	opts.InitialTrials = orDefault(opts.InitialTrials, 10)
	opts.Candidates = orDefault(opts.Candidates, 1024)
	opts.LocalStarts = orDefault(opts.LocalStarts, 5)
	opts.GPRestarts = orDefault(opts.GPRestarts, 3)
	s := &Study{opts: opts, space: opts.Space}
	if opts.Design == LatinHypercubeDesign {
		s.design = LatinHypercube(opts.InitialTrials, s.space.DesignDim(), rand.New(rand.NewPCG(opts.Seed, 0x1a7)))
	}
	if opts.JournalPath == "" {
		return s, nil
	}
	if _, err := os.Stat(opts.JournalPath); err == nil {
		if err := s.resume(); err != nil {
			return nil, err
		}
		return s, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("bo: NewStudy: %w", err)
	}
	f, err := os.OpenFile(opts.JournalPath, os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("bo: NewStudy: creating journal: %w", err)
	}
	s.journal = &journal{f: f}
	if err := s.journal.appendLine(s.header()); err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

func (s *Study) header() journalHeader {
	return journalHeader{
		Kind: "study", Version: journalVersion, Name: s.opts.Name, Seed: s.opts.Seed,
		Direction: s.opts.Direction.String(), Space: s.space.params, Settings: s.opts.Settings, Created: nowString(),
	}
}

// resume replays the journal: told trials are restored, trials that were
// running when the process died are queued to be handed out again by Ask.
func (s *Study) resume() error {
	path := s.opts.JournalPath
	hdr, recs, goodLen, err := readJournal(path)
	if err != nil {
		return err
	}
	if hdr == nil {
		// Killed before the header reached the disk: start afresh.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			return fmt.Errorf("bo: journal %s: %w", path, err)
		}
		s.journal = &journal{f: f}
		return s.journal.appendLine(s.header())
	}
	if hdr.Version != journalVersion {
		return fmt.Errorf("bo: journal %s has version %d, want %d", path, hdr.Version, journalVersion)
	}
	want, _ := json.Marshal(s.space.params)
	got, _ := json.Marshal(hdr.Space)
	if string(want) != string(got) {
		return fmt.Errorf("bo: journal %s was written for a different search space", path)
	}
	if hdr.Direction != s.opts.Direction.String() || hdr.Seed != s.opts.Seed {
		return fmt.Errorf("bo: journal %s is for seed %d/%s, not seed %d/%s", path, hdr.Seed, hdr.Direction, s.opts.Seed, s.opts.Direction)
	}
	if err := compareSettings(path, hdr.Settings, s.opts.Settings); err != nil {
		return err
	}
	byID := map[int]*Trial{}
	for i, r := range recs {
		cfg, err := s.space.Normalize(r.Config)
		if err != nil {
			return fmt.Errorf("bo: journal %s record %d: %w", path, i+1, err)
		}
		t := byID[r.Trial]
		if t == nil {
			if r.Trial != len(s.trials) {
				return fmt.Errorf("bo: journal %s record %d: trial %d out of order", path, i+1, r.Trial)
			}
			t = &Trial{ID: r.Trial, Config: cfg, Status: TrialRunning}
			byID[r.Trial] = t
			s.trials = append(s.trials, t)
		}
		if r.Kind == "tell" {
			t.Status = r.Status
			t.WallTime = time.Duration(r.WallTime * float64(time.Second))
			t.Error = r.Error
			t.Attrs = r.Attrs
			if r.Status == TrialComplete {
				if r.Value == nil {
					return fmt.Errorf("bo: journal %s record %d: complete trial without a value", path, i+1)
				}
				t.Value = *r.Value
			}
		}
	}
	for _, t := range s.trials {
		if t.Status == TrialRunning {
			s.queue = append(s.queue, t.ID)
		}
	}
	// Drop a torn final line before appending after it.
	if err := os.Truncate(path, goodLen); err != nil {
		return fmt.Errorf("bo: journal %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("bo: journal %s: %w", path, err)
	}
	s.journal = &journal{f: f}
	return nil
}

// Close closes the journal. The study's state is already on disk.
func (s *Study) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.journal.close()
	s.journal = nil
	s.closed = true
	return err
}

// Ask returns the next trial to evaluate. Trials left running by a previous
// process are handed out again first.
func (s *Study) Ask() (*Trial, error) {
	ts, err := s.AskBatch(1)
	if err != nil {
		return nil, err
	}
	return ts[0], nil
}

// AskBatch returns q trials to evaluate in parallel. Points after the first are
// chosen against a model that fantasises the outcomes of the earlier ones
// (StudyOptions.Batch).
func (s *Study) AskBatch(q int) ([]*Trial, error) {
	if q <= 0 {
		return nil, fmt.Errorf("bo: AskBatch: batch size %d", q)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errClosed
	}
	var out []*Trial
	for len(out) < q && len(s.queue) > 0 {
		t := s.trials[s.queue[0]]
		s.queue = s.queue[1:]
		t.started = time.Now()
		out = append(out, t)
	}
	if len(out) == q {
		return copyTrials(out), nil
	}
	cfgs, err := s.propose(q - len(out))
	if err != nil {
		return nil, err
	}
	for _, c := range cfgs {
		t := &Trial{ID: len(s.trials), Config: c, Status: TrialRunning, started: time.Now()}
		if s.journal != nil {
			if err := s.journal.appendLine(journalRecord{Kind: "ask", Trial: t.ID, Status: TrialRunning, Config: c, Time: nowString()}); err != nil {
				return nil, err
			}
		}
		s.trials = append(s.trials, t)
		out = append(out, t)
	}
	return copyTrials(out), nil
}

func copyTrials(ts []*Trial) []*Trial {
	out := make([]*Trial, len(ts))
	for i, t := range ts {
		c := *t
		c.Config = t.Config.Clone()
		c.Attrs = maps.Clone(t.Attrs)
		out[i] = &c
	}
	return out
}

// Tell records the objective value of a trial.
func (s *Study) Tell(t *Trial, value float64) error { return s.TellWith(t, value, nil) }

// TellWith records the objective value of a trial with the caller's other
// measurements of it, which the journal keeps for a resumed study.
func (s *Study) TellWith(t *Trial, value float64, attrs map[string]float64) error {
	if math.IsNaN(value) || math.IsInf(value, 0) {
		return fmt.Errorf("bo: Tell: trial %d value %g is not finite (use TellFailed)", t.ID, value)
	}
	return s.finish(t, TrialComplete, value, "", attrs)
}

// TellFailed records that a trial failed; the model will ignore it, and the
// same configuration will not be proposed again.
func (s *Study) TellFailed(t *Trial, cause error) error {
	msg := "failed"
	if cause != nil {
		msg = cause.Error()
	}
	return s.finish(t, TrialFailed, 0, msg, nil)
}

func (s *Study) finish(t *Trial, status TrialStatus, value float64, msg string, attrs map[string]float64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed
	}
	if t == nil || t.ID < 0 || t.ID >= len(s.trials) {
		return errors.New("bo: Tell: unknown trial")
	}
	own := s.trials[t.ID]
	if own.Status != TrialRunning {
		return fmt.Errorf("bo: Tell: trial %d is already %s", t.ID, own.Status)
	}
	wall := time.Duration(0)
	if !own.started.IsZero() {
		wall = time.Since(own.started)
	}
	rec := journalRecord{Kind: "tell", Trial: own.ID, Status: status, Config: own.Config,
		WallTime: wall.Seconds(), Error: msg, Attrs: attrs, Time: nowString()}
	if status == TrialComplete {
		rec.Value = &value
	}
	if s.journal != nil {
		if err := s.journal.appendLine(rec); err != nil {
			return err
		}
	}
	own.Status, own.Value, own.Error, own.WallTime, own.Attrs = status, value, msg, wall, maps.Clone(attrs)
	// A resumed running trial told without being asked again leaves the queue.
	for i, id := range s.queue {
		if id == own.ID {
			s.queue = append(s.queue[:i], s.queue[i+1:]...)
			break
		}
	}
	return nil
}

// Trials returns a copy of every trial so far, in ID order.
func (s *Study) Trials() []Trial {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Trial, len(s.trials))
	for i, t := range s.trials {
		out[i] = *t
		out[i].Config = t.Config.Clone()
		out[i].Attrs = maps.Clone(t.Attrs)
	}
	return out
}

// Best returns the best complete trial, and false if there is none.
func (s *Study) Best() (Trial, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var best *Trial
	for _, t := range s.trials {
		if t.Status == TrialComplete && (best == nil || s.better(t.Value, best.Value)) {
			best = t
		}
	}
	if best == nil {
		return Trial{}, false
	}
	out := *best
	out.Config = best.Config.Clone()
	out.Attrs = maps.Clone(best.Attrs)
	return out, true
}

func (s *Study) better(a, b float64) bool {
	if s.opts.Direction == Maximize {
		return a > b
	}
	return a < b
}

// trialRNG is the random stream for proposing trial id: derived from the seed
// and the id alone, so a resumed study proposes exactly what an uninterrupted
// one would.
func (s *Study) trialRNG(id int) *rand.Rand {
	return rand.New(rand.NewPCG(s.opts.Seed, 0x9e3779b97f4a7c15^uint64(id)))
}

// propose picks q new configurations (caller holds the lock).
func (s *Study) propose(q int) ([]Config, error) {
	first := len(s.trials)
	x, y, pending, exclude, err := s.trainingData()
	if err != nil {
		return nil, err
	}
	var out []Config
	var model *GP
	var acq Acquisition
	var search *acqSearch
	for k := 0; k < q; k++ {
		id := first + k
		rng := s.trialRNG(id)
		if id < len(s.opts.Enqueued) {
			c := s.opts.Enqueued[id].Clone()
			if err := s.space.Validate(c); err != nil {
				return nil, fmt.Errorf("bo: enqueued configuration %d: %w", id, err)
			}
			exclude[c.key()] = true
			out = append(out, c)
			continue
		}
		if id < s.opts.InitialTrials || len(y) < 2 {
			c, err := s.designPoint(id, rng, exclude)
			if err != nil {
				return nil, err
			}
			exclude[c.key()] = true
			out = append(out, c)
			continue
		}
		if model == nil {
			var err error
			model, err = FitGP(x, y, GPOptions{Kernel: s.opts.Kernel, Restarts: s.opts.GPRestarts}, rng)
			if err != nil {
				return nil, err
			}
			acq = Acquisition{Kind: s.opts.Acquisition, Maximize: s.opts.Direction == Maximize, Beta: s.opts.UCBBeta, Best: y[0]}
			for _, v := range y {
				if s.better(v, acq.Best) {
					acq.Best = v
				}
			}
			search = &acqSearch{space: s.space, candidates: s.opts.Candidates, localStarts: s.opts.LocalStarts,
				exclude: exclude, incumbents: s.incumbents(5)}
			// Trials still running are fantasised like batch members.
			for _, c := range pending {
				if model, err = s.fantasize(model, acq, c); err != nil {
					return nil, err
				}
			}
		}
		c, _, err := search.best(model, acq, rng)
		if errors.Is(err, errNoCandidate) {
			// Everything nearby is taken: fall back to a fresh random point.
			c, err = s.randomNew(rng, exclude)
		}
		if err != nil {
			return nil, err
		}
		exclude[c.key()] = true
		out = append(out, c)
		if k+1 < q {
			if model, err = s.fantasize(model, acq, c); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// trainingData gathers what the model learns from: encoded inputs and values
// of complete trials only (failed trials are skipped), the configurations
// still running, and the keys of every configuration already tried.
func (s *Study) trainingData() (x [][]float64, y []float64, pending []Config, exclude map[string]bool, err error) {
	exclude = map[string]bool{}
	for _, t := range s.trials {
		exclude[t.Config.key()] = true
		switch t.Status {
		case TrialComplete:
			f, err := s.space.Encode(t.Config)
			if err != nil {
				return nil, nil, nil, nil, err
			}
			x = append(x, f)
			y = append(y, t.Value)
		case TrialRunning:
			pending = append(pending, t.Config)
		}
	}
	return x, y, pending, exclude, nil
}

// fantasize conditions the model on c with the batch strategy's made-up value.
func (s *Study) fantasize(g *GP, acq Acquisition, c Config) (*GP, error) {
	f, err := s.space.Encode(c)
	if err != nil {
		return nil, err
	}
	v := acq.Best
	if s.opts.Batch == KrigingBeliever {
		v, _ = g.Predict(f)
	}
	return g.Condition(f, v)
}

// incumbents returns up to k best complete configurations.
func (s *Study) incumbents(k int) []Config {
	var done []*Trial
	for _, t := range s.trials {
		if t.Status == TrialComplete {
			done = append(done, t)
		}
	}
	sort.SliceStable(done, func(i, j int) bool { return s.better(done[i].Value, done[j].Value) })
	var out []Config
	for i := 0; i < min(k, len(done)); i++ {
		out = append(out, done[i].Config)
	}
	return out
}

// designPoint returns the initial-design configuration for trial id, skipping
// points that break a constraint or repeat an earlier trial.
func (s *Study) designPoint(id int, rng *rand.Rand, exclude map[string]bool) (Config, error) {
	switch s.opts.Design {
	case RandomDesign:
		return s.randomNew(rng, exclude)
	case LatinHypercubeDesign:
		if id < len(s.design) {
			if c := s.space.FromDesign(s.design[id]); s.space.feasible(c) && !exclude[c.key()] {
				return c, nil
			}
		}
		return s.randomNew(rng, exclude)
	}
	sob, err := NewSobol(s.space.DesignDim(), rand.New(rand.NewPCG(s.opts.Seed, 0x50b0)))
	if err != nil {
		return nil, err
	}
	u := make([]float64, s.space.DesignDim())
	for i := 0; i <= id; i++ { // point id of the sequence
		sob.Next(u)
	}
	for try := 0; try < 1000; try++ {
		if c := s.space.FromDesign(u); s.space.feasible(c) && !exclude[c.key()] {
			return c, nil
		}
		sob.Next(u)
	}
	return s.randomNew(rng, exclude)
}

// randomNew samples a feasible configuration not tried before.
func (s *Study) randomNew(rng *rand.Rand, exclude map[string]bool) (Config, error) {
	for try := 0; try < 1000; try++ {
		c, err := s.space.Sample(rng)
		if err != nil {
			return nil, err
		}
		if !exclude[c.key()] {
			return c, nil
		}
	}
	return nil, errors.New("bo: no untried configuration left in the search space")
}
