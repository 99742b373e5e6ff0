package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// searchTrial is what report.json says of one trial, less its timing.
type searchTrial struct {
	ID        int     `json:"id"`
	Score     float64 `json:"score"`
	RougeL    float64 `json:"rouge_l"`
	PersonaF1 float64 `json:"persona_f1"`
	TrainLoss float64 `json:"train_loss"`
	Error     string  `json:"error"`
}

func readTrials(t *testing.T, report string) []searchTrial {
	t.Helper()
	var rep struct{ Trials []searchTrial }
	data, err := os.ReadFile(report)
	if err != nil || json.Unmarshal(data, &rep) != nil {
		t.Fatalf("report.json: %v %s", err, data)
	}
	return rep.Trials
}

// adapterValLoss is the validation loss the adapter records, as info prints it.
func adapterValLoss(t *testing.T, adapter string) string {
	t.Helper()
	for _, line := range strings.Split(run(t, "", "info", adapter).stdout, "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "milp.search.val_loss" {
			return f[1]
		}
	}
	t.Fatalf("%s records no milp.search.val_loss", adapter)
	return ""
}

// TestMainJobResume interrupts the main job's search in the ways a kill
// can (after the last trial, mid-way through writing its outcome, before
// writing it) and resumes it: every trial is in the report with its scores,
// the unfinished one run again; a resume under other settings is refused.
func TestMainJobResume(t *testing.T) {
	store := t.TempDir()
	args := []string{"train", "--store", store, "--limit", "1", "--trials", "3", "--init", "2", "--epochs", "1", "--budget", "0",
		"--train-ctx", "128", "--val-turns", "3", "--test-turns", "3"}
	if r := run(t, "", args...); r.code != 0 {
		t.Fatalf("train: exit %d: %s", r.code, r.stderr)
	}
	user := filepath.Join(store, "spc-216baf81")
	report, journal, adapter := filepath.Join(user, "report.json"), filepath.Join(user, "search.jsonl"), filepath.Join(user, "adapter.gguf")
	want, wantVal := readTrials(t, report), adapterValLoss(t, adapter)
	if len(want) != 3 || want[2].TrainLoss == 0 || wantVal == "0" {
		t.Fatalf("first run: trials %+v, adapter val loss %s", want, wantVal)
	}
	full, _ := os.ReadFile(journal)
	lines := bytes.SplitAfter(bytes.TrimSuffix(full, []byte("\n")), []byte("\n"))
	last := lines[len(lines)-1]
	if !bytes.Contains(last, []byte(`"kind":"tell"`)) {
		t.Fatalf("the journal does not end with a tell: %s", last)
	}
	before := bytes.Join(lines[:len(lines)-1], nil)
	for _, tc := range []struct {
		name    string
		journal []byte
		reruns  bool
	}{
		{"finished", full, false},
		{"torn last line", append(append([]byte{}, before...), last[:len(last)/2]...), true},
		{"asked, never told", before, true},
	} {
		if err := os.WriteFile(journal, tc.journal, 0o644); err != nil {
			t.Fatal(err)
		}
		r := run(t, "", append(args, "--resume")...)
		if r.code != 0 {
			t.Fatalf("%s: resume: exit %d: %s", tc.name, r.code, r.stderr)
		}
		if reran := strings.Contains(r.stderr, "trial 3/3"); reran != tc.reruns {
			t.Errorf("%s: trial 3 run again: %v, want %v\n%s", tc.name, reran, tc.reruns, r.stderr)
		}
		if got := readTrials(t, report); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: resumed report's trials\n%+v\nwant\n%+v", tc.name, got, want)
		}
		if got := adapterValLoss(t, adapter); got != wantVal {
			t.Errorf("%s: adapter's milp.search.val_loss %s, want %s", tc.name, got, wantVal)
		}
	}

	for _, tc := range []struct {
		flag, value, want string
	}{
		{"--epochs", "2", "it ran with --epochs 1, not 2"},
		{"--train-ctx", "64", "it ran with --train-ctx 128, not 64"},
		{"--val-turns", "2", "it ran with validation turns 3 "},
		{"--param-penalty", "0.5", "it ran with --param-penalty 0, not 0.5"},
	} {
		changed := append([]string{}, args...)
		for i := range changed {
			if changed[i] == tc.flag {
				changed[i+1] = tc.value
			}
		}
		if !strings.Contains(strings.Join(changed, " "), tc.flag+" "+tc.value) {
			changed = append(changed, tc.flag, tc.value)
		}
		r := run(t, "", append(changed, "--resume")...)
		if r.code != 1 || !strings.Contains(lastLine(strings.TrimSpace(r.stderr)), tc.want) {
			t.Errorf("resume with %s %s: exit %d, stderr %q; want a refusal containing %q", tc.flag, tc.value, r.code, r.stderr, tc.want)
		}
	}
	if got := readTrials(t, report); !reflect.DeepEqual(got, want) {
		t.Errorf("a refused resume changed the report: %+v", got)
	}
}
