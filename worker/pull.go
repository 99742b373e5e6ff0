package worker

import (
	"context"
	"errors"
	"time"

	"github.com/milp-lite/milp-lite/store"
)

// Queue is where a worker pulls jobs from (natsstore.Queue's shape).
type Queue interface {
	// Next waits up to wait for a job; nil, nil when none came.
	Next(ctx context.Context, wait time.Duration) (Lease, error)
}

// Lease is a job a worker holds until it acknowledges it; one neither
// acknowledged nor renewed within the queue's lease goes to another worker.
// An alias of the interface, so a queue package can return it without
// importing this one (store/natsstore sits below worker).
type Lease = interface {
	JobID() string
	Renew() error
	Done(ctx context.Context) error
}

// Pull runs jobs from q until ctx ends, renewing each lease every renew
// while it trains, and acknowledging a job only once its record says done
// or failed (so after its adapter and report are stored). A job stopped by
// ctx is left unacknowledged: the queue gives it to another worker, which
// resumes it from its journal.
func (tr *Trainer) Pull(ctx context.Context, q Queue, renew time.Duration) error {
	for ctx.Err() == nil {
		l, err := q.Next(ctx, 5*time.Second)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			tr.logWarn("pulling a job failed; trying again", err)
			time.Sleep(time.Second)
			continue
		}
		if l == nil {
			continue
		}
		tr.runLeased(ctx, l, renew)
	}
	return nil
}

func (tr *Trainer) runLeased(ctx context.Context, l Lease, renew time.Duration) {
	stop := make(chan struct{})
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		t := time.NewTicker(renew)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				if err := l.Renew(); err != nil {
					tr.logWarn("renewing the lease of job "+l.JobID()+" failed", err)
				}
			}
		}
	}()
	j, err := tr.Run(ctx, l.JobID())
	close(stop)
	<-renewed
	switch {
	case errors.Is(err, store.ErrNotFound):
		// Its user was deleted: nothing to do, ever.
	case err != nil:
		if ctx.Err() == nil {
			tr.logWarn("job "+l.JobID()+" left for another worker", err)
		}
		return
	case j.Active():
		return // stopped before its end
	}
	if err := l.Done(context.WithoutCancel(ctx)); err != nil {
		tr.logWarn("acknowledging job "+l.JobID()+" failed (it will come back, and find itself done)", err)
	}
}

func (tr *Trainer) logWarn(msg string, err error) {
	if tr.Log != nil {
		tr.Log.Warn(msg, "node", tr.Node, "err", err)
	}
}
