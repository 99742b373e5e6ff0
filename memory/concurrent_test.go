package memory

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestAppendFromManyStores appends through separate Stores of one user, as
// separate processes do: only the lock file keeps every turn.
func TestAppendFromManyStores(t *testing.T) {
	root := t.TempDir()
	const writers, each = 8, 25
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(root, "u1")
			if err != nil {
				t.Error(err)
				return
			}
			for i := range each {
				if err := s.Append(NewTurn(time.Time{}, "user", fmt.Sprintf("w%d-%d", w, i))); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	s, _ := Open(root, "u1")
	got, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, turn := range got {
		seen[turn.Content]++
	}
	if len(got) != writers*each || len(seen) != writers*each {
		t.Fatalf("%d turns (%d distinct), want %d", len(got), len(seen), writers*each)
	}
}

func TestRemoveFirstKeepsLaterTurns(t *testing.T) {
	s, _ := Open(t.TempDir(), "u1")
	s.Append(NewTurn(at(0), "user", "a"), NewTurn(at(1), "assistant", "b"))
	read, _ := s.Load()
	s.Append(NewTurn(at(2), "user", "arrived during the consolidation"))
	if err := s.RemoveFirst(read); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Load()
	if len(got) != 1 || got[0].Content != "arrived during the consolidation" {
		t.Fatalf("after RemoveFirst: %+v", got)
	}
	// Turns that are not the store's first are never removed.
	err := s.RemoveFirst(read)
	if err == nil || !strings.Contains(err.Error(), "nothing removed") {
		t.Fatalf("RemoveFirst of turns no longer first: %v", err)
	}
	if again, _ := s.Load(); len(again) != 1 {
		t.Fatalf("a refused RemoveFirst changed the store: %+v", again)
	}
	if err := s.RemoveFirst(got); err != nil {
		t.Fatal(err)
	}
	if empty, err := s.Load(); err != nil || len(empty) != 0 {
		t.Fatalf("store after removing everything: %+v, %v", empty, err)
	}
}
