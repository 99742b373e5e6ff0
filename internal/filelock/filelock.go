// Package filelock serialises processes over a file: the operating system's
// advisory lock (flock on Unix, LockFileEx on Windows) of a lock file beside
// the data it guards. The kernel drops the lock when its holder exits or is
// killed, so a crash never leaves a user's store locked for ever. A lock file
// is never removed: removing it would let two processes lock two different
// files of the same name.
package filelock

import (
	"errors"
	"fmt"
	"os"
)

// ErrLocked is wrapped by TryLock's error when another holder has the lock.
var ErrLocked = errors.New("locked by another process")

// Lock is a held lock; Unlock releases it.
type Lock struct{ f *os.File }

// Acquire waits until it holds the exclusive lock of path, creating the
// file if needed. Separate Acquires of one path exclude each other within a
// process too.
func Acquire(path string) (*Lock, error) { return acquire(path, true) }

// TryLock is Acquire without waiting: if another holder has the lock it
// returns an error wrapping ErrLocked.
func TryLock(path string) (*Lock, error) { return acquire(path, false) }

func acquire(path string, wait bool) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock: %w", err)
	}
	if err := lockFile(f, wait); err != nil {
		f.Close()
		if errors.Is(err, ErrLocked) {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &Lock{f}, nil
}

// Unlock releases the lock.
func (l *Lock) Unlock() error {
	err := unlockFile(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	return err
}
