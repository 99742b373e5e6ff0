package kernels

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// TestPoolCoversEveryIndexOnce runs loops of many sizes and grains and counts
// how often each index is visited.
func TestPoolCoversEveryIndexOnce(t *testing.T) {
	for _, size := range []int{1, 2, 3, 8} {
		p := NewPool(size)
		for _, n := range []int{0, 1, 7, 64, 1000} {
			for _, grain := range []int{1, 3, 64, 5000} {
				counts := make([]atomic.Int32, n)
				var maxWorker atomic.Int32
				p.For(n, grain, TaskFunc(func(lo, hi, w int) {
					if int32(w) > maxWorker.Load() {
						maxWorker.Store(int32(w))
					}
					for i := lo; i < hi; i++ {
						counts[i].Add(1)
					}
				}))
				for i := range counts {
					if c := counts[i].Load(); c != 1 {
						t.Fatalf("pool %d, n %d, grain %d: index %d visited %d times", size, n, grain, i, c)
					}
				}
				if int(maxWorker.Load()) >= size {
					t.Fatalf("worker index %d from a pool of %d", maxWorker.Load(), size)
				}
			}
		}
	}
}

// TestPoolStaleWakeUp deschedules the caller between publishing a loop and
// claiming parked workers, long enough for every helper to see the loop by
// itself, run it and park again. The caller's claim then wakes a helper for a
// loop it has already run; the pool must neither run it twice (the pending
// count would go below zero: the next wait never ends, or one ends before
// its chunks are done) nor lose the helper for later loops.
func TestPoolStaleWakeUp(t *testing.T) {
	for _, size := range []int{2, 3} {
		p := NewPool(size)
		p.afterPublish = func() { time.Sleep(3 * spinWait) }
		finished := make(chan string, 1)
		go func() {
			for loop := range 40 {
				const n = 64
				var done atomic.Int32
				p.For(n, 1, TaskFunc(func(lo, hi, _ int) {
					time.Sleep(time.Microsecond)
					done.Add(int32(hi - lo))
				}))
				if got := done.Load(); got != n {
					finished <- fmt.Sprintf("loop %d returned with %d of %d indices done", loop, got, n)
					return
				}
				if got := p.pending.Load(); got != 0 {
					finished <- fmt.Sprintf("loop %d left the pending count at %d", loop, got)
					return
				}
			}
			finished <- ""
		}()
		select {
		case msg := <-finished:
			if msg != "" {
				t.Fatalf("pool of %d: %s", size, msg)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("pool of %d: a loop never finished (helpers reported done twice?)", size)
		}
	}
}
