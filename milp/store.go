package milp

import (
	"os"
	"path/filepath"

	"github.com/milp-lite/milp-lite/memory"
)

// Store is where milp-lite keeps its users and their memories:
//
//	<root>/users/<id>.jsonl        the user's history (package userdata's layout)
//	<root>/<id>/adapter.gguf       long-term memory: the user's LoRA adapter (llama.cpp's format)
//	<root>/<id>/short_term.jsonl   short-term memory: recent turns as text (package memory's layout)
//	<root>/<id>/search.jsonl       the journal of the user's last BO search
//	<root>/<id>/report.json        what that search found, scores before and after
//	<root>/<id>/search.svg         its trials: score per trial and best so far
//
// Every file is written to a temporary name and renamed, so a crash never
// leaves one half-written.
type Store struct{ Root string }

// DefaultStoreRoot is $MILP_HOME, else $XDG_DATA_HOME/milp-lite, else
// ~/.local/share/milp-lite.
func DefaultStoreRoot() string {
	if d := os.Getenv("MILP_HOME"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "milp-lite")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "milp-lite")
	}
	return "milp-lite-data"
}

// UsersDir holds the users' histories.
func (s Store) UsersDir() string { return filepath.Join(s.Root, "users") }

// UserDir holds one user's memories and reports.
func (s Store) UserDir(id string) string { return filepath.Join(s.Root, id) }

// AdapterPath is the user's long-term memory.
func (s Store) AdapterPath(id string) string { return filepath.Join(s.Root, id, "adapter.gguf") }

// ReportPath, JournalPath and PlotPath are the user's last search.
func (s Store) ReportPath(id string) string  { return filepath.Join(s.Root, id, "report.json") }
func (s Store) JournalPath(id string) string { return filepath.Join(s.Root, id, "search.jsonl") }
func (s Store) PlotPath(id string) string    { return filepath.Join(s.Root, id, "search.svg") }

// ShortTerm opens the user's short-term memory.
func (s Store) ShortTerm(id string) (*memory.Store, error) { return memory.Open(s.Root, id) }
