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
	valid := `{"time":"2024-05-01T10:00:00Z","role":"user","content":"hi"}` + "\n"
	// A bad line with a valid one after it is no torn write: an error.
	content := valid + "\n" + `{"role":"user","content":` + "\n" + valid
	os.WriteFile(s.Path(), []byte(content), 0o644)
	_, err := s.Load()
	if err == nil || !strings.Contains(err.Error(), "short_term.jsonl:3:") {
		t.Fatalf("error %v does not name line 3", err)
	}
	// Append must refuse to rewrite (and so silently drop) a corrupt store.
	before, _ := os.ReadFile(s.Path())
	if err := s.Append(NewTurn(time.Time{}, "user", "x")); err == nil {
		t.Error("Append over a corrupt store succeeded")
	}
	if after, _ := os.ReadFile(s.Path()); string(after) != string(before) {
		t.Errorf("a refused Append changed the store:\n%s", after)
	}
	os.WriteFile(s.Path(), []byte(`{"time":"2024-05-01T10:00:00Z","role":"bot","content":"hi"}`+"\n"+valid), 0o644)
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

// TestStoreSetsDamagedTailAside tears the last line, as a crash of another
// writer or outside damage does: the valid turns still serve, the damage is
// reported once and kept in a file of its own, and appends go on.
func TestStoreSetsDamagedTailAside(t *testing.T) {
	s, _ := Open(t.TempDir(), "u1")
	var reports []Damage
	s.OnDamage = func(d Damage) { reports = append(reports, d) }
	if err := s.Append(NewTurn(at(0), "user", "My knee hurts."), NewTurn(at(1), "assistant", "Rest it.")); err != nil {
		t.Fatal(err)
	}
	valid, _ := os.ReadFile(s.Path())
	torn := `{"role":"user","content":"Still hu`
	os.WriteFile(s.Path(), append(append([]byte{}, valid...), torn...), 0o644)

	got, err := s.Load()
	if err != nil || len(got) != 2 || got[1].Content != "Rest it." {
		t.Fatalf("Load over a torn tail: %+v, %v", got, err)
	}
	if len(reports) != 1 || reports[0].Line != 3 || reports[0].Turns != 2 ||
		!strings.Contains(reports[0].String(), "short_term.jsonl:3: damaged tail") {
		t.Fatalf("damage reports: %+v", reports)
	}
	kept, err := os.ReadFile(reports[0].KeptAt)
	if err != nil || string(kept) != torn || !strings.HasPrefix(reports[0].KeptAt, s.Path()+DamagedSuffix) {
		t.Fatalf("damaged tail kept at %s: %q, %v", reports[0].KeptAt, kept, err)
	}
	if now, _ := os.ReadFile(s.Path()); string(now) != string(valid) {
		t.Fatalf("store after setting the tail aside:\n%s", now)
	}
	if err := s.Append(NewTurn(at(2), "user", "Still hurts.")); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Load(); err != nil || len(got) != 3 || len(reports) != 1 {
		t.Fatalf("after the repair: %d turns, %v, %d reports", len(got), err, len(reports))
	}

	// A file that is all damage keeps nothing but loses nothing either.
	os.WriteFile(s.Path(), []byte("\x00\x00\x00"), 0o644)
	if got, err := s.Load(); err != nil || len(got) != 0 || len(reports) != 2 {
		t.Fatalf("all-damaged store: %+v, %v, %d reports", got, err, len(reports))
	}
	if kept, _ := os.ReadFile(reports[1].KeptAt); string(kept) != "\x00\x00\x00" {
		t.Fatalf("second damaged tail kept as %q", kept)
	}
}
