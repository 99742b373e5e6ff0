package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOutputCheckedFirst: an output that cannot be written is refused before
// the work, with one line naming the path given (not a temporary file).
func TestOutputCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing")
	aFile := filepath.Join(dir, "file")
	os.WriteFile(aFile, []byte("x"), 0o644)
	evalOut := filepath.Join(dir, "eval")
	os.MkdirAll(filepath.Join(evalOut, "report.json"), 0o755)
	data := "../../train/testdata/persona_construction_worker.jsonl"
	cases := []struct {
		args []string
		path string
		want string
	}{
		{[]string{"lora", "train", "--data", data, "--epochs", "1", "--out", filepath.Join(missing, "a.gguf")}, filepath.Join(missing, "a.gguf"), "no such file"},
		{[]string{"eval", "--limit", "1", "--trials", "1", "--init", "1", "--out", evalOut}, filepath.Join(evalOut, "report.json"), "is a directory"},
		{[]string{"train", "--limit", "1", "--trials", "1", "--init", "1", "--store", filepath.Join(aFile, "store")}, filepath.Join(aFile, "store"), "not a directory"},
		{[]string{"bench", "--quick", "--out", filepath.Join(missing, "b.json")}, filepath.Join(missing, "b.json"), "no such file"},
		{[]string{"bench", "bo", "--seeds", "1", "--evals", "3", "--init", "2", "--functions", "branin", "--svg", filepath.Join(missing, "r.svg")}, filepath.Join(missing, "r.svg"), "no such file"},
	}
	for _, c := range cases {
		r := run(t, "", c.args...)
		line := strings.TrimSuffix(r.stderr, "\n")
		if r.code != 1 || strings.Contains(line, "\n") || !strings.Contains(line, c.path+":") || !strings.Contains(line, c.want) {
			t.Errorf("milp-lite %s: exit %d, stderr %q; want exit 1 and one line naming %s (%s)",
				strings.Join(c.args, " "), r.code, r.stderr, c.path, c.want)
		}
	}
}

func TestOutputReadOnlyFolder(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes into read-only folders")
	}
	dir := t.TempDir()
	ro := filepath.Join(dir, "ro")
	os.Mkdir(ro, 0o555)
	defer os.Chmod(ro, 0o755)
	out := filepath.Join(ro, "a.gguf")
	r := run(t, "", "lora", "train", "--data", "../../train/testdata/persona_construction_worker.jsonl", "--epochs", "1", "--out", out)
	if r.code != 1 || r.stderr != "milp-lite: write "+out+": permission denied\n" {
		t.Fatalf("lora train into a read-only folder: exit %d, stderr %q", r.code, r.stderr)
	}
}
