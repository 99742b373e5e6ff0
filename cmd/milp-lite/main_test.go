package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/models"
)

// The tests run the real binary, so they see exactly what a user sees:
// standard output, standard error and the exit status.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "milp-lite-test")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "milp-lite")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		os.Stderr.Write(out)
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

func run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{out.String(), errb.String(), 0}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return r
}

func normalise(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestChatGreedyGolden(t *testing.T) {
	golden, err := os.ReadFile("../../testdata/golden/stories260K_greedy_llamacpp.txt")
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, "", "chat", "-p", "Once upon a time", "--temp", "0", "-n", "200")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if normalise(r.stdout) != normalise(string(golden)) {
		t.Fatalf("chat output differs from llama.cpp's golden\n got: %q\nwant: %q", r.stdout, golden)
	}
}

func TestTokenizeGolden(t *testing.T) {
	golden, err := os.ReadFile("../../testdata/golden/stories260K_tokenize.txt")
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, "", "tokenize", "Once upon a time, there was a little girl named Lily.")
	if r.code != 0 || strings.TrimSpace(r.stdout) != strings.TrimSpace(string(golden)) {
		t.Fatalf("tokenize: exit %d, %q, want %q (%s)", r.code, r.stdout, golden, r.stderr)
	}
	r = run(t, "", "tokenize", "--no-bos", "Once")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "[403]" {
		t.Fatalf("tokenize --no-bos Once: %q (%s)", r.stdout, r.stderr)
	}
}

func TestInfo(t *testing.T) {
	r := run(t, "", "info")
	for _, want := range []string{"general.architecture", "llama", "token_embd.weight", "F32", "[64 512]",
		"llama (SentencePiece)", "5 layers, dim 64, FFN 172, 8 heads (4 KV)", "kernels:"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("info output lacks %q", want)
		}
	}
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
}

func TestREPL(t *testing.T) {
	r := run(t, "Once upon a time\n/reset\nOnce upon a time\n", "chat", "--temp", "0", "-n", "8")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	// The same greedy continuation before and after /reset.
	parts := strings.Split(r.stdout, "> ")
	if len(parts) < 4 || !strings.HasPrefix(parts[1], ", there was a little girl") || parts[1] != parts[3] {
		t.Fatalf("REPL transcript: %q", r.stdout)
	}
}

// writeGGUF writes a builder's file into the test's directory.
func writeGGUF(t *testing.T, name string, b *gguf.Builder) string {
	path := filepath.Join(t.TempDir(), name)
	if err := b.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBadInput: every kind of bad input is one line on standard error naming
// what is wrong, exit status 1, and no Go panic or usage dump.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	truncated := filepath.Join(dir, "truncated.gguf")
	os.WriteFile(truncated, models.Stories260K[:5000], 0o644)
	notGGUF := filepath.Join(dir, "notes.gguf")
	os.WriteFile(notGGUF, []byte("these are not the weights you are looking for"), 0o644)

	f, err := gguf.Parse(models.Stories260K)
	if err != nil {
		t.Fatal(err)
	}
	mamba := f.Builder()
	mamba.Set("general.architecture", gguf.Str("mamba"))
	unknownArch := writeGGUF(t, "mamba.gguf", mamba)
	noHeads := f.Builder()
	noHeads.Delete("llama.attention.head_count")
	missingKey := writeGGUF(t, "noheads.gguf", noHeads)

	cases := []struct {
		args []string
		want string
	}{
		{[]string{"chat", "--model", filepath.Join(dir, "absent.gguf"), "-p", "x"}, "no such file"},
		{[]string{"chat", "--model", truncated, "-p", "x"}, "truncated at byte"},
		{[]string{"info", notGGUF}, "magic"},
		{[]string{"chat", "--model", unknownArch, "-p", "x"}, `unsupported architecture "mamba"`},
		{[]string{"chat", "--model", missingKey, "-p", "x"}, `missing metadata key "llama.attention.head_count"`},
		{[]string{"chat", "--temp", "-1", "-p", "x"}, "--temp must be"},
		{[]string{"chat", "--top-p", "0", "-p", "x"}, "--top-p must be"},
		{[]string{"chat", "--ctx", "100000", "-p", "x"}, "longer than the model's context of 512"},
		{[]string{"chat", "-n", "0", "-p", "x"}, "-n must be"},
		{[]string{"chat", "--bogus"}, "flag provided but not defined"},
		{[]string{"chat", "-n", "many"}, `invalid value "many"`},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"tokenize"}, "one TEXT argument"},
	}
	for _, c := range cases {
		r := run(t, "", c.args...)
		lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
		if r.code != 1 || len(lines) != 1 || !strings.Contains(r.stderr, c.want) ||
			strings.Contains(r.stderr, "goroutine") || strings.Contains(r.stdout, "USAGE") {
			t.Errorf("milp-lite %s: exit %d, stderr %q, stdout %.80q; want exit 1 and one line containing %q",
				strings.Join(c.args, " "), r.code, r.stderr, r.stdout, c.want)
		}
	}
}
