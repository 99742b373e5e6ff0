package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
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
//
// A token runs a few hundred parallel loops back to back (about seven
// matrix products per layer), each only tens of microseconds long. Waking a
// parked goroutine costs microseconds, so between loops the workers spin on
// a generation counter for a short while (spinWait) before they park, and
// the caller spins likewise while it waits for the last chunk.
type Pool struct {
	size    int
	workers []poolWorker
	mu      sync.Mutex // one parallel loop at a time

	// The loop being run; written under mu before gen is advanced.
	task  Task
	n     int
	grain int
	next  atomic.Int64

	gen     atomic.Uint64 // advanced once per parallel loop
	pending atomic.Int32  // helpers still in the current loop
	// callerParked is the generation whose end the caller sleeps on, 0 when
	// it does not sleep. Tagging it with the generation matters: a helper
	// that finished loop k and is delayed before it checks callerParked must
	// not wake a caller that is already waiting on loop k+1.
	callerParked atomic.Uint64
	done         chan struct{}
	timer        *time.Timer // the caller's re-check while parked (parkCheck)

	// afterPublish, when set (by tests only), runs between advancing the
	// generation and claiming parked workers: it stands for a caller that
	// is descheduled there, which is what a loaded machine or an emulator does.
	afterPublish func()

	poolOps
}

// poolWorker is one helper's parking place. A worker that gives up
// spinning stores parked and then re-reads the generation; the caller
// advances the generation and then claims parked workers with a CAS before
// sending on wake. One of the two always sees the other, so no wake-up is
// lost, and a worker that was still spinning is never sent a token.
type poolWorker struct {
	state atomic.Int32 // workerRunning or workerParked
	wake  chan struct{}
	timer *time.Timer // re-checks while parked: see parkCheck
	_     [48]byte    // keep workers' states on separate cache lines
}

// parkCheck is how often a parked worker, and a caller parked on its
// helpers, look again at the state they are waiting on. The hand-off above
// loses no wake-up; the re-check is a second line of defence, so that a
// wake-up lost to a future bug costs milliseconds rather than a hang. (The
// hangs once seen under load and under qemu were not lost wake-ups but a
// stale one run as a new loop: see work.) Idle workers wake this often only
// while the pool is in use: the interval doubles up to a second when idle.
const parkCheck = 2 * time.Millisecond

const (
	workerRunning = iota
	workerParked
)

// spinWait is how long an idle worker (or a waiting caller) polls before it
// parks. It covers the gaps between the parallel loops of one token (norms,
// residual adds: microseconds) and is short enough that an idle process
// stops using CPU at once. It pays only because the smallest products stay
// on one thread (matVecMinBytesPerWorker): were every small loop split,
// each would spin a worker that other load on the machine needs.
var spinWait = 50 * time.Microsecond

// NewPool starts a pool of size workers (at least 1), including the caller.
func NewPool(size int) *Pool {
	if size < 1 {
		size = 1
	}
	p := &Pool{size: size, workers: make([]poolWorker, size-1), done: make(chan struct{}, 1), timer: time.NewTimer(time.Hour)}
	p.timer.Stop()
	for i := range p.workers {
		p.workers[i].wake = make(chan struct{}, 1)
		p.workers[i].timer = time.NewTimer(time.Hour)
		p.workers[i].timer.Stop()
		go p.work(i + 1)
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
// handing a single chunk to a worker only adds latency.
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
	p.pending.Store(int32(p.size - 1))
	p.gen.Add(1)
	if p.afterPublish != nil {
		p.afterPublish()
	}
	for i := range p.workers {
		w := &p.workers[i]
		if w.state.CompareAndSwap(workerParked, workerRunning) {
			w.wake <- struct{}{}
		}
	}
	p.runChunks(0)
	p.waitHelpers(p.gen.Load())
	p.task = nil
	p.mu.Unlock()
}

// waitHelpers returns when every helper has left loop gen.
func (p *Pool) waitHelpers(gen uint64) {
	if spinUntil(func() bool { return p.pending.Load() == 0 }) {
		return
	}
	// Swap rather than Store, here and where a worker parks: each side stores
	// its flag and then loads the other's, which needs store→load order. Go's
	// atomics promise it; a read-modify-write makes it explicit, being a full
	// barrier on every architecture and under every emulator.
	p.callerParked.Swap(gen)
	if p.pending.Load() == 0 && p.callerParked.CompareAndSwap(gen, 0) {
		return
	}
	p.timer.Reset(parkCheck)
	defer p.timer.Stop()
	for {
		select {
		case <-p.done: // the last helper of loop gen claimed callerParked and sends
			return
		case <-p.timer.C:
		}
		if p.pending.Load() == 0 {
			if p.callerParked.CompareAndSwap(gen, 0) {
				return // the helpers are done and none claimed us: nothing will be sent
			}
			<-p.done // a helper claimed us: its token is on the way
			return
		}
		p.timer.Reset(parkCheck)
	}
}

// spinUntil polls cond for up to spinWait and reports whether it held.
func spinUntil(cond func() bool) bool {
	if cond() {
		return true
	}
	if spinWait <= 0 {
		return false
	}
	deadline := time.Now().Add(spinWait)
	for i := 1; ; i++ {
		if cond() {
			return true
		}
		if i%64 == 0 {
			if time.Now().After(deadline) {
				return false
			}
			if i%1024 == 0 {
				runtime.Gosched() // let other goroutines of this P run
			}
		}
	}
}

func (p *Pool) work(worker int) {
	w := &p.workers[worker-1]
	var seen uint64
	for {
		if !spinUntil(func() bool { return p.gen.Load() != seen }) {
			w.state.Swap(workerParked) // a full barrier: see waitHelpers
			if p.gen.Load() == seen || !w.state.CompareAndSwap(workerParked, workerRunning) {
				p.park(w, seen)
			}
		}
		// A wake-up can be stale: a caller descheduled between advancing the
		// generation and claiming parked workers may find this worker parked
		// again after it has already seen that loop by itself (spinning, or at
		// a re-check), run its chunks and reported done. Running the loop a
		// second time would report done twice: the pending count would go
		// below zero and the caller would wait for it forever (or return
		// early). So a worker runs a generation only once.
		cur := p.gen.Load() // cannot move on before this worker reports done
		if cur == seen {
			continue
		}
		seen = cur
		p.runChunks(worker)
		if p.pending.Add(-1) == 0 && p.callerParked.CompareAndSwap(seen, 0) {
			p.done <- struct{}{}
		}
	}
}

// park waits, as a parked worker, until the caller claims it (and sends on
// wake) or, at a re-check, a new loop has begun that the worker can claim
// itself.
func (p *Pool) park(w *poolWorker, seen uint64) {
	interval := parkCheck
	w.timer.Reset(interval)
	defer w.timer.Stop()
	for {
		select {
		case <-w.wake: // the caller claimed us and sends
			return
		case <-w.timer.C:
		}
		if p.gen.Load() != seen {
			if w.state.CompareAndSwap(workerParked, workerRunning) {
				return // we claimed ourselves: the caller will send nothing
			}
			<-w.wake // the caller claimed us: its token is on the way
			return
		}
		interval = min(2*interval, time.Second)
		w.timer.Reset(interval)
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
