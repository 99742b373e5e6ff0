// Package worker runs users' training jobs against a store.Store: the
// server's own threads on one machine, and `milp-lite worker` processes
// pulling jobs from NATS JetStream in a cluster. A job trains in a scratch
// folder and writes what it makes back to the store step by step — the
// search journal after every trial, the adapter once, under the job's
// name — so a job interrupted anywhere is resumed by whoever takes it up
// next, without running a finished trial again or publishing twice.
package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/milp-lite/milp-lite/memory"
	"github.com/milp-lite/milp-lite/milp"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/store"
	"github.com/milp-lite/milp-lite/userdata"
)

// Trainer runs jobs for one model against one store.
type Trainer struct {
	Model     *nn.Model
	ModelName string
	Setup     milp.Setup
	Store     store.Store
	Node      string // recorded in the jobs it runs
	Log       *slog.Logger
	// OnTrial, if set, is told after each trial is stored (a worker renews
	// its lease on the job there).
	OnTrial func(j store.Job)
}

// Run takes job id to its end — done, or failed with the reason — and
// returns the final record. An error is returned only when the record could
// not be read or written: the job is then left for a retry.
func (tr *Trainer) Run(ctx context.Context, id string) (store.Job, error) {
	j, err := tr.Store.Job(ctx, id)
	if err != nil {
		return j, err
	}
	if !j.Active() {
		return j, nil // finished already (a redelivered message)
	}
	if j.State == store.JobRunning { // taken up after whoever ran it stopped
		j.Resumes++
	}
	if j.Started == nil {
		now := time.Now().UTC()
		prev, err := tr.Store.AdapterInfo(ctx, j.User)
		if err != nil {
			return j, err
		}
		j.Started, j.After = &now, prev.Version
	}
	j.State, j.Node = store.JobRunning, tr.Node
	if err := tr.Store.PutJob(ctx, j); err != nil {
		return j, err
	}
	start := time.Now()
	var info store.AdapterInfo
	switch j.Kind {
	case store.JobConsolidate:
		info, err = tr.consolidate(ctx, &j)
	default:
		info, err = tr.personalise(ctx, &j)
	}
	if ctx.Err() != nil {
		return j, ctx.Err() // stopped, not failed: the next taker resumes it
	}
	end := time.Now().UTC()
	j.Finished, j.Moving = &end, nil
	if err != nil {
		j.State, j.Error = store.JobFailed, err.Error()
	} else {
		j.State, j.AdapterVersion = store.JobDone, info.Version
	}
	if tr.Log != nil {
		tr.Log.Info("job finished", "job", j.ID, "user", j.User, "kind", j.Kind, "state", j.State,
			"adapter_version", j.AdapterVersion, "resumes", j.Resumes, "seconds", time.Since(start).Seconds(), "err", err)
	}
	return j, tr.Store.PutJob(ctx, j)
}

// scratch is a folder laid out as milp.Store with the user's history (and
// last report, for its placement) from the store.
func (tr *Trainer) scratch(ctx context.Context, user string) (milp.Store, userdata.User, func(), error) {
	dir, err := os.MkdirTemp("", "milp-job-")
	if err != nil {
		return milp.Store{}, userdata.User{}, nil, err
	}
	done := func() { os.RemoveAll(dir) }
	ms := milp.Store{Root: dir}
	u, err := tr.Store.History(ctx, user)
	if err == nil && len(u.Conversations) > 0 {
		err = userdata.Save(ms.UsersDir(), []userdata.User{u})
	}
	if err == nil {
		err = os.MkdirAll(ms.UserDir(user), 0o755)
	}
	if err == nil {
		var rep []byte
		if rep, err = tr.Store.Report(ctx, user); err == nil {
			err = os.WriteFile(ms.ReportPath(user), rep, 0o644)
		} else if errors.Is(err, store.ErrNotFound) {
			err = nil
		}
	}
	if err != nil {
		done()
		return ms, u, nil, err
	}
	return ms, u, done, nil
}

