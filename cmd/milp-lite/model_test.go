package main

import (
	"strings"
	"testing"
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
