package filelock

import (
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestTryLockSeesHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	held, err := Acquire(path)
	if err != nil {
		t.Fatal(err)
	}
	if l, err := TryLock(path); !errors.Is(err, ErrLocked) {
		if l != nil {
			l.Unlock()
		}
		t.Fatalf("TryLock of a held lock: %v, want ErrLocked", err)
	}
	if err := held.Unlock(); err != nil {
		t.Fatal(err)
	}
	l, err := TryLock(path)
	if err != nil {
		t.Fatalf("TryLock after Unlock: %v", err)
	}
	l.Unlock()
}

// TestAcquireExcludes counts with a read-modify-write that only the lock
// keeps whole.
func TestAcquireExcludes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	inside, most := 0, 0
	var wg sync.WaitGroup
	var mu sync.Mutex // guards the counters' memory, not their exclusion
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				l, err := Acquire(path)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				inside++
				most = max(most, inside)
				mu.Unlock()
				time.Sleep(50 * time.Microsecond) // let the others try while it is held
				mu.Lock()
				inside--
				mu.Unlock()
				l.Unlock()
			}
		}()
	}
	wg.Wait()
	if most != 1 {
		t.Fatalf("%d holders at once", most)
	}
}
