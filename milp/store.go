package milp

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/milp-lite/milp-lite/internal/filelock"
	"github.com/milp-lite/milp-lite/memory"
	"github.com/milp-lite/milp-lite/userdata"
)

// Store is where milp-lite keeps its users and their memories:
//
//	<root>/users/<id>.jsonl        the user's history (package userdata's layout): added to, never replaced
//	<root>/users/<id>.lock         held while the main job or a consolidation rewrites the user's history and adapter
//	<root>/search-prior.json       the placements that won earlier users' searches, per model (see Prior)
//	<root>/<id>/adapter.gguf       long-term memory: the user's LoRA adapter (llama.cpp's format)
//	<root>/<id>/short_term.jsonl   short-term memory: recent turns as text (package memory's layout)
//	<root>/<id>/consolidating.json the turns a consolidation is moving into the history, until they have moved
//	<root>/<id>/search.jsonl       the journal of the user's last BO search
//	<root>/<id>/report.json        what that search found, scores before and after
//	<root>/<id>/search.svg         its trials: score per trial and best so far
//
// Every file is written to a temporary name and renamed, so a crash never
// leaves one half-written. Processes share a store safely: chats append to
// the short-term file under its own lock, and the jobs that rewrite a user's
// history and adapter hold the user's lock (see LockUser).
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

// usersDirName is the folder of the users' histories under the root.
const usersDirName = "users"

// reservedIDs are the store's own names at its root, beside the users'
// folders: a user with one of these IDs would write into the store's own.
var reservedIDs = []string{usersDirName, priorFile, priorFile + ".lock"}

// CheckUserID says why id cannot name a user of a store, or returns nil: an
// ID must be a plain file name (userdata.ValidID) and none of the store's
// own names in any letter case, since case-insensitive file systems (macOS,
// Windows) fold them together. Every entry to a user's files checks it.
func CheckUserID(id string) error {
	switch {
	case id == "":
		return errors.New(`"" is not a valid user ID: it is empty`)
	case !userdata.ValidID(id):
		return fmt.Errorf("%q is not a valid user ID (letters, digits, '.', '_', '-', not starting with '.')", id)
	}
	for _, name := range reservedIDs {
		if strings.EqualFold(id, name) {
			kind := "file"
			if name == usersDirName {
				kind = "folder"
			}
			return fmt.Errorf("%q cannot be a user ID: the store keeps its own %s %s under that name", id, name, kind)
		}
	}
	return nil
}

// UsersDir holds the users' histories.
func (s Store) UsersDir() string { return filepath.Join(s.Root, usersDirName) }

// UserDir holds one user's memories and reports.
func (s Store) UserDir(id string) string { return filepath.Join(s.Root, id) }

// AdapterPath is the user's long-term memory.
func (s Store) AdapterPath(id string) string { return filepath.Join(s.Root, id, "adapter.gguf") }

// ReportPath, JournalPath and PlotPath are the user's last search.
func (s Store) ReportPath(id string) string  { return filepath.Join(s.Root, id, "report.json") }
func (s Store) JournalPath(id string) string { return filepath.Join(s.Root, id, "search.jsonl") }
func (s Store) PlotPath(id string) string    { return filepath.Join(s.Root, id, "search.svg") }

// PendingPath records a consolidation's move of turns while it is under way.
func (s Store) PendingPath(id string) string { return filepath.Join(s.Root, id, "consolidating.json") }

// ShortTerm opens the user's short-term memory.
func (s Store) ShortTerm(id string) (*memory.Store, error) {
	if err := CheckUserID(id); err != nil {
		return nil, err
	}
	return memory.Open(s.Root, id)
}

// LockUser takes the lock of user id that the main job and consolidation
// hold while they rewrite the user's history and adapter, so that two of
// them never interleave. It does not wait: both run for minutes, so a second
// one is told at once, naming the user, rather than left hanging. Chats do
// not take it.
func (s Store) LockUser(id string) (*filelock.Lock, error) {
	if err := CheckUserID(id); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(s.UsersDir(), 0o755); err != nil {
		return nil, err
	}
	l, err := filelock.TryLock(filepath.Join(s.UsersDir(), id+".lock"))
	if errors.Is(err, filelock.ErrLocked) {
		return nil, fmt.Errorf("user %s is being trained or consolidated by another process; try again when it has finished", id)
	}
	return l, err
}
