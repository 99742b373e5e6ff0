package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/milp-lite/milp-lite/internal/atomicfile"
)

// Bounds of a chat's line history: what is kept, and what is read back of
// a file that may have been damaged or written by something else.
const (
	historyMaxEntries    = 1000
	historyMaxEntryBytes = 1024 // a longer message is sent but not kept
	historyMaxReadBytes  = historyMaxEntries * (historyMaxEntryBytes + 1)
)

// chatHistory is the line editor's history (golang.org/x/term's History),
// kept in a file: one entry a line, oldest first, at most
// historyMaxEntries, each rewritten whole to a temporary name and renamed
// after every line entered, so a crash or a kill never leaves it torn.
type chatHistory struct {
	path    string
	entries []string // oldest first
	warn    func(error)
	failed  bool // a save failed and was warned about
}

// loadHistory reads path's entries (none if it does not exist). A file too
// long or damaged gives what could be read, and a warning.
func loadHistory(path string, warn func(error)) *chatHistory {
	h := &chatHistory{path: path, warn: warn}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return h
	}
	if err != nil {
		warn(err)
		return h
	}
	defer f.Close()
	var r io.Reader = f
	if info, err := f.Stat(); err == nil && info.Size() > historyMaxReadBytes {
		// Only the newest entries are kept: read the tail, and drop the
		// line it cuts.
		f.Seek(info.Size()-historyMaxReadBytes, io.SeekStart)
		br := bufio.NewReader(f)
		br.ReadString('\n')
		r = br
	}
	lines := bufio.NewScanner(io.LimitReader(r, historyMaxReadBytes))
	lines.Buffer(make([]byte, 0, 4096), historyMaxReadBytes)
	for lines.Scan() {
		if keepable(lines.Text()) {
			h.entries = append(h.entries, lines.Text())
		}
	}
	if err := lines.Err(); err != nil {
		warn(fmt.Errorf("%s: %w (kept the %d entries before it)", path, err, len(h.entries)))
	}
	h.entries = h.entries[max(0, len(h.entries)-historyMaxEntries):]
	return h
}

// keepable reports whether a line goes into the history: not empty, not
// too long, one line of printable text.
func keepable(s string) bool {
	return strings.TrimSpace(s) != "" && len(s) <= historyMaxEntryBytes &&
		!strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f })
}

// Add is term.History's: a new entry, saved at once. A repeat of the last
// entry is not added again.
func (h *chatHistory) Add(entry string) {
	if !keepable(entry) || (len(h.entries) > 0 && h.entries[len(h.entries)-1] == entry) {
		return
	}
	h.entries = append(h.entries, entry)
	if n := len(h.entries); n > historyMaxEntries {
		h.entries = append(h.entries[:0], h.entries[n-historyMaxEntries:]...)
	}
	if err := h.save(); err != nil && !h.failed {
		h.failed = true // said once; the chat goes on
		h.warn(err)
	}
}

// Len is term.History's.
func (h *chatHistory) Len() int { return len(h.entries) }

// At is term.History's: 0 is the newest entry.
func (h *chatHistory) At(i int) string { return h.entries[len(h.entries)-1-i] }

func (h *chatHistory) save() error {
	if err := os.MkdirAll(filepath.Dir(h.path), 0o755); err != nil {
		return err
	}
	var b strings.Builder
	for _, e := range h.entries {
		b.WriteString(e)
		b.WriteByte('\n')
	}
	return atomicfile.WriteFile(h.path, []byte(b.String()))
}
