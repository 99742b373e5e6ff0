package bo

import (
	"bufio"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func braninStudyOptions(seed uint64, journal string) StudyOptions {
	return StudyOptions{Space: branin().Space, Seed: seed, JournalPath: journal, InitialTrials: 6, Candidates: 256}
}

func braninOf(c Config) float64 { return BraninValue(c.Float("x1"), c.Float("x2")) }

// runTrials asks and tells n trials of Branin.
func runTrials(t *testing.T, st *Study, n int) []Config {
	t.Helper()
	var out []Config
	for i := 0; i < n; i++ {
		tr, err := st.Ask()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tr.Config)
		if err := st.Tell(tr, braninOf(tr.Config)); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestStudyIsReproducible(t *testing.T) {
	a, _ := NewStudy(braninStudyOptions(42, ""))
	b, _ := NewStudy(braninStudyOptions(42, ""))
	c, _ := NewStudy(braninStudyOptions(43, ""))
	ca, cb, cc := runTrials(t, a, 10), runTrials(t, b, 10), runTrials(t, c, 10)
	if !reflect.DeepEqual(ca, cb) {
		t.Fatal("same seed, different proposals")
	}
	if reflect.DeepEqual(ca, cc) {
		t.Fatal("different seeds, same proposals")
	}
}

func TestStudyResumesFromJournal(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "study.jsonl")
	// Uninterrupted reference: 10 trials, then the 11th proposal.
	ref, _ := NewStudy(braninStudyOptions(7, ""))
	refCfgs := runTrials(t, ref, 10)
	refNext, err := ref.Ask()
	if err != nil {
		t.Fatal(err)
	}

	// Interrupted: 9 trials told, the 10th asked but never told, then the
	// process "dies" (the object is dropped without Close).
	st, err := NewStudy(braninStudyOptions(7, path))
	if err != nil {
		t.Fatal(err)
	}
	runTrials(t, st, 9)
	lost, err := st.Ask()
	if err != nil {
		t.Fatal(err)
	}
	st = nil
	// A crash mid-write leaves a torn final line.
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"kind":"tell","trial":9,"sta`)
	f.Close()

	re, err := NewStudy(braninStudyOptions(7, path))
	if err != nil {
		t.Fatal(err)
	}
	trials := re.Trials()
	if len(trials) != 10 || trials[9].Status != TrialRunning {
		t.Fatalf("resumed %d trials, last %s", len(trials), trials[len(trials)-1].Status)
	}
	for i := 0; i < 9; i++ {
		if !reflect.DeepEqual(trials[i].Config, refCfgs[i]) || trials[i].Value != braninOf(refCfgs[i]) {
			t.Fatalf("trial %d differs after resume", i)
		}
	}
	// The running trial is handed out again, same ID and configuration.
	again, err := re.Ask()
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != lost.ID || !reflect.DeepEqual(again.Config, lost.Config) || !reflect.DeepEqual(again.Config, refCfgs[9]) {
		t.Fatalf("re-asked trial %d %v, want %d %v", again.ID, again.Config, lost.ID, lost.Config)
	}
	if err := re.Tell(again, braninOf(again.Config)); err != nil {
		t.Fatal(err)
	}
	next, err := re.Ask()
	if err != nil {
		t.Fatal(err)
	}
	if next.ID != refNext.ID || !reflect.DeepEqual(next.Config, refNext.Config) {
		t.Fatalf("resumed study proposes %v, uninterrupted one %v", next.Config, refNext.Config)
	}
	re.Close()

	// Every line of the journal is valid JSON (the torn line was cut away).
	jf, _ := os.Open(path)
	defer jf.Close()
	sc := bufio.NewScanner(jf)
	lines := 0
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("journal line %d: %v: %s", lines+1, err, sc.Text())
		}
		lines++
	}
	// Header, 10 asks, 10 tells, 1 ask.
	if lines != 22 {
		t.Fatalf("journal has %d lines, want 22", lines)
	}
	// A journal for another seed or space is refused.
	if _, err := NewStudy(braninStudyOptions(8, path)); err == nil {
		t.Fatal("resumed with another seed")
	}
	other := braninStudyOptions(7, path)
	other.Space = hartmann6().Space
	if _, err := NewStudy(other); err == nil {
		t.Fatal("resumed with another space")
	}
}

