package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMainJobAndMemory runs `train` (the main job, with a tiny budget),
// chats as the user, consolidates, and checks what each step leaves behind.
func TestMainJobAndMemory(t *testing.T) {
	store := t.TempDir()
	r := run(t, "", "train", "--store", store, "--limit", "1", "--trials", "2", "--init", "2", "--epochs", "1",
		"--ctx", "128", "--val-turns", "3", "--test-turns", "3")
	if r.code != 0 {
		t.Fatalf("train: exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"| user | test ROUGE-L before → after", "spc-216baf81", "milp-lite chat --user spc-216baf81"} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("train output lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "trial 2/2") {
		t.Fatalf("no per-trial progress on stderr:\n%s", r.stderr)
	}
	var rep struct {
		Placement struct{ Rank int } `json:"placement"`
		Trials    []json.RawMessage  `json:"trials"`
	}
	data, err := os.ReadFile(filepath.Join(store, "spc-216baf81", "report.json"))
	if err != nil || json.Unmarshal(data, &rep) != nil || rep.Placement.Rank < 1 || len(rep.Trials) != 2 {
		t.Fatalf("report.json: %v %s", err, data)
	}

	r = run(t, "What do you like to eat?\n/exit\n", "chat", "--store", store, "--user", "spc-216baf81", "--temp", "0", "-n", "12")
	if r.code != 0 {
		t.Fatalf("chat --user: exit %d: %s", r.code, r.stderr)
	}
	short := filepath.Join(store, "spc-216baf81", "short_term.jsonl")
	if data, err := os.ReadFile(short); err != nil || !strings.Contains(string(data), "What do you like to eat?") {
		t.Fatalf("the chat was not recorded in short-term memory: %v %s", err, data)
	}
	r = run(t, "", "train", "--store", store, "--user", "spc-216baf81", "--epochs", "1", "--ctx", "128")
	if r.code != 0 || !strings.Contains(r.stdout, "moved 2 short-term turns") {
		t.Fatalf("train --user: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(short); !os.IsNotExist(err) {
		t.Fatalf("short-term memory not emptied: %v", err)
	}
}

func TestEvalAndImport(t *testing.T) {
	dir := t.TempDir()
	users := filepath.Join(dir, "users")
	r := run(t, "", "data", "import", "--format", "malp", "../../testdata/data/malp_dialogues2_cleaned.json", "--out", users)
	if r.code != 0 || !strings.Contains(r.stdout, "wrote 15 users (149 conversations)") {
		t.Fatalf("data import: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	out := filepath.Join(dir, "eval")
	r = run(t, "", "eval", "--users", users, "--limit", "1", "--trials", "2", "--init", "2", "--epochs", "1",
		"--val-turns", "2", "--test-turns", "3", "--out", out)
	if r.code != 0 {
		t.Fatalf("eval: exit %d: %s", r.code, r.stderr)
	}
	for _, method := range []string{"zero-shot", "history-prompt", "bm25-retrieval", "fixed-lora", "retrieval+lora", "milp"} {
		if !strings.Contains(r.stdout, "| "+method+" |") {
			t.Fatalf("eval table lacks %s:\n%s", method, r.stdout)
		}
	}
	for _, f := range []string{"report.json", "rouge_l.svg"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Fatalf("eval did not write %s", f)
		}
	}
}

func TestMiLPBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "users")
	os.MkdirAll(bad, 0o755)
	os.WriteFile(filepath.Join(bad, "u1.jsonl"), []byte("{\"user\":\"u1\"}\n{\"messages\": [oops]}\n"), 0o644)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"eval", "--users", bad, "--out", filepath.Join(dir, "o")}, "u1.jsonl:2"},
		{[]string{"train", "--users", bad, "--store", dir}, "u1.jsonl:2"},
		{[]string{"train", "--store", dir, "--user", "ghost"}, "no history and nothing in short-term memory"},
		{[]string{"chat", "--store", dir, "--user", "ghost", "-p", "hi"}, `no user "ghost"`},
		{[]string{"data", "import", "--format", "csv", "x", "--out", dir}, `--format "csv"`},
		{[]string{"data", "import", "--format", "spc", filepath.Join(dir, "absent.csv"), "--out", dir}, "no such file"},
		{[]string{"train", "--trials", "0", "--store", dir}, "--trials"},
	}
	for _, c := range cases {
		r := run(t, "", c.args...)
		lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
		last := lines[len(lines)-1]
		if r.code != 1 || !strings.Contains(last, c.want) || strings.Contains(r.stderr, "goroutine") {
			t.Errorf("milp-lite %s: exit %d, stderr %q; want exit 1 and a last line containing %q",
				strings.Join(c.args, " "), r.code, r.stderr, c.want)
		}
	}
}
