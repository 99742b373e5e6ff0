package serve

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/milp-lite/milp-lite/internal/atomicfile"
	"github.com/milp-lite/milp-lite/milp"
	"github.com/milp-lite/milp-lite/userdata"
)

// The kinds of job and their states.
const (
	jobPersonalise = "personalise" // the main job's search for one user
	jobConsolidate = "consolidate" // short-term memory into the adapter

	jobQueued  = "queued"
	jobRunning = "running"
	jobDone    = "done"
	jobFailed  = "failed"
)

// job is one user's training job, kept as <store>/jobs/<id>.json so that a
// restarted server resumes it (a personalisation from its search journal).
type job struct {
	ID             string       `json:"id"`
	User           string       `json:"user"`
	Kind           string       `json:"kind"`
	Trials         int          `json:"trials,omitempty"`
	State          string       `json:"state"`
	Progress       *jobProgress `json:"progress,omitempty"`
	Error          string       `json:"error,omitempty"`
	AdapterVersion int          `json:"adapter_version,omitempty"`
	Created        time.Time    `json:"created"`
	Started        *time.Time   `json:"started,omitempty"`
	Finished       *time.Time   `json:"finished,omitempty"`
	Resumes        int          `json:"resumes,omitempty"` // how often a restart took it up again
}

type jobProgress struct {
	Done    int    `json:"done"`
	Total   int    `json:"total"`
	Message string `json:"message,omitempty"`
}

// jobRunner runs jobs on a bounded number of goroutines, at most one job a
// user at a time.
type jobRunner struct {
	s     *Server
	dir   string
	queue chan string

	mu   sync.Mutex
	jobs map[string]*job
	wg   sync.WaitGroup
}

func newJobRunner(s *Server) (*jobRunner, error) {
	r := &jobRunner{s: s, dir: filepath.Join(s.store.Root, "jobs"), queue: make(chan string, 4096), jobs: map[string]*job{}}
	entries, err := os.ReadDir(r.dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(r.dir, e.Name()))
		if err != nil {
			return nil, err
		}
		var j job
		if err := json.Unmarshal(data, &j); err != nil {
			s.log.Warn("unreadable job record set aside", "file", e.Name(), "err", err)
			continue
		}
		r.jobs[j.ID] = &j
		if j.State == jobQueued || j.State == jobRunning {
			if j.State == jobRunning {
				j.Resumes++
			}
			j.State = jobQueued
			r.queue <- j.ID
		}
	}
	return r, nil
}

// start runs n workers until ctx ends (a running job finishes first).
func (r *jobRunner) start(ctx context.Context, n int) {
	for range n {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case id := <-r.queue:
					r.run(id)
				}
			}
		}()
	}
}

// wait blocks until the workers have stopped.
func (r *jobRunner) wait() { r.wg.Wait() }

// add queues a job for user; a user with a job queued or running gets a
// conflict.
func (r *jobRunner) add(user, kind string, trials int) (*job, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, j := range r.jobs {
		if j.User == user && (j.State == jobQueued || j.State == jobRunning) {
			return nil, &apiError{Status: http.StatusConflict, Type: "invalid_request_error", Code: "job_exists",
				Message: fmt.Sprintf("user %q already has job %s %s", user, j.ID, j.State)}
		}
	}
	var b [8]byte
	rand.Read(b[:])
	j := &job{ID: "job-" + hex.EncodeToString(b[:]), User: user, Kind: kind, Trials: trials, State: jobQueued, Created: time.Now().UTC()}
	if err := r.saveLocked(j); err != nil {
		return nil, err
	}
	r.jobs[j.ID] = j
	queued := *j // what the caller sees: the runner changes j from now on
	select {
	case r.queue <- j.ID:
	default:
		j.State, j.Error = jobFailed, "the job queue is full"
		r.saveLocked(j)
		return nil, tooMany("the job queue is full; retry later", 60)
	}
	return &queued, nil
}

// get is a copy of the job.
func (r *jobRunner) get(id string) (job, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	j, ok := r.jobs[id]
	if !ok {
		return job{}, false
	}
	return *j, true
}

// busy reports whether user has a job queued or running.
func (r *jobRunner) busy(user string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, j := range r.jobs {
		if j.User == user && (j.State == jobQueued || j.State == jobRunning) {
			return true
		}
	}
	return false
}

