package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDataImportOpenAI: an OpenAI fine-tuning file becomes one user's
// history, named by --user or by the file, with a warning counting the tool
// messages left out; a bad line fails naming the file and line.
func TestDataImportOpenAI(t *testing.T) {
	out := t.TempDir()
	fixture := "../../userdata/testdata/openai_full.jsonl"
	r := run(t, "", "data", "import", "--format", "openai", fixture, "--out", out)
	if r.code != 0 || !strings.Contains(r.stdout, "wrote 1 users (4 conversations)") {
		t.Fatalf("exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "skipped 4 tool messages") {
		t.Errorf("stderr %q, want the count of skipped tool messages", r.stderr)
	}
	stored, err := os.ReadFile(filepath.Join(out, "openai_full.jsonl"))
	if err != nil || !strings.Contains(string(stored), `"weight":0`) {
		t.Fatalf("stored history: %v\n%s", err, stored)
	}
	r = run(t, "", "data", "import", "--format", "openai", fixture, "--user", "marv", "--out", out)
	if _, err := os.Stat(filepath.Join(out, "marv.jsonl")); r.code != 0 || err != nil {
		t.Fatalf("--user marv: exit %d, %v: %s", r.code, err, r.stderr)
	}

	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	os.WriteFile(bad, []byte(`{"messages":[{"role":"user","content":"hi"}]}`+"\n"+`{"messages":[{"role":"user","content":"hi","weight":0}]}`+"\n"), 0o644)
	r = run(t, "", "data", "import", "--format", "openai", bad, "--out", out)
	if r.code != 1 || !strings.Contains(r.stderr, bad+":2: ") || !strings.Contains(r.stderr, "only assistant messages take a weight") {
		t.Fatalf("bad line: exit %d: %s", r.code, r.stderr)
	}
	r = run(t, "", "data", "import", "--format", "spc", bad, "--user", "x", "--out", out)
	if r.code != 1 || !strings.Contains(r.stderr, "--user is for --format openai") {
		t.Fatalf("--user with spc: exit %d: %s", r.code, r.stderr)
	}
}

// TestDataImportSPCSkipsMalformed: malformed records are skipped, each
// named by line and reason on standard error with a count at the end, and
// the good ones written; --strict stops at the first with exit status 1.
func TestDataImportSPCSkipsMalformed(t *testing.T) {
	csv := filepath.Join(t.TempDir(), "spc.csv")
	os.WriteFile(csv, []byte("user 1 personas,user 2 personas,Best Generated Conversation\n"+
		"\"I like cats.\",\"I love pizza.\",\"User 1: Hi!\nUser 2: Hello.\"\n"+
		"\"I like tea.\",\"I like coffee.\",\"Hello there, how are you?\"\n"+
		"\"I like tea.\",\"I like coffee.\",\"\"\n"), 0o644)
	out := t.TempDir()
	r := run(t, "", "data", "import", "--format", "spc", csv, "--out", out)
	if r.code != 0 || !strings.Contains(r.stdout, "wrote 2 users (2 conversations)") {
		t.Fatalf("exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		csv + `:4: skipped the record: conversation has no "User 1:" / "User 2:" turns`,
		csv + ":5: skipped the record: empty conversation",
		csv + ": skipped 2 malformed records (--strict stops at the first)",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr %q\nwant a line with %q", r.stderr, want)
		}
	}
	r = run(t, "", "data", "import", "--format", "spc", "--strict", csv, "--out", t.TempDir())
	if r.code != 1 || !strings.Contains(r.stderr, "record on line 4") || strings.Contains(r.stderr, "warning") {
		t.Fatalf("--strict: exit %d: %s", r.code, r.stderr)
	}
}
