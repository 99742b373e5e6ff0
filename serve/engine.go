package serve

import (
	"context"
	"sync/atomic"

	"github.com/milp-lite/milp-lite/nn"
)

// engine runs one nn.Batch on one goroutine: requests add sequences from any
// goroutine and the loop steps the batch while anything is running or
// waiting, sleeping when nothing is.
type engine struct {
	batch *nn.Batch
	wake  chan struct{}

	// inFlight counts sequences submitted and not yet retired. The request
	// that submitted a sequence already waits for its Done, so it retires
	// it: no goroutine per request to watch for the end.
	inFlight atomic.Int64
	onStep   func(rows, active int)
}

func newEngine(m *nn.Model, o nn.BatchOptions) (*engine, error) {
	b, err := m.NewBatch(o)
	if err != nil {
		return nil, err
	}
	return &engine{batch: b, wake: make(chan struct{}, 1)}, nil
}

// submit queues s; Done closes when it has finished. Every sequence
// submitted without error is retired once by its submitter.
func (e *engine) submit(s *nn.Sequence) error {
	if err := e.batch.Add(s); err != nil {
		return err
	}
	e.inFlight.Add(1)
	select {
	case e.wake <- struct{}{}:
	default:
	}
	return nil
}

// retire waits for s to finish (it is cancelled or done already when its
// request ends) and stops counting it.
func (e *engine) retire(s *nn.Sequence) {
	<-s.Done()
	e.inFlight.Add(-1)
}

// load is how many sequences are running or waiting.
func (e *engine) load() int { return int(e.inFlight.Load()) }

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
