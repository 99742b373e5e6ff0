package memory

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func at(sec int) time.Time { return time.Date(2024, 5, 1, 10, 0, sec, 0, time.UTC) }

func TestStoreAppendLoadClear(t *testing.T) {
	root := t.TempDir()
	s, err := Open(root, "spc-0a1b2c3d")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Load(); err != nil || len(got) != 0 {
		t.Fatalf("fresh store: %v, %v", got, err)
	}
	first := []Turn{NewTurn(at(0), "user", "My knee hurts.\nSince Monday."), NewTurn(at(3), "assistant", "Rest it.")}
	if err := s.Append(first...); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(NewTurn(time.Time{}, "user", "Thanks")); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0] != first[0] || got[1] != first[1] || got[2].Content != "Thanks" {
		t.Fatalf("round trip: got %+v", got)
	}
	if got[2].Time.IsZero() {
		t.Error("zero time was not filled in")
	}
	if want := filepath.Join(root, "spc-0a1b2c3d", "short_term.jsonl"); s.Path() != want {
		t.Errorf("path %s, want %s", s.Path(), want)
	}
	raw, _ := os.ReadFile(s.Path())
	if lines := strings.Count(string(raw), "\n"); lines != 3 {
		t.Errorf("file has %d lines, want one per turn (3):\n%s", lines, raw)
	}
	if !strings.Contains(string(raw), `"time":"2024-05-01T10:00:00Z"`) {
		t.Errorf("time not stored as RFC 3339:\n%s", raw)
	}
	if err := s.Clear(); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Load(); err != nil || len(got) != 0 {
		t.Fatalf("after Clear: %v, %v", got, err)
	}
	if err := s.Clear(); err != nil {
		t.Errorf("clearing an empty store: %v", err)
	}
}

func TestStoreRejectsBadInput(t *testing.T) {
	root := t.TempDir()
	for _, id := range []string{"", ".", "..", "../x", "a/b", ".hidden"} {
		if _, err := Open(root, id); err == nil {
			t.Errorf("Open(%q) accepted an unsafe id", id)
		}
	}
	s, _ := Open(root, "u1")
	if err := s.Append(NewTurn(time.Time{}, "user", "ok")); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(NewTurn(time.Time{}, "user", "fine"), NewTurn(time.Time{}, "doctor", "bad")); err == nil {
		t.Error("role doctor accepted")
	}
	if got, _ := s.Load(); len(got) != 1 {
		t.Errorf("a rejected batch changed the store: %+v", got)
	}
}

func TestStoreMalformedLineNamesLine(t *testing.T) {
	root := t.TempDir()
	s, _ := Open(root, "u1")
	os.MkdirAll(filepath.Dir(s.Path()), 0o755)
	content := `{"time":"2024-05-01T10:00:00Z","role":"user","content":"hi"}` + "\n\n" + `{"role":"user","content":` + "\n"
	os.WriteFile(s.Path(), []byte(content), 0o644)
	_, err := s.Load()
	if err == nil || !strings.Contains(err.Error(), "short_term.jsonl:3:") {
		t.Fatalf("error %v does not name line 3", err)
	}
	// Append must refuse to rewrite (and so silently drop) a corrupt store.
	if err := s.Append(NewTurn(time.Time{}, "user", "x")); err == nil {
		t.Error("Append over a corrupt store succeeded")
	}
	os.WriteFile(s.Path(), []byte(`{"time":"2024-05-01T10:00:00Z","role":"bot","content":"hi"}`+"\n"), 0o644)
	if _, err := s.Load(); err == nil || !strings.Contains(err.Error(), ":1:") {
		t.Errorf("bad role: error %v does not name line 1", err)
	}
}

func TestStoreFailedWriteKeepsOldFile(t *testing.T) {
	root := t.TempDir()
	s, _ := Open(root, "u1")
	if err := s.Append(NewTurn(at(0), "user", "original")); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(s.Path())
	// The second turn is invalid: nothing of the call may reach the file.
	err := s.Append(NewTurn(at(1), "assistant", "never stored"), NewTurn(at(2), "narrator", "bad role"))
	if err == nil || !strings.Contains(err.Error(), "narrator") {
		t.Fatalf("Append with an invalid turn returned %v", err)
	}
	after, _ := os.ReadFile(s.Path())
	if string(after) != string(before) {
		t.Fatalf("failed write changed the file:\nbefore %q\nafter  %q", before, after)
	}
	entries, _ := os.ReadDir(filepath.Dir(s.Path()))
	for _, e := range entries {
		if e.Name() != FileName && e.Name() != FileName+LockSuffix {
			t.Errorf("temp file left behind: %s", e.Name())
		}
	}
}