// personalise searches the user's memory, resuming from the journal the
// store holds when the job ran before.
func (tr *Trainer) personalise(ctx context.Context, j *store.Job) (store.AdapterInfo, error) {
	ms, u, done, err := tr.scratch(ctx, j.User)
	if err != nil {
		return store.AdapterInfo{}, err
	}
	defer done()
	if len(u.Conversations) == 0 {
		return store.AdapterInfo{}, fmt.Errorf("user %s has no history to learn from (POST /v1/users/%s/history)", j.User, j.User)
	}
	resume := j.Resumes > 0
	if resume {
		journal, err := tr.Store.Journal(ctx, j.User)
		if err != nil {
			return store.AdapterInfo{}, err
		}
		if journal != nil {
			if err := os.WriteFile(ms.JournalPath(j.User), journal, 0o644); err != nil {
				return store.AdapterInfo{}, err
			}
		}
	} else if err := tr.Store.PutJournal(ctx, j.User, nil); err != nil {
		return store.AdapterInfo{}, err
	}
	o := milp.PersonaliseOptions{Setup: tr.Setup, Resume: resume, ModelName: tr.ModelName}
	if j.Trials > 0 {
		// Trials asked for are run: the training budget does not cut them.
		o.Search.Trials, o.Search.Budget = j.Trials, 0
		o.Search.InitialTrials = min(o.Search.InitialTrials, j.Trials)
	}
	var saveErr error
	o.Search.OnTrial = func(t milp.TrialReport) {
		if saveErr != nil {
			return
		}
		// The journal first: a record saying a trial is done is never ahead
		// of the journal that lets a resumed job skip it.
		journal, err := os.ReadFile(ms.JournalPath(j.User))
		if err == nil {
			err = tr.Store.PutJournal(ctx, j.User, journal)
		}
		if err == nil {
			j.TrialsRun++
			j.Progress = &store.JobProgress{Done: t.ID + 1, Total: o.Search.Trials, Message: fmt.Sprintf("trial %d: %s", t.ID+1, t.Placement)}
			err = tr.Store.PutJob(ctx, *j)
		}
		saveErr = err
		if tr.OnTrial != nil {
			tr.OnTrial(*j)
		}
	}
	if _, err := milp.Personalise(tr.Model, ms, u, o); err != nil {
		return store.AdapterInfo{}, err
	}
	if saveErr != nil {
		return store.AdapterInfo{}, saveErr
	}
	if ctx.Err() != nil {
		return store.AdapterInfo{}, ctx.Err()
	}
	rep, err := os.ReadFile(ms.ReportPath(j.User))
	if err != nil {
		return store.AdapterInfo{}, err
	}
	if err := tr.Store.PutReport(ctx, j.User, rep); err != nil {
		return store.AdapterInfo{}, err
	}
	return tr.publish(ctx, j, ms.AdapterPath(j.User), store.JobPersonalise)
}

// publish installs the adapter the job made as version j.After+1 — or
// finds it there already, when a previous run of this job published it.
func (tr *Trainer) publish(ctx context.Context, j *store.Job, path, source string) (store.AdapterInfo, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return store.AdapterInfo{}, err
	}
	info, err := tr.Store.PutAdapter(ctx, j.User, data, store.AdapterInfo{Source: source, Job: j.ID}, j.After)
	if errors.Is(err, store.ErrConflict) {
		err = fmt.Errorf("a newer adapter (version %d) was installed while this job ran; it was kept: %w", info.Version, err)
	}
	return info, err
}

// consolidate moves the user's short-term memory into their history and
// retrains the adapter on it. The turns it moves are recorded in the job
// first, so a resumed job moves those same turns and no others.
func (tr *Trainer) consolidate(ctx context.Context, j *store.Job) (store.AdapterInfo, error) {
	if !j.Moved {
		if j.Moving == nil {
			turns, err := tr.Store.ShortTerm(ctx, j.User)
			if err != nil {
				return store.AdapterInfo{}, err
			}
			j.Moving = append([]memory.Turn{}, turns...)
			if err := tr.Store.PutJob(ctx, *j); err != nil {
				return store.AdapterInfo{}, err
			}
		}
		if conv := milp.ConversationOf(j.Moving); len(conv.Messages) > 0 {
			if _, err := tr.Store.AppendHistory(ctx, j.User, []userdata.Conversation{conv}); err != nil {
				return store.AdapterInfo{}, err
			}
		}
		j.Moved = true
		if err := tr.Store.PutJob(ctx, *j); err != nil {
			return store.AdapterInfo{}, err
		}
	}
	if err := tr.Store.RemoveShortTerm(ctx, j.User, j.Moving); err != nil {
		return store.AdapterInfo{}, err
	}
	ms, u, done, err := tr.scratch(ctx, j.User)
	if err != nil {
		return store.AdapterInfo{}, err
	}
	defer done()
	if len(u.Conversations) == 0 {
		return store.AdapterInfo{}, fmt.Errorf("user %s has no history and nothing in short-term memory", j.User)
	}
	p, err := milp.LastPlacement(ms, j.User)
	if err != nil {
		p = milp.FixedPlacement(tr.Model.Config.Layers)
	}
	h, err := milp.PrepareHistory(tr.Model, u.Conversations, tr.Setup.Recipe.TrainCtx)
	if err != nil {
		return store.AdapterInfo{}, fmt.Errorf("user %s: %w", j.User, err)
	}
	adapter, _, err := milp.Fit(tr.Model, h, p, tr.Setup.Recipe)
	if err != nil {
		return store.AdapterInfo{}, err
	}
	path := filepath.Join(ms.Root, "consolidated.gguf")
	if err := adapter.Save(path); err != nil {
		return store.AdapterInfo{}, err
	}
	return tr.publish(ctx, j, path, store.JobConsolidate)
}
