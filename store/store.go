// Package store is what a milp-lite server keeps for its users — accounts,
// key hashes, histories, short-term memories, adapters and their versions,
// reports, jobs and their search journals — behind one interface, with two
// implementations: Dir, the one-machine store on a local folder (the
// default, the layout package milp describes), and package
// store/jetstream, a store shared by many serve nodes and workers through
// NATS JetStream. Package store/storetest is the contract both pass.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/milp-lite/milp-lite/memory"
	"github.com/milp-lite/milp-lite/userdata"
)

// Errors a Store wraps, for callers to test with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrExists   = errors.New("already exists")
	// ErrConflict is a write made against a version that is no longer the
	// current one (another writer went first).
	ErrConflict = errors.New("version conflict")
)

// Store is what the server keeps. Every method is safe for concurrent use,
// and every ID is checked (milp.CheckUserID, CheckJobID) before it names
// anything: one user's data is only ever reached through their own ID.
type Store interface {
	// CreateUser makes an account (ErrExists if there is one).
	CreateUser(ctx context.Context, id string) error
	// UserExists reports whether the account exists.
	UserExists(ctx context.Context, id string) (bool, error)
	// DeleteUser removes every trace of the user: account, keys, history,
	// short-term memory, adapter, report, journal and jobs.
	DeleteUser(ctx context.Context, id string) error

	// AddKey records the hash of one of user's API keys.
	AddKey(ctx context.Context, user, hash string) error
	// KeyUser is the user a key hash belongs to (ErrNotFound for none).
	KeyUser(ctx context.Context, hash string) (string, error)
	// HasKeys reports whether any user has a key.
	HasKeys(ctx context.Context) (bool, error)

	// History is the user's history file: persona and conversations (none:
	// just the ID).
	History(ctx context.Context, id string) (userdata.User, error)
	// AppendHistory adds conversations and returns how many there are now.
	AppendHistory(ctx context.Context, id string, convs []userdata.Conversation) (int, error)

	// AppendShortTerm adds turns at the end of the user's short-term
	// memory, all or none; concurrent appends all land.
	AppendShortTerm(ctx context.Context, id string, turns ...memory.Turn) error
	// ShortTerm is the user's short-term memory in order.
	ShortTerm(ctx context.Context, id string) ([]memory.Turn, error)
	// RemoveShortTerm deletes done, the turns a consolidation read from the
	// start, keeping those appended since; done no longer at the start
	// (removed already) removes nothing.
	RemoveShortTerm(ctx context.Context, id string, done []memory.Turn) error

	// AdapterInfo is the user's adapter version (Version 0: none).
	AdapterInfo(ctx context.Context, id string) (AdapterInfo, error)
	// Adapter is the user's adapter file (llama.cpp's LoRA GGUF) and its
	// version (ErrNotFound without one).
	Adapter(ctx context.Context, id string) (AdapterInfo, []byte, error)
	// PutAdapter installs data as version after+1, with info's Source and
	// Job. ErrConflict when the current version is not after — unless it
	// is the one info.Job installed, which is returned as it is: a job
	// that publishes twice (redelivered after publishing) makes one version.
	PutAdapter(ctx context.Context, id string, data []byte, info AdapterInfo, after int) (AdapterInfo, error)

	// Report is the user's last search report, JSON (ErrNotFound for none).
	Report(ctx context.Context, id string) ([]byte, error)
	PutReport(ctx context.Context, id string, data []byte) error

	// Journal is the user's search journal, JSONL (nil for none); a job
	// saves it after every trial, so a redelivered job resumes from it.
	Journal(ctx context.Context, id string) ([]byte, error)
	// PutJournal replaces it; nil removes it.
	PutJournal(ctx context.Context, id string, data []byte) error

	// PutJob creates or replaces a job record.
	PutJob(ctx context.Context, j Job) error
	// Job is one record (ErrNotFound for none).
	Job(ctx context.Context, id string) (Job, error)
	// Jobs are every user's job records.
	Jobs(ctx context.Context) ([]Job, error)
	// UserJobs are one user's job records.
	UserJobs(ctx context.Context, user string) ([]Job, error)

	// Close releases what the store holds.
	Close() error
}

// AdapterInfo is a user's adapter version, which goes up by one with each
// adapter installed (a job's or an upload's).
type AdapterInfo struct {
	Version   int       `json:"version"`
	Source    string    `json:"source"`        // personalise, consolidate, upload, command line
	Job       string    `json:"job,omitempty"` // the job that made it
	Installed time.Time `json:"installed"`
}

// The kinds of job and their states.
const (
	JobPersonalise = "personalise" // the main job's search for one user
	JobConsolidate = "consolidate" // short-term memory into the adapter

	JobQueued  = "queued"
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// Job is one user's training job.
type Job struct {
	ID             string       `json:"id"`
	User           string       `json:"user"`
	Kind           string       `json:"kind"`
	Trials         int          `json:"trials,omitempty"`
	State          string       `json:"state"`
	Progress       *JobProgress `json:"progress,omitempty"`
	Error          string       `json:"error,omitempty"`
	AdapterVersion int          `json:"adapter_version,omitempty"`
	Created        time.Time    `json:"created"`
	Started        *time.Time   `json:"started,omitempty"`
	Finished       *time.Time   `json:"finished,omitempty"`
	Resumes        int          `json:"resumes,omitempty"` // how often it was taken up again after an interruption
	// After is the adapter version the job started from: it publishes
	// After+1 or nothing.
	After int `json:"after_version"`
	// Moving are the short-term turns a consolidation moves into the
	// history, recorded before it moves them; Moved says it has, so a
	// resumed one neither adds them twice nor takes others.
	Moving []memory.Turn `json:"moving,omitempty"`
	Moved  bool          `json:"moved,omitempty"`
	// TrialsRun counts the search trials run over every attempt: a resumed
	// search does not run the finished ones again.
	TrialsRun int    `json:"trials_run,omitempty"`
	Node      string `json:"node,omitempty"` // the worker that ran it last
}

// Active reports whether the job is queued or running.
func (j Job) Active() bool { return j.State == JobQueued || j.State == JobRunning }

// JobProgress is how far a running job has come.
type JobProgress struct {
	Done    int    `json:"done"`
	Total   int    `json:"total"`
	Message string `json:"message,omitempty"`
}

// CheckJobID says why id cannot name a job, or returns nil.
func CheckJobID(id string) error {
	if len(id) == 0 || len(id) > 64 || !userdata.ValidID(id) {
		return errors.New("not a job ID (up to 64 letters, digits, '.', '_', '-')")
	}
	return nil
}
