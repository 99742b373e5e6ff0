package serve

import (
	"context"
	"sync"

	"github.com/milp-lite/milp-lite/nn"
)

// engine runs one nn.Batch on one goroutine: requests add sequences from any
// goroutine and the loop steps the batch while anything is running or
// waiting, sleeping when nothing is.
type engine struct {
	batch *nn.Batch
	wake  chan struct{}

	mu       sync.Mutex
	inFlight int // sequences added and not yet done
	onStep   func(rows, active int)
}

func newEngine(m *nn.Model, o nn.BatchOptions) (*engine, error) {
	b, err := m.NewBatch(o)
	if err != nil {
		return nil, err
	}
	return &engine{batch: b, wake: make(chan struct{}, 1)}, nil
}

// submit queues s; Done closes when it has finished.
func (e *engine) submit(s *nn.Sequence) error {
	if err := e.batch.Add(s); err != nil {
		return err
	}
	e.mu.Lock()
	e.inFlight++
	e.mu.Unlock()
	go func() {
		<-s.Done()
		e.mu.Lock()
		e.inFlight--
		e.mu.Unlock()
	}()
	select {
	case e.wake <- struct{}{}:
	default:
	}
	return nil
}

// load is how many sequences are running or waiting.
func (e *engine) load() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.inFlight
}

// run steps the batch until ctx ends; then it cancels what is left and
// finishes it, so every sequence's Done closes.
func (e *engine) run(ctx context.Context) {
	for {
		left := e.batch.Step()
		if e.onStep != nil {
			e.onStep(e.batch.StepRows(), e.batch.Active())
		}
		if left > 0 {
			if ctx.Err() != nil {
				e.batch.CancelAll()
			}
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-e.wake:
		}
	}
}
