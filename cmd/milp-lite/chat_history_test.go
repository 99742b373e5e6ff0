package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestChatHistoryPersists: entries are saved as they are added and read
// back newest first; repeats, blank, multi-line and over-long entries are
// not kept; the file keeps the newest historyMaxEntries; a damaged or huge
// file gives its newest readable entries.
func TestChatHistoryPersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "u1", "chat_history")
	var warnings []error
	warn := func(err error) { warnings = append(warnings, err) }
	h := loadHistory(path, warn)
	for _, e := range []string{"hello", "hello", "  ", "two\nlines", strings.Repeat("x", historyMaxEntryBytes+1), "how are you?"} {
		h.Add(e)
	}
	back := loadHistory(path, warn)
	if back.Len() != 2 || back.At(0) != "how are you?" || back.At(1) != "hello" || len(warnings) > 0 {
		t.Fatalf("read back %q, warnings %v", back.entries, warnings)
	}
	if data, _ := os.ReadFile(path); string(data) != "hello\nhow are you?\n" {
		t.Fatalf("file %q", data)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*")); len(leftovers) > 0 {
		t.Fatalf("temporary files left: %v", leftovers)
	}

	var lines strings.Builder
	for i := range historyMaxEntries + 4 {
		fmt.Fprintf(&lines, "line %d\n", i)
	}
	os.WriteFile(path, []byte(lines.String()), 0o644)
	loadHistory(path, warn).Add(fmt.Sprint("line ", historyMaxEntries+4))
	again := loadHistory(path, warn)
	if again.Len() != historyMaxEntries || again.At(0) != fmt.Sprint("line ", historyMaxEntries+4) || again.At(historyMaxEntries-1) != "line 5" {
		t.Fatalf("bounded history: %d entries, newest %q, oldest %q", again.Len(), again.At(0), again.At(again.Len()-1))
	}

	// A file grown by something else: only its tail is read, whole lines.
	huge := filepath.Join(t.TempDir(), "chat_history")
	var b strings.Builder
	for i := range 3 * historyMaxEntries {
		fmt.Fprintf(&b, "%d %s\n", i, strings.Repeat("y", 900))
	}
	os.WriteFile(huge, []byte(b.String()), 0o644)
	tail := loadHistory(huge, warn)
	if tail.Len() == 0 || tail.Len() > historyMaxEntries || !strings.HasPrefix(tail.At(0), fmt.Sprint(3*historyMaxEntries-1, " ")) || len(warnings) > 0 {
		t.Fatalf("huge file: %d entries, newest %.10q, warnings %v", tail.Len(), tail.At(0), warnings)
	}
	// Damage: an over-long line, control bytes, a torn end; the good lines stay.
	os.WriteFile(huge, []byte("ok\n"+strings.Repeat("z", 5000)+"\n\x00\x1b[2J\nfine\ntorn"), 0o644)
	if torn := loadHistory(huge, warn); strings.Join(torn.entries, "|") != "ok|fine|torn" || len(warnings) > 0 {
		t.Fatalf("damaged file: %q, warnings %v", torn.entries, warnings)
	}
	// One line with no end, longer than is ever read: nothing, quickly.
	os.WriteFile(huge, []byte(strings.Repeat("z", 2*historyMaxReadBytes)), 0o644)
	if none := loadHistory(huge, warn); none.Len() != 0 {
		t.Fatalf("a file of one huge line gave %d entries", none.Len())
	}
}
