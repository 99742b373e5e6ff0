package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Task is a unit of parallel work over the index range [0, n): Do is called on
// disjoint chunks [lo, hi) by the pool's workers. worker (0 ≤ worker < Pool.Size)
// names the calling worker so a task can keep per-worker scratch without locking.
//
// Tasks are interfaces rather than closures so that a caller can keep one task
// value per operation, preallocated, and hand it to the pool on every token
// without an allocation.
type Task interface {
	Do(lo, hi, worker int)
}

// TaskFunc adapts a function to Task, for code that is not on a hot path.
type TaskFunc func(lo, hi, worker int)

// Do calls f.
func (f TaskFunc) Do(lo, hi, worker int) { f(lo, hi, worker) }

// Pool is a fixed set of persistent worker goroutines. The goroutine that calls
// For takes part as worker 0, so a pool of size n starts n-1 goroutines, once.
// Work is handed out in chunks from an atomic counter, so fast workers take more
// chunks and no worker waits on a slow static partition.
type Pool struct {
	size int
	wake []chan struct{}
	mu   sync.Mutex // one parallel loop at a time
	done sync.WaitGroup

	// The loop being run; written under mu before workers are woken.
	task  Task
	n     int
	grain int
	next  atomic.Int64

	poolOps
}

// NewPool starts a pool of size workers (at least 1), including the caller.
func NewPool(size int) *Pool {
	if size < 1 {
		size = 1
	}
	p := &Pool{size: size, wake: make([]chan struct{}, size-1)}
	for i := range p.wake {
		p.wake[i] = make(chan struct{}, 1)
		go p.work(i+1, p.wake[i])
	}
	return p
}

var (
	defaultPool     *Pool
	defaultPoolOnce sync.Once
)

// Default is the process-wide pool, sized by GOMAXPROCS when first used.
func Default() *Pool {
	defaultPoolOnce.Do(func() { defaultPool = NewPool(runtime.GOMAXPROCS(0)) })
	return defaultPool
}

// SetDefaultSize replaces the process-wide pool with one of n workers (n < 1:
// GOMAXPROCS). Call it before any work starts, e.g. for a --threads flag.
func SetDefaultSize(n int) {
	if n < 1 {
		n = runtime.GOMAXPROCS(0)
	}
	defaultPoolOnce.Do(func() {})
	defaultPool = NewPool(n)
}

// Size is the number of workers, the caller included.
func (p *Pool) Size() int { return p.size }

// For runs t over [0, n) in chunks of grain indices (the last may be shorter)
// and returns when every chunk is done. Small loops run on the caller alone:
// waking a worker costs microseconds, more than a tiny chunk of work.
func (p *Pool) For(n, grain int, t Task) {
	if n <= 0 {
		return
	}
	if grain < 1 {
		grain = 1
	}
	chunks := (n + grain - 1) / grain
	if chunks == 1 || p.size == 1 {
		t.Do(0, n, 0)
		return
	}
	p.mu.Lock()
	p.task, p.n, p.grain = t, n, grain
	p.next.Store(0)
	helpers := min(p.size-1, chunks-1)
	p.done.Add(helpers)
	for i := 0; i < helpers; i++ {
		p.wake[i] <- struct{}{}
	}
	p.runChunks(0)
	p.done.Wait()
	p.task = nil
	p.mu.Unlock()
}

func (p *Pool) work(worker int, wake chan struct{}) {
	for range wake {
		p.runChunks(worker)
		p.done.Done()
	}
}

func (p *Pool) runChunks(worker int) {
	for {
		lo := int(p.next.Add(int64(p.grain))) - p.grain
		if lo >= p.n {
			return
		}
		p.task.Do(lo, min(lo+p.grain, p.n), worker)
	}
}
