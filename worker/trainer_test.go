package worker

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/milp-lite/milp-lite/internal/testmodel"
	"github.com/milp-lite/milp-lite/milp"
	"github.com/milp-lite/milp-lite/store"
	"github.com/milp-lite/milp-lite/userdata"
)

// smallSetup trains the embedded model briefly.
func smallSetup() milp.Setup {
	s := milp.DefaultSetup()
	s.Recipe.TrainCtx, s.Recipe.Epochs = 128, 1
	s.ValTurns, s.TestTurns = 3, 3
	return s
}

func newUser(t *testing.T, st store.Store, id string) {
	t.Helper()
	ctx := context.Background()
	users, err := userdata.Sample()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.CreateUser(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AppendHistory(ctx, id, users[0].Conversations); err != nil {
		t.Fatal(err)
	}
}

// runUntilDeath runs the job on a trainer whose goroutine dies, as a killed
// worker does, once it has stored trial `after`.
func runUntilDeath(t *testing.T, tr Trainer, id string, after int) {
	t.Helper()
	tr.OnTrial = func(j store.Job) {
		if j.TrialsRun == after {
			runtime.Goexit()
		}
	}
	dead := make(chan struct{})
	go func() {
		defer close(dead)
		tr.Run(context.Background(), id)
		t.Error("the trainer finished instead of dying")
	}()
	<-dead
}

// TestResumedJobSkipsFinishedTrials: a job whose runner died after its
// first trial is taken up by another, which runs only the trials left and
// publishes one adapter version; running the finished job's record again
// publishes nothing new.
func TestResumedJobSkipsFinishedTrials(t *testing.T) {
	ctx := context.Background()
	st, err := store.OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	newUser(t, st, "alice")
	tr := Trainer{Model: testmodel.Default(t), ModelName: "stories260K", Setup: smallSetup(), Store: st, Node: "w1"}
	const trials = 3
	j := store.Job{ID: "job-1", User: "alice", Kind: store.JobPersonalise, Trials: trials, State: store.JobQueued, Created: time.Now()}
	if err := st.PutJob(ctx, j); err != nil {
		t.Fatal(err)
	}
	runUntilDeath(t, tr, j.ID, 1)
	left, _ := st.Job(ctx, j.ID)
	if left.State != store.JobRunning || left.TrialsRun != 1 {
		t.Fatalf("the dead runner's record: %+v", left)
	}
	tr.Node = "w2"
	done, err := tr.Run(ctx, j.ID)
	if err != nil || done.State != store.JobDone || done.Resumes != 1 || done.AdapterVersion != 1 || done.Node != "w2" {
		t.Fatalf("the resumed job: %+v %v", done, err)
	}
	if done.TrialsRun != trials {
		t.Fatalf("%d trials run over both attempts, want %d (none run twice)", done.TrialsRun, trials)
	}
	journal, _ := st.Journal(ctx, "alice")
	if n := strings.Count(string(journal), `"kind":"tell"`); n != trials {
		t.Fatalf("the journal holds %d told trials, want %d:\n%s", n, trials, journal)
	}
	info, _ := st.AdapterInfo(ctx, "alice")
	if info.Version != 1 || info.Job != j.ID {
		t.Fatalf("adapter after the job: %+v", info)
	}
	// The job redelivered once more after it published (its runner died
	// before acknowledging): it finds its version and makes no other.
	done.State = store.JobRunning
	if err := st.PutJob(ctx, done); err != nil {
		t.Fatal(err)
	}
	again, err := tr.Run(ctx, j.ID)
	if err != nil || again.State != store.JobDone || again.AdapterVersion != 1 {
		t.Fatalf("the job run again: %+v %v", again, err)
	}
	if info, _ := st.AdapterInfo(ctx, "alice"); info.Version != 1 {
		t.Fatalf("a job published twice: version %d", info.Version)
	}
}
