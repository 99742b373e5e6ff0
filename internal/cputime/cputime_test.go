package cputime

import (
	"testing"
	"time"
)

// TestProcessCountsWork: a busy loop adds CPU time (where the system
// reports it), and ProcessOrWall never runs backwards.
func TestProcessCountsWork(t *testing.T) {
	before, ok := Process()
	w0 := ProcessOrWall()
	x := 1.0
	for start := time.Now(); time.Since(start) < 50*time.Millisecond; {
		x = x*1.0000001 + 1e-9
	}
	after, _ := Process()
	if ok && after <= before {
		t.Fatalf("50 ms of work: CPU time %v then %v (x %v)", before, after, x)
	}
	if w1 := ProcessOrWall(); w1 < w0 {
		t.Fatalf("ProcessOrWall ran backwards: %v then %v", w0, w1)
	}
}
