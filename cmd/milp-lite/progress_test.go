package main

import (
	"strings"
	"testing"
	"time"
)

// TestOverallProgress: the overall line counts users × trials, and the ETA
// is the pace so far times what is left; a user whose search stopped early
// counts as done.
func TestOverallProgress(t *testing.T) {
	p := newOverallProgress(3, 4)
	now := p.start
	p.now = func() time.Time { return now }
	now = now.Add(30 * time.Second)
	if got := p.trial(0); got != "[overall] 1/12 trials (8%), 30s elapsed, about 5m30s left" {
		t.Errorf("after one trial: %q", got)
	}
	now = now.Add(30 * time.Second)
	p.trial(0)
	// User 0's search ran out of time after 2 of its 4 trials.
	if got := p.userDone(0); got != "[overall] 4/12 trials (33%), 1m0s elapsed, about 2m0s left" {
		t.Errorf("after user 0: %q", got)
	}
	for range 10 { // more reports than a user has trials never count past it
		p.trial(1)
	}
	if !strings.HasPrefix(p.line(), "[overall] 8/12 trials") {
		t.Errorf("after user 1: %q", p.line())
	}
	if got := eta(time.Minute, 0, 5); got != "time left unknown" {
		t.Errorf("eta before anything is done: %q", got)
	}
}