func TestJournalCorruptionBeforeLastLineIsAnError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.jsonl")
	st, _ := NewStudy(braninStudyOptions(1, path))
	runTrials(t, st, 2)
	st.Close()
	data, _ := os.ReadFile(path)
	lines := strings.Split(string(data), "\n")
	lines[1] = "not json"
	os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644)
	if _, err := NewStudy(braninStudyOptions(1, path)); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("corrupt journal: %v", err)
	}
}

func TestFailedTrialsRecordedAndIgnored(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fail.jsonl")
	st, err := NewStudy(braninStudyOptions(3, path))
	if err != nil {
		t.Fatal(err)
	}
	failed := map[string]bool{}
	for i := 0; i < 12; i++ {
		tr, err := st.Ask()
		if err != nil {
			t.Fatal(err)
		}
		if i%3 == 1 { // every third trial crashes
			failed[tr.Config.key()] = true
			if err := st.TellFailed(tr, errors.New("out of memory")); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := st.Tell(tr, braninOf(tr.Config)); err != nil {
			t.Fatal(err)
		}
	}
	x, y, pending, _, err := st.trainingData()
	if err != nil {
		t.Fatal(err)
	}
	if len(x) != 8 || len(y) != 8 || len(pending) != 0 {
		t.Fatalf("model data: %d inputs, %d values, %d pending; want 8, 8, 0", len(x), len(y), len(pending))
	}
	st.Close()
	re, err := NewStudy(braninStudyOptions(3, path))
	if err != nil {
		t.Fatal(err)
	}
	nFailed := 0
	for _, tr := range re.Trials() {
		if tr.Status == TrialFailed {
			nFailed++
			if tr.Error != "out of memory" || !failed[tr.Config.key()] {
				t.Fatalf("failed trial %d resumed as %+v", tr.ID, tr)
			}
		}
	}
	if nFailed != 4 {
		t.Fatalf("%d failed trials after resume, want 4", nFailed)
	}
	// Failed configurations are not proposed again, and nothing is re-queued.
	for i := 0; i < 3; i++ {
		tr, err := re.Ask()
		if err != nil {
			t.Fatal(err)
		}
		if tr.ID != 12+i || failed[tr.Config.key()] {
			t.Fatalf("proposal %d: id %d, repeats a failure: %v", i, tr.ID, failed[tr.Config.key()])
		}
		re.Tell(tr, braninOf(tr.Config))
	}
}

func TestEmptyJournalStartsFresh(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.jsonl")
	os.WriteFile(path, []byte(`{"kind":"stu`), 0o644) // torn header
	st, err := NewStudy(braninStudyOptions(1, path))
	if err != nil {
		t.Fatal(err)
	}
	runTrials(t, st, 2)
	st.Close()
	if _, err := st.Ask(); err == nil {
		t.Fatal("Ask after Close succeeded")
	}
	re, err := NewStudy(braninStudyOptions(1, path))
	if err != nil || len(re.Trials()) != 2 {
		t.Fatalf("resume after a torn header: %v", err)
	}
}

func TestTellErrors(t *testing.T) {
	st, _ := NewStudy(braninStudyOptions(1, ""))
	tr, _ := st.Ask()
	if err := st.Tell(tr, math.NaN()); err == nil {
		t.Fatal("NaN accepted")
	}
	if err := st.Tell(tr, 1); err != nil {
		t.Fatal(err)
	}
	if err := st.Tell(tr, 2); err == nil {
		t.Fatal("trial told twice")
	}
	if err := st.Tell(&Trial{ID: 99}, 1); err == nil {
		t.Fatal("unknown trial accepted")
	}
	if _, err := NewStudy(StudyOptions{}); err == nil {
		t.Fatal("study without a space")
	}
}

func TestMaximizeAndUCB(t *testing.T) {
	sp, _ := NewSpace(Float("x", -1, 1, false))
	for _, acq := range []AcquisitionKind{LogEI, UCB} {
		st, _ := NewStudy(StudyOptions{Space: sp, Direction: Maximize, Seed: 5, InitialTrials: 4, Acquisition: acq, UCBBeta: 1})
		for i := 0; i < 16; i++ {
			tr, err := st.Ask()
			if err != nil {
				t.Fatal(err)
			}
			x := tr.Config.Float("x")
			st.Tell(tr, 2-(x-0.3)*(x-0.3))
		}
		best, _ := st.Best()
		if math.Abs(best.Config.Float("x")-0.3) > 1e-2 {
			t.Fatalf("%v: best x = %g, want 0.3", acq, best.Config.Float("x"))
		}
	}
}

func TestAskBatch(t *testing.T) {
	for _, strat := range []BatchStrategy{KrigingBeliever, ConstantLiar} {
		opts := braninStudyOptions(11, "")
		opts.Batch = strat
		st, _ := NewStudy(opts)
		runTrials(t, st, 6)
		batch, err := st.AskBatch(4)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for i, tr := range batch {
			if tr.ID != 6+i || seen[tr.Config.key()] {
				t.Fatalf("batch member %d: id %d duplicate %v", i, tr.ID, seen[tr.Config.key()])
			}
			seen[tr.Config.key()] = true
		}
		// The fantasies spread the batch: no two points almost coincide.
		for i := range batch {
			for j := 0; j < i; j++ {
				dx := (batch[i].Config.Float("x1") - batch[j].Config.Float("x1")) / 15
				dy := (batch[i].Config.Float("x2") - batch[j].Config.Float("x2")) / 15
				if math.Hypot(dx, dy) < 1e-3 {
					t.Fatalf("strategy %d: batch points %d and %d coincide", strat, i, j)
				}
			}
		}
		// Asking while the batch runs treats it as pending.
		more, err := st.Ask()
		if err != nil || seen[more.Config.key()] {
			t.Fatalf("ask during a batch: %v", err)
		}
	}
}

// A search space shaped like MiLP's: which layers get memory (at least
// one), which FFN sites (at least one), LoRA rank (log-int), LoRAs per site and
// learning rate (log-float). The synthetic objective has a known minimum 0.
func TestMiLPSpaceStudy(t *testing.T) {
	sp, err := NewSpace(
		BoolVector("layers", 8, 1),
		BoolVector("ffn_sites", 3, 1), // gate, up, down
		Int("rank", 1, 64, true),
		Int("loras_per_site", 1, 4, false),
		Float("lr", 1e-5, 1e-2, true),
	)
	if err != nil {
		t.Fatal(err)
	}
	bestLayers := []bool{false, false, false, false, true, true, false, true}
	objective := func(c Config) float64 {
		f := 0.0
		for i, b := range c.Bools("layers") {
			if b != bestLayers[i] {
				f += 0.3
			}
		}
		s := c.Bools("ffn_sites")
		if !s[1] || s[0] || !s[2] { // up and down, not gate
			f += 0.4
		}
		r := math.Log2(float64(c.Int("rank"))) - 4 // rank 16
		l := math.Log10(c.Float("lr")) + 3.5       // lr ≈ 3e-4
		return f + 0.1*r*r + 0.5*l*l + 0.2*math.Abs(float64(c.Int("loras_per_site")-2))
	}
	st, err := NewStudy(StudyOptions{Space: sp, Seed: 1, InitialTrials: 10, Candidates: 512})
	if err != nil {
		t.Fatal(err)
	}
	initBest := math.Inf(1)
	for i := 0; i < 45; i++ {
		tr, err := st.Ask()
		if err != nil {
			t.Fatal(err)
		}
		if err := sp.Validate(tr.Config); err != nil {
			t.Fatalf("trial %d proposes an invalid configuration: %v", i, err)
		}
		v := objective(tr.Config)
		if i < 10 {
			initBest = math.Min(initBest, v)
		}
		st.Tell(tr, v)
	}
	best, _ := st.Best()
	t.Logf("initial design best %.3f, after 45 trials %.3f: %v", initBest, best.Value, best.Config)
	if !(best.Value < 0.35 && best.Value < initBest/3) {
		t.Fatalf("best %.3f after 45 trials (design best %.3f)", best.Value, initBest)
	}
}

func TestStudyEnqueuedFirst(t *testing.T) {
	space, err := NewSpace(Float("x", 0, 1, false), Int("n", 1, 8, false))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{"x": 0.25, "n": 3}
	s, err := NewStudy(StudyOptions{Space: space, Direction: Maximize, Seed: 1, InitialTrials: 3, Enqueued: []Config{want}})
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.Ask()
	if err != nil {
		t.Fatal(err)
	}
	if first.Config.Float("x") != 0.25 || first.Config.Int("n") != 3 {
		t.Fatalf("first trial %v, want the enqueued %v", first.Config, want)
	}
	if err := s.Tell(first, 1); err != nil {
		t.Fatal(err)
	}
	second, err := s.Ask()
	if err != nil {
		t.Fatal(err)
	}
	if second.Config.key() == first.Config.key() {
		t.Fatal("the design repeated the enqueued configuration")
	}
	bad, _ := NewStudy(StudyOptions{Space: space, Seed: 1, Enqueued: []Config{{"x": 2.0, "n": 3}}})
	if _, err := bad.Ask(); err == nil {
		t.Fatal("an enqueued configuration outside the space was accepted")
	}
}

// TestResumeKeepsAttrsAndRefusesOtherSettings: what a trial measured
// besides its value survives a resume, and a journal recorded under other
// settings is refused, naming the setting.
func TestResumeKeepsAttrsAndRefusesOtherSettings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "study.jsonl")
	opts := braninStudyOptions(7, path)
	opts.Settings = map[string]string{"epochs": "3", "model": "m1"}
	st, err := NewStudy(opts)
	if err != nil {
		t.Fatal(err)
	}
	tr, _ := st.Ask()
	if err := st.TellWith(tr, 0.5, map[string]float64{"rouge_l": 0.25, "train_loss": 1.5}); err != nil {
		t.Fatal(err)
	}
	failed, _ := st.Ask()
	st.TellFailed(failed, errors.New("out of memory"))

	re, err := NewStudy(opts)
	if err != nil {
		t.Fatal(err)
	}
	trials := re.Trials()
	if len(trials) != 2 || trials[0].Attrs["rouge_l"] != 0.25 || trials[0].Attrs["train_loss"] != 1.5 ||
		trials[1].Status != TrialFailed || trials[1].Error != "out of memory" {
		t.Fatalf("resumed trials %+v", trials)
	}
	if best, _ := re.Best(); best.Attrs["rouge_l"] != 0.25 {
		t.Fatalf("best after resume %+v", best)
	}
	re.Close()

	for _, tc := range []struct {
		settings map[string]string
		want     string
	}{
		{map[string]string{"epochs": "1", "model": "m1"}, "recorded with epochs 3, not 1"},
		{map[string]string{"epochs": "3", "model": "m2"}, "recorded with model m1, not m2"},
		{map[string]string{"epochs": "3"}, "recorded with model m1, not (none)"},
		{map[string]string{"epochs": "3", "model": "m1", "lr": "0.1"}, "recorded with lr (none), not 0.1"},
	} {
		o := braninStudyOptions(7, path)
		o.Settings = tc.settings
		_, err := NewStudy(o)
		var se *SettingsError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("resume with %v: %v, want %q", tc.settings, err, tc.want)
		}
	}
}
