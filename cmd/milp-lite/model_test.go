package main

import (
	"strings"
	"testing"

	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/models"
)

// wantOneLineError checks what every refused input must give: exit status
// 1 and one line on standard error containing each of wants, no panic.
func wantOneLineError(t *testing.T, r result, args []string, wants ...string) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	ok := r.code == 1 && len(lines) == 1 && !strings.Contains(r.stderr, "goroutine")
	for _, w := range wants {
		ok = ok && strings.Contains(r.stderr, w)
	}
	if !ok {
		t.Errorf("milp-lite %s: exit %d, stderr %.300q; want exit 1 and one line containing %q",
			strings.Join(args, " "), r.code, r.stderr, wants)
	}
}

// TestModelFileNotRegular: /dev/zero (endless) and a directory are refused
// by every command that opens a model file, before any read.
func TestModelFileNotRegular(t *testing.T) {
	for _, path := range []string{"/dev/zero", t.TempDir()} {
		for _, args := range [][]string{{"info", path}, {"tokenize", "--model", path, "x"}} {
			wantOneLineError(t, run(t, "", args...), args, path, "not a regular file")
		}
	}
}

// TestHostileMetadataIsOneShortLine: a hyper-parameter out of range and a
// megabyte string in the metadata are each one short line naming the file
// and the key, exit status 1.
func TestHostileMetadataIsOneShortLine(t *testing.T) {
	f, err := gguf.Parse(models.Stories260K)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		key   string
		value gguf.Value
	}{
		{"llama.rope.dimension_count", gguf.U64(^uint64(0) - 1)},
		{"llama.attention.head_count_kv", gguf.U64(^uint64(0))},
		{"llama.block_count", gguf.U32(1 << 24)},
		{"general.architecture", gguf.Str(strings.Repeat("x", 1<<20))},
	}
	for _, c := range cases {
		b := f.Builder()
		b.Set(c.key, c.value)
		path := writeGGUF(t, "hostile.gguf", b)
		// A command that loads the model (tokenize reads only the vocabulary).
		args := []string{"chat", "--model", path, "-p", "x", "-n", "1"}
		r := run(t, "", args...)
		wantOneLineError(t, r, args, path)
		if len(r.stderr) > 400 || !strings.Contains(r.stderr, c.key) && !strings.Contains(r.stderr, "xxxx") {
			t.Errorf("%s = %.20s: stderr of %d bytes %.300q, want a short line naming the key", c.key, c.value, len(r.stderr), r.stderr)
		}
	}
}
