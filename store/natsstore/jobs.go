package natsstore

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/milp-lite/milp-lite/milp"
	"github.com/milp-lite/milp-lite/store"
)

func (s *Store) PutJob(ctx context.Context, j store.Job) error {
	if err := store.CheckJobID(j.ID); err != nil {
		return err
	}
	if err := milp.CheckUserID(j.User); err != nil {
		return err
	}
	data, err := json.Marshal(j)
	if err != nil {
		return err
	}
	// The user's index first, as for keys: DeleteUser finds every job.
	if err := s.put(ctx, userJobKey(j.User, j.ID), nil); err != nil {
		return err
	}
	return s.put(ctx, "job."+j.ID, data)
}

func userJobKey(user, job string) string { return "userjob." + tok(user) + "." + tok(job) }

// UserJobs reads the user's index and then each record.
func (s *Store) UserJobs(ctx context.Context, user string) ([]store.Job, error) {
	if err := milp.CheckUserID(user); err != nil {
		return nil, err
	}
	keys, err := s.keys(ctx, "userjob."+tok(user)+".*")
	if err != nil {
		return nil, err
	}
	var jobs []store.Job
	for _, k := range keys {
		id, err := hex.DecodeString(k[strings.LastIndexByte(k, '.')+1:])
		if err != nil {
			continue
		}
		j, err := s.Job(ctx, string(id))
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, j)
	}
	return jobs, nil
}

func (s *Store) Job(ctx context.Context, id string) (store.Job, error) {
	var j store.Job
	if store.CheckJobID(id) != nil {
		return j, fmt.Errorf("job %q: %w", id, store.ErrNotFound)
	}
	v, _, err := s.get(ctx, "job."+id)
	if err == nil && v == nil {
		err = fmt.Errorf("job %q: %w", id, store.ErrNotFound)
	}
	if err == nil {
		err = json.Unmarshal(v, &j)
	}
	return j, err
}

// Jobs reads every record through one watch, which sends the current
// values and then a nil marker.
func (s *Store) Jobs(ctx context.Context) ([]store.Job, error) {
	var jobs []store.Job
	err := retry(ctx, func(ctx context.Context) error {
		jobs = jobs[:0]
		w, err := s.kv.Watch(ctx, "job.>", jetstream.IgnoreDeletes())
		if err != nil {
			return err
		}
		defer w.Stop()
		for {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case e, ok := <-w.Updates():
				if !ok {
					return errors.New("the watch of the job records closed before it sent them all")
				}
				if e == nil { // every current record sent
					return nil
				}
				var j store.Job
				if json.Unmarshal(e.Value(), &j) == nil {
					jobs = append(jobs, j)
				}
			}
		}
	})
	return jobs, err
}

// Enqueue hands a job to the workers. The job's ID is the message's, so
// a job enqueued twice is queued once.
func (s *Store) Enqueue(ctx context.Context, jobID string) error {
	return retry(ctx, func(ctx context.Context) error {
		_, err := s.js.Publish(ctx, jobsSubject, []byte(jobID), jetstream.WithMsgID(jobID))
		return err
	})
}

// workersConsumer is the durable consumer every worker pulls from: each
// job goes to one worker at a time, and back to the queue when that
// worker stops renewing its lease.
const workersConsumer = "milp-workers"

// Queue is the workers' side of the job queue.
type Queue struct {
	cons jetstream.Consumer
}

// Workers opens the queue for a worker. A job not acknowledged, nor
// marked in progress, within lease goes to another worker.
func (s *Store) Workers(ctx context.Context, lease time.Duration) (*Queue, error) {
	var cons jetstream.Consumer
	err := retry(ctx, func(ctx context.Context) (err error) {
		cons, err = s.js.CreateOrUpdateConsumer(ctx, jobsStream, jetstream.ConsumerConfig{Durable: workersConsumer,
			AckPolicy: jetstream.AckExplicitPolicy, AckWait: lease, MaxDeliver: -1, Description: "milp-lite workers"})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &Queue{cons: cons}, nil
}

// Lease is one job a worker holds.
type Lease struct {
	jobID string
	msg   jetstream.Msg
}

// JobID is the job's ID.
func (l *Lease) JobID() string { return l.jobID }

// Next waits up to wait for a job (nil: none came). Its result is
// worker.Lease, spelled out.
func (q *Queue) Next(ctx context.Context, wait time.Duration) (interface {
	JobID() string
	Renew() error
	Done(ctx context.Context) error
}, error) {
	batch, err := q.cons.Fetch(1, jetstream.FetchMaxWait(wait))
	if err != nil {
		if transient(err) {
			return nil, nil
		}
		return nil, err
	}
	for msg := range batch.Messages() {
		return &Lease{jobID: string(msg.Data()), msg: msg}, nil
	}
	if err := batch.Error(); err != nil && !transient(err) {
		return nil, err
	}
	return nil, nil
}

// Renew tells the server the job is still being worked on.
func (l *Lease) Renew() error { return l.msg.InProgress() }

// Done acknowledges the job, waiting for the server to confirm: it then
// never comes back.
func (l *Lease) Done(ctx context.Context) error {
	return retry(ctx, func(ctx context.Context) error { return l.msg.DoubleAck(ctx) })
}