// forget removes every record of the user's jobs.
func (r *jobRunner) forget(user string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, j := range r.jobs {
		if j.User == user {
			if err := os.Remove(filepath.Join(r.dir, id+".json")); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			delete(r.jobs, id)
		}
	}
	return nil
}

// update changes a job under the lock and saves it.
func (r *jobRunner) update(id string, fn func(j *job)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	j, ok := r.jobs[id]
	if !ok {
		return
	}
	fn(j)
	if err := r.saveLocked(j); err != nil {
		r.s.log.Error("job record not written", "job", id, "err", err)
	}
}

func (r *jobRunner) saveLocked(j *job) error {
	if err := os.MkdirAll(r.dir, 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(r.dir, j.ID+".json"), append(data, '\n'))
}

// run runs one job to its end and installs the adapter it made.
func (r *jobRunner) run(id string) {
	j, ok := r.get(id)
	if !ok || j.State != jobQueued {
		return // deleted with its user meanwhile
	}
	now := time.Now().UTC()
	r.update(id, func(j *job) { j.State, j.Started = jobRunning, &now })
	r.s.metrics.jobs.WithLabelValues(j.Kind, jobRunning).Inc()
	prev, err := readAdapterInfo(r.s.store, j.User)
	var source string
	if err == nil {
		source, err = r.train(j)
	}
	var version int
	if err == nil {
		if version, err = installAdapter(r.s.store, j.User, prev.Version, source, nil); err == nil {
			r.s.adapters.drop(j.User)
		}
	}
	end := time.Now().UTC()
	r.update(id, func(j *job) {
		j.Finished = &end
		if err != nil {
			j.State, j.Error = jobFailed, err.Error()
			return
		}
		j.State, j.AdapterVersion = jobDone, version
	})
	state := jobDone
	if err != nil {
		state = jobFailed
	}
	r.s.metrics.jobs.WithLabelValues(j.Kind, state).Inc()
	r.s.log.Info("job finished", "job", id, "user", j.User, "kind", j.Kind, "state", state, "adapter_version", version,
		"seconds", end.Sub(now).Seconds(), "err", err)
}

// train does the job's training; the adapter file is written by milp.
func (r *jobRunner) train(j job) (string, error) {
	s := r.s
	switch j.Kind {
	case jobConsolidate:
		_, err := milp.Consolidate(s.model, s.store, j.User, s.opts.Setup.Recipe)
		return jobConsolidate, err
	default:
		u, err := userdata.LoadUser(s.store.UsersDir(), j.User)
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("user %s has no history to learn from (POST /v1/users/%s/history)", j.User, j.User)
		}
		if err != nil {
			return "", err
		}
		o := milp.PersonaliseOptions{Setup: s.opts.Setup, Resume: j.Resumes > 0, ModelName: s.opts.ModelName}
		if j.Trials > 0 {
			o.Search.Trials = j.Trials
			o.Search.InitialTrials = min(o.Search.InitialTrials, j.Trials)
		}
		total := o.Search.Trials
		o.Search.OnTrial = func(t milp.TrialReport) {
			r.update(j.ID, func(j *job) {
				j.Progress = &jobProgress{Done: t.ID + 1, Total: total, Message: fmt.Sprintf("trial %d: %s", t.ID+1, t.Placement)}
			})
		}
		_, err = milp.Personalise(s.model, s.store, u, o)
		return jobPersonalise, err
	}
}

// handleStartJob is POST /v1/users/{id}/jobs {"kind": ..., "trials": N}.
func (s *Server) handleStartJob(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := s.userID(r, c, true)
	if err != nil {
		return err
	}
	if err := s.existing(id); err != nil {
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
	j, err := s.jobs.add(id, req.Kind, req.Trials)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, j)
	return nil
}

// handleGetJob is GET /v1/jobs/{job}.
func (s *Server) handleGetJob(w http.ResponseWriter, r *http.Request, c caller) error {
	j, ok := s.jobs.get(r.PathValue("job"))
	if !ok || !c.mayAct(j.User) {
		return notFound("no job %q", cut(r.PathValue("job"), 64))
	}
	writeJSON(w, http.StatusOK, j)
	return nil
}
