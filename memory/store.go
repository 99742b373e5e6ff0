package memory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/milp-lite/milp-lite/internal/atomicfile"
	"github.com/milp-lite/milp-lite/internal/jsonl"
	"github.com/milp-lite/milp-lite/userdata"
)

// FileName is the name of a user's short-term store inside <root>/<user>/.
const FileName = "short_term.jsonl"

// Store is one user's short-term memory file. Its methods are safe for
// concurrent use within one process.
type Store struct {
	path string
	mu   sync.Mutex
}

// Open returns the store of user under root. Nothing is created until the
// first Append.
func Open(root, user string) (*Store, error) {
	if !userdata.ValidID(user) { // safe as a directory name
		return nil, fmt.Errorf("memory: invalid user id %q (want letters, digits, '.', '_', '-', not starting with '.')", user)
	}
	return &Store{path: filepath.Join(root, user, FileName)}, nil
}

// Path is the file the store reads and writes.
func (s *Store) Path() string { return s.path }

// Append adds turns at the end of the store, all of them or none (see the
// package doc). A zero Time is set to the current UTC time. Invalid roles or
// an unreadable existing file are errors and leave the file unchanged.
func (s *Store) Append(turns ...Turn) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, err := s.load()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	for _, t := range old {
		if err := encodeLine(&buf, t); err != nil {
			return err
		}
	}
	now := time.Now().UTC()
	for i, t := range turns {
		if err := t.Validate(); err != nil {
			return fmt.Errorf("memory: append turn %d: %w", i, err)
		}
		if t.Time.IsZero() {
			t.Time = now
		}
		if err := encodeLine(&buf, t); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Dir(s.path), 0o755); err != nil {
		return fmt.Errorf("memory: %w", err)
	}
	if err := atomicfile.WriteFile(s.path, buf.Bytes()); err != nil {
		return fmt.Errorf("memory: %w", err)
	}
	return nil
}

func encodeLine(buf *bytes.Buffer, t Turn) error {
	line, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("memory: encode turn: %w", err)
	}
	buf.Write(line)
	buf.WriteByte('\n')
	return nil
}

// Load returns every stored turn in order; a store never written is empty.
func (s *Store) Load() ([]Turn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.load()
}

func (s *Store) load() ([]Turn, error) {
	f, err := os.Open(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("memory: %w", err)
	}
	defer f.Close()
	return parseTurns(f, s.path)
}

// parseTurns reads JSONL turns; blank lines are skipped, anything else that is
// not a valid turn is an error naming name and the 1-based line number.
func parseTurns(r io.Reader, name string) ([]Turn, error) {
	var turns []Turn
	err := jsonl.Read(r, name, func(_ int, line []byte) error {
		var t Turn
		if err := jsonl.Decode(line, &t); err != nil {
			return err
		}
		turns = append(turns, t)
		return t.Validate()
	})
	if err != nil {
		return nil, fmt.Errorf("memory: %w", err)
	}
	return turns, nil
}

// Clear empties the store, as done once its turns have been consolidated into
// the long-term adapter. Removing the file is atomic; clearing an empty store
// is not an error.
func (s *Store) Clear() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.Remove(s.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("memory: clear: %w", err)
	}
	atomicfile.SyncDir(filepath.Dir(s.path))
	return nil
}
