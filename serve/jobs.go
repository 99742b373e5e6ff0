package serve

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/milp-lite/milp-lite/store"
	"github.com/milp-lite/milp-lite/worker"
)

// The kinds of job and their states, as the store keeps them.
const (
	jobPersonalise = store.JobPersonalise
	jobConsolidate = store.JobConsolidate

	jobQueued  = store.JobQueued
	jobRunning = store.JobRunning
	jobDone    = store.JobDone
	jobFailed  = store.JobFailed
)

type job = store.Job

// JobQueue hands jobs to workers elsewhere (`milp-lite worker`); without
// one the server runs them itself.
type JobQueue interface {
	Enqueue(ctx context.Context, jobID string) error
}

// jobRunner starts users' jobs, at most one a user at a time, and runs
// them on a bounded number of goroutines — or, given a JobQueue, leaves
// them to the workers. The store holds every job's record.
type jobRunner struct {
	s       *Server
	trainer *worker.Trainer
	queue   chan string // jobs this server runs
	remote  JobQueue

	mu sync.Mutex // a user's check for a running job and the new job's record
	wg sync.WaitGroup
}

func newJobRunner(s *Server) (*jobRunner, error) {
	r := &jobRunner{s: s, queue: make(chan string, 4096), remote: s.opts.Queue,
		trainer: &worker.Trainer{Model: s.model, ModelName: s.opts.ModelName, Setup: s.opts.Setup, Store: s.data, Log: s.log}}
	if r.remote != nil {
		return r, nil
	}
	jobs, err := s.data.Jobs(context.Background())
	if err != nil {
		return nil, err
	}
	for _, j := range jobs {
		if j.Active() {
			r.queue <- j.ID // a running one resumes from its journal
		}
	}
	return r, nil
}

// start runs n workers until ctx ends (a running job stops after its
// current trial, to be resumed by the next start).
func (r *jobRunner) start(ctx context.Context, n int) {
	if r.remote != nil {
		return
	}
	for range n {
		r.wg.Go(func() {
			for {
				select {
				case <-ctx.Done():
					return
				case id := <-r.queue:
					r.run(ctx, id)
				}
			}
		})
	}
}

// wait blocks until the workers have stopped.
func (r *jobRunner) wait() { r.wg.Wait() }

// add queues a job for user; a user with a job queued or running gets a
// conflict.
func (r *jobRunner) add(ctx context.Context, user, kind string, trials int) (*job, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if j, err := r.active(ctx, user); err != nil {
		return nil, err
	} else if j != nil {
		return nil, &apiError{Status: http.StatusConflict, Type: "invalid_request_error", Code: "job_exists",
			Message: fmt.Sprintf("user %q already has job %s %s", user, j.ID, j.State)}
	}
	var b [8]byte
	rand.Read(b[:])
	j := job{ID: "job-" + hex.EncodeToString(b[:]), User: user, Kind: kind, Trials: trials, State: jobQueued, Created: time.Now().UTC()}
	if err := r.s.data.PutJob(ctx, j); err != nil {
		return nil, err
	}
	var err error
	if r.remote != nil {
		err = r.remote.Enqueue(ctx, j.ID)
	} else {
		select {
		case r.queue <- j.ID:
		default:
			err = tooMany("the job queue is full; retry later", 60)
		}
	}
	if err != nil {
		failed := j
		failed.State, failed.Error = jobFailed, "not queued: "+err.Error()
		r.s.data.PutJob(ctx, failed)
		return nil, err
	}
	return &j, nil
}

// active is the user's job queued or running, if any.
func (r *jobRunner) active(ctx context.Context, user string) (*job, error) {
	jobs, err := r.s.data.UserJobs(ctx, user)
	if err != nil {
		return nil, err
	}
	for _, j := range jobs {
		if j.Active() {
			return &j, nil
		}
	}
	return nil, nil
}

// busy reports whether user has a job queued or running.
func (r *jobRunner) busy(ctx context.Context, user string) (bool, error) {
	j, err := r.active(ctx, user)
	return j != nil, err
}

// run runs one job to its end; the adapter it installed replaces the
// cached one.
func (r *jobRunner) run(ctx context.Context, id string) {
	j, err := r.trainer.Run(ctx, id)
	if err != nil {
		if ctx.Err() == nil {
			r.s.log.Error("job record not written", "job", id, "err", err)
		}
		return
	}
	r.s.adapters.drop(j.User)
	r.s.metrics.jobs.WithLabelValues(j.Kind, j.State).Inc()
}

// handleStartJob is POST /v1/users/{id}/jobs {"kind": ..., "trials": N}.
func (s *Server) handleStartJob(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := s.userID(r, c, true)
	if err != nil {
		return err
	}
	if err := s.existing(r, id); err != nil {
		return err
	}
	var req struct {
		Kind   string `json:"kind"`
		Trials int    `json:"trials"`
	}
	if err := decodeBody(w, r, 4096, &req); err != nil {
		return err
	}
	switch {
	case req.Kind != jobPersonalise && req.Kind != jobConsolidate:
		return badRequest("kind", "kind must be %q or %q, got %q", jobPersonalise, jobConsolidate, cut(req.Kind, 40))
	case req.Trials < 0 || req.Trials > 1000:
		return badRequest("trials", "trials must be 0 (the default) to 1000, got %d", req.Trials)
	}
	j, err := s.jobs.add(r.Context(), id, req.Kind, req.Trials)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, j)
	return nil
}

// handleGetJob is GET /v1/jobs/{job}.
func (s *Server) handleGetJob(w http.ResponseWriter, r *http.Request, c caller) error {
	j, err := s.data.Job(r.Context(), r.PathValue("job"))
	if errors.Is(err, store.ErrNotFound) || err == nil && !c.mayAct(j.User) {
		return notFound("no job %q", cut(r.PathValue("job"), 64))
	} else if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, j)
	return nil
}
