package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/milp-lite/milp-lite/milp"
)

// TestMainJobAndMemory runs `train` (the main job, with a tiny budget),
// chats as the user, consolidates, and checks what each step leaves behind.
func TestMainJobAndMemory(t *testing.T) {
	store := t.TempDir()
	r := run(t, "", "train", "--store", store, "--limit", "1", "--trials", "2", "--init", "2", "--epochs", "1",
		"--train-ctx", "128", "--val-turns", "3", "--test-turns", "3")
	if r.code != 0 {
		t.Fatalf("train: exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"| user | test ROUGE-L before → after", "spc-216baf81", "milp-lite chat --user spc-216baf81"} {
		if !strings.Contains(r.stdout, want) {
			t.Fatalf("train output lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "trial 2/2") || !strings.Contains(r.stderr, "[overall] 2/2 trials (100%)") {
		t.Fatalf("no per-trial and overall progress on stderr:\n%s", r.stderr)
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
	r = run(t, "", "consolidate", "--store", store, "--user", "spc-216baf81", "--epochs", "1", "--train-ctx", "128")
	if r.code != 0 || !strings.Contains(r.stdout, "moved 2 short-term turns") {
		t.Fatalf("consolidate --user: exit %d: %s %s", r.code, r.stdout, r.stderr)
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
		"--val-turns", "2", "--test-turns", "3", "--out", out, "--json")
	if r.code != 0 || !strings.Contains(r.stderr, "[overall] 1/2 trials (50%)") {
		t.Fatalf("eval: exit %d, no overall progress: %s", r.code, r.stderr)
	}
	// --json prints report.json's contents; without it, the report's table.
	var rep milp.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || len(rep.Users) != 1 || rep.Recipe.Epochs != 1 {
		t.Fatalf("eval --json: %v, %d users:\n%s", err, len(rep.Users), r.stdout)
	}
	table := rep.Markdown()
	for _, method := range []string{"zero-shot", "history-prompt", "bm25-retrieval", "fixed-lora", "retrieval+lora", "milp"} {
		if !strings.Contains(table, "| "+method+" |") {
			t.Fatalf("eval table lacks %s:\n%s", method, table)
		}
	}
	for _, f := range []string{"report.json", "rouge_l.svg"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Fatalf("eval did not write %s", f)
		}
	}
	if saved, _ := os.ReadFile(filepath.Join(out, "report.json")); string(saved) != r.stdout {
		t.Errorf("eval --json printed something else than report.json")
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
		{[]string{"consolidate", "--store", dir, "--user", "ghost"}, "no history and nothing in short-term memory"},
		{[]string{"consolidate", "--store", dir, "--user", ""}, `--user "" is not a valid user ID`},
		{[]string{"train", "--store", dir, "--user", "ghost"}, "`train --user` is now `milp-lite consolidate --user`"},
		{[]string{"train", "--data", "x.jsonl"}, "`train --data` is now `milp-lite lora train --data`"},
		{[]string{"train", "--epochs", "0", "--store", dir}, "--epochs must be 1 to 1000, got 0"},
		{[]string{"train", "--param-penalty", "NaN", "--store", dir}, "--param-penalty must be ≥ 0, got NaN"},
		{[]string{"train", "--budget", "0.5", "--store", dir}, "a search's budget must be at least one whole training, or 0 for none; got 0.5"},
		{[]string{"train", "--signal", "bleu", "--store", dir}, `--signal must be val-loss or rouge-l, got "bleu"`},
		{[]string{"lora", "train", "--data", "x.jsonl", "--dropout", "1"}, "--dropout must be in [0, 1), got 1"},
		{[]string{"lora", "train", "--data", "x.jsonl", "--lr", "Inf"}, "--lr must be 1e-08 to 1, got +Inf"},
		{[]string{"lora", "train", "--data", "x.jsonl", "--rank", "100"}, "--rank 100 is wider than the model's narrowest site (64)"},
		{[]string{"lora", "train", "--data", filepath.Join(dir, "absent.jsonl")}, "no such file"},
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

// TestLoRATrain trains one adapter from a file of conversations, then chats
// with it: the adapter records how it was trained, and changes the replies.
func TestLoRATrain(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "worker.gguf")
	r := run(t, "", "lora", "train", "--data", "../../train/testdata/persona_construction_worker.jsonl", "--out", out,
		"--epochs", "1", "--train-ctx", "128", "--rank", "4")
	if r.code != 0 || !strings.Contains(r.stderr, "wrote "+out) {
		t.Fatalf("lora train: exit %d: %s", r.code, r.stderr)
	}
	// Into a pipe: plain lines, no bar redrawn with carriage returns.
	if strings.Contains(r.stderr, "\r") || !strings.Contains(r.stderr, "epoch 1: train loss") || !strings.Contains(r.stderr, "left\n") {
		t.Fatalf("lora train progress into a pipe:\n%q", r.stderr)
	}
	if _, err := os.Stat(out + ".ckpt"); !os.IsNotExist(err) {
		t.Fatalf("a finished run left its checkpoint: %v", err)
	}
	info := run(t, "", "info", out)
	for _, want := range []string{"milp.lora.data", "persona_construction_worker.jsonl", "milp.lora.ranks"} {
		if !strings.Contains(info.stdout, want) {
			t.Fatalf("adapter metadata lacks %q:\n%s", want, info.stdout)
		}
	}
	if strings.Contains(info.stdout, "../../train/testdata") {
		t.Fatalf("the adapter records the training file's path, not its name:\n%s", info.stdout)
	}
	base := run(t, "", "chat", "-p", "What do you do for a living?", "--temp", "0", "-n", "16")
	with := run(t, "", "chat", "--adapter", out, "-p", "What do you do for a living?", "--temp", "0", "-n", "16")
	if base.code != 0 || with.code != 0 || base.stdout == with.stdout {
		t.Fatalf("chat with the adapter: exit %d/%d, same reply %v:\n%s", base.code, with.code, base.stdout == with.stdout, with.stderr)
	}
}
