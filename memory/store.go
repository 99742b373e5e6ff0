package memory

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/milp-lite/milp-lite/internal/atomicfile"
	"github.com/milp-lite/milp-lite/internal/filelock"
	"github.com/milp-lite/milp-lite/userdata"
)

// FileName is the name of a user's short-term store inside <root>/<user>/.
const FileName = "short_term.jsonl"

// LockSuffix names the lock file beside the store: <FileName><LockSuffix>.
const LockSuffix = ".lock"

// Store is one user's short-term memory file. Its methods are safe for
// concurrent use by goroutines and by processes (see the package doc).
type Store struct {
	path string

	// OnDamage, if set, is told of each damaged tail set aside (see Damage).
	OnDamage func(Damage)
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

// locked runs fn holding the store's lock file, which every writer takes:
// a read-modify-write then sees every write made before it.
func (s *Store) locked(fn func() error) error {
	if err := os.MkdirAll(filepath.Dir(s.path), 0o755); err != nil {
		return fmt.Errorf("memory: %w", err)
	}
	l, err := filelock.Acquire(s.path + LockSuffix)
	if err != nil {
		return fmt.Errorf("memory: %w", err)
	}
	defer l.Unlock()
	return fn()
}

// Append adds turns at the end of the store, all of them or none (see the
// package doc). A zero Time is set to the current UTC time. Invalid roles or
// an unreadable existing file are errors and leave the file unchanged.
func (s *Store) Append(turns ...Turn) error {
	var added bytes.Buffer
	now := time.Now().UTC()
	for i, t := range turns {
		if err := t.Validate(); err != nil {
			return fmt.Errorf("memory: append turn %d: %w", i, err)
		}
		if t.Time.IsZero() {
			t.Time = now
		}
		if err := encodeLine(&added, t); err != nil {
			return err
		}
	}
	return s.locked(func() error {
		old, err := s.current()
		if err != nil {
			return err
		}
		data := old.data
		if len(data) > 0 && data[len(data)-1] != '\n' {
			data = append(data, '\n') // a last line saved without its newline
		}
		if err := atomicfile.WriteFile(s.path, append(data, added.Bytes()...)); err != nil {
			return fmt.Errorf("memory: %w", err)
		}
		return nil
	})
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
// It takes no lock, as writers replace the file by renaming and so it sees a
// whole file, before or after any write; only a damaged tail, found in that
// file, is set aside under the lock (see Damage).
func (s *Store) Load() ([]Turn, error) {
	c, err := readContents(s.path)
	if err == nil && c.tail != nil {
		err = s.locked(func() (err error) {
			c, err = s.current()
			return err
		})
	}
	return c.turns, err
}

// RemoveFirst deletes done, the turns a consolidation read from the start of
// the store and moved into long-term memory, and keeps the turns appended
// since. If the store no longer starts with done, nothing is removed and the
// error says so.
func (s *Store) RemoveFirst(done []Turn) error {
	if len(done) == 0 {
		return nil
	}
	return s.locked(func() error {
		c, err := s.current()
		if err != nil {
			return err
		}
		if !StartsWith(c.turns, done) {
			return fmt.Errorf("memory: %s no longer starts with the %d turns consolidated; nothing removed", s.path, len(done))
		}
		rest := c.data[c.ends[len(done)-1]:]
		if len(bytes.TrimSpace(rest)) > 0 {
			err = atomicfile.WriteFile(s.path, rest)
		} else {
			err = os.Remove(s.path)
			atomicfile.SyncDir(filepath.Dir(s.path))
		}
		if err != nil {
			return fmt.Errorf("memory: %w", err)
		}
		return nil
	})
}

// StartsWith reports whether turns begin with prefix: the same messages
// said at the same times.
func StartsWith(turns, prefix []Turn) bool {
	if len(turns) < len(prefix) {
		return false
	}
	for i, p := range prefix {
		if turns[i].Message != p.Message || !turns[i].Time.Equal(p.Time) {
			return false
		}
	}
	return true
}

// Clear empties the store. Removing the file is atomic; clearing an empty
// store is not an error.
func (s *Store) Clear() error {
	if _, err := os.Stat(filepath.Dir(s.path)); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return s.locked(func() error {
		if err := os.Remove(s.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("memory: clear: %w", err)
		}
		atomicfile.SyncDir(filepath.Dir(s.path))
		return nil
	})
}
