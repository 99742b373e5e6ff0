// Package storetest is the contract every store.Store passes: what the
// server relies on, run against each implementation by its own test.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/milp-lite/milp-lite/memory"
	"github.com/milp-lite/milp-lite/nn/chat"
	"github.com/milp-lite/milp-lite/store"
	"github.com/milp-lite/milp-lite/userdata"
)

// Run runs the contract against stores made by open, a fresh empty one for
// each subtest.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, st store.Store)
	}{
		{"Users", users},
		{"Keys", keys},
		{"History", history},
		{"ShortTermConcurrentAppends", shortTermConcurrent},
		{"ShortTermRemove", shortTermRemove},
		{"AdapterVersionsMonotonic", adapterVersions},
		{"AdapterOnePerJob", adapterOnePerJob},
		{"ReportsAndJournals", reportsAndJournals},
		{"Jobs", jobs},
		{"UsersIsolated", isolated},
		{"DeleteRemovesEverything", deleteEverything},
		{"BadIDs", badIDs},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := open(t)
			t.Cleanup(func() { st.Close() })
			tc.fn(t, st)
		})
	}
}

var bg = context.Background()

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func conv(text string) userdata.Conversation {
	var c userdata.Conversation
	c.Add(chat.RoleUser, text)
	c.Add(chat.RoleAssistant, "reply to "+text)
	return c
}

func exchange(i int, text string) []memory.Turn {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Millisecond)
	return []memory.Turn{memory.NewTurn(at, chat.RoleUser, text), memory.NewTurn(at, chat.RoleAssistant, "re: "+text)}
}

func users(t *testing.T, st store.Store) {
	if ok, err := st.UserExists(bg, "alice"); err != nil || ok {
		t.Fatalf("a fresh store has alice: %v %v", ok, err)
	}
	must(t, st.CreateUser(bg, "alice"))
	if err := st.CreateUser(bg, "alice"); !errors.Is(err, store.ErrExists) {
		t.Fatalf("creating alice twice: %v, want ErrExists", err)
	}
	if ok, err := st.UserExists(bg, "alice"); err != nil || !ok {
		t.Fatalf("alice after creation: %v %v", ok, err)
	}
	if err := st.DeleteUser(bg, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleting a missing user: %v, want ErrNotFound", err)
	}
}

func keys(t *testing.T, st store.Store) {
	if ok, err := st.HasKeys(bg); err != nil || ok {
		t.Fatalf("a fresh store has keys: %v %v", ok, err)
	}
	must(t, st.CreateUser(bg, "alice"))
	must(t, st.AddKey(bg, "alice", "hash-a1"))
	must(t, st.AddKey(bg, "alice", "hash-a2"))
	for _, h := range []string{"hash-a1", "hash-a2"} {
		if u, err := st.KeyUser(bg, h); err != nil || u != "alice" {
			t.Fatalf("KeyUser(%s) = %q %v", h, u, err)
		}
	}
	if _, err := st.KeyUser(bg, "hash-unknown"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an unknown hash: %v", err)
	}
	if ok, _ := st.HasKeys(bg); !ok {
		t.Fatal("HasKeys after AddKey is false")
	}
}

func history(t *testing.T, st store.Store) {
	must(t, st.CreateUser(bg, "alice"))
	if u, err := st.History(bg, "alice"); err != nil || u.ID != "alice" || len(u.Conversations) != 0 {
		t.Fatalf("empty history: %+v %v", u, err)
	}
	if n, err := st.AppendHistory(bg, "alice", []userdata.Conversation{conv("one"), conv("two")}); err != nil || n != 2 {
		t.Fatalf("append: %d %v", n, err)
	}
	const writers, each = 8, 3
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				_, err := st.AppendHistory(bg, "alice", []userdata.Conversation{conv(fmt.Sprintf("w%d-%d", w, i))})
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}
	u, err := st.History(bg, "alice")
	must(t, err)
	if len(u.Conversations) != 2+writers*each {
		t.Fatalf("%d conversations after concurrent appends, want %d", len(u.Conversations), 2+writers*each)
	}
	seen := map[string]bool{}
	for _, c := range u.Conversations {
		seen[c.Messages[0].Content] = true
	}
	if len(seen) != 2+writers*each {
		t.Fatalf("%d distinct conversations, want %d", len(seen), 2+writers*each)
	}
}

func shortTermConcurrent(t *testing.T, st store.Store) {
	must(t, st.CreateUser(bg, "alice"))
	const writers, each = 10, 5
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				errs <- st.AppendShortTerm(bg, "alice", exchange(w*each+i, fmt.Sprintf("w%d-%d", w, i))...)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}
	turns, err := st.ShortTerm(bg, "alice")
	must(t, err)
	if len(turns) != 2*writers*each {
		t.Fatalf("%d turns after %d concurrent exchanges, want %d", len(turns), writers*each, 2*writers*each)
	}
	seen := map[string]int{}
	for i := 0; i < len(turns); i += 2 {
		u, a := turns[i], turns[i+1]
		if u.Role != chat.RoleUser || a.Role != chat.RoleAssistant || a.Content != "re: "+u.Content {
			t.Fatalf("exchange torn at turn %d: %+v %+v", i, u, a)
		}
		seen[u.Content]++
	}
	for w := range writers {
		for i := range each {
			if n := seen[fmt.Sprintf("w%d-%d", w, i)]; n != 1 {
				t.Fatalf("exchange w%d-%d stored %d times", w, i, n)
			}
		}
	}
}

func shortTermRemove(t *testing.T, st store.Store) {
	must(t, st.CreateUser(bg, "alice"))
	for i := range 3 {
		must(t, st.AppendShortTerm(bg, "alice", exchange(i, fmt.Sprint("x", i))...))
	}
	read, err := st.ShortTerm(bg, "alice")
	must(t, err)
	must(t, st.AppendShortTerm(bg, "alice", exchange(3, "later")...))
	must(t, st.RemoveShortTerm(bg, "alice", read))
	rest, err := st.ShortTerm(bg, "alice")
	must(t, err)
	if len(rest) != 2 || rest[0].Content != "later" {
		t.Fatalf("after removing what a consolidation read: %+v", rest)
	}
	// Again (a resumed consolidation): nothing more goes.
	must(t, st.RemoveShortTerm(bg, "alice", read))
	if again, _ := st.ShortTerm(bg, "alice"); len(again) != 2 {
		t.Fatalf("removing the same turns twice left %d turns, want 2", len(again))
	}
}

func adapterVersions(t *testing.T, st store.Store) {
	must(t, st.CreateUser(bg, "alice"))
	if info, err := st.AdapterInfo(bg, "alice"); err != nil || info.Version != 0 {
		t.Fatalf("no adapter yet: %+v %v", info, err)
	}
	if _, _, err := st.Adapter(bg, "alice"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Adapter without one: %v", err)
	}
	info, err := st.PutAdapter(bg, "alice", []byte("v1"), store.AdapterInfo{Source: "upload"}, 0)
	if err != nil || info.Version != 1 {
		t.Fatalf("first adapter: %+v %v", info, err)
	}
	if _, err := st.PutAdapter(bg, "alice", []byte("stale"), store.AdapterInfo{Source: "upload"}, 0); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a write after a stale version: %v, want ErrConflict", err)
	}
	// Writers racing, each retrying on conflict: every write lands as its own
	// version, and a reader never sees the version go down.
	const writers = 6
	stop := make(chan struct{})
	var readerErr error
	var rg sync.WaitGroup
	rg.Go(func() {
		last := 0
		for {
			select {
			case <-stop:
				return
			default:
			}
			info, data, err := st.Adapter(bg, "alice")
			if err != nil {
				readerErr = err
				return
			}
			if info.Version < last || string(data) != fmt.Sprint("v", info.Version) {
				readerErr = fmt.Errorf("read version %d with %q after version %d", info.Version, data, last)
				return
			}
			last = info.Version
		}
	})
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for range writers {
		wg.Go(func() {
			for {
				cur, err := st.AdapterInfo(bg, "alice")
				if err != nil {
					errs <- err
					return
				}
				_, err = st.PutAdapter(bg, "alice", []byte(fmt.Sprint("v", cur.Version+1)), store.AdapterInfo{Source: "upload"}, cur.Version)
				if !errors.Is(err, store.ErrConflict) {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	rg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}
	must(t, readerErr)
	info, data, err := st.Adapter(bg, "alice")
	if err != nil || info.Version != 1+writers || string(data) != fmt.Sprint("v", 1+writers) {
		t.Fatalf("after %d racing writers: %+v %q %v", writers, info, data, err)
	}
}

func adapterOnePerJob(t *testing.T, st store.Store) {
	must(t, st.CreateUser(bg, "alice"))
	first, err := st.PutAdapter(bg, "alice", []byte("v1"), store.AdapterInfo{Source: "personalise", Job: "job-1"}, 0)
	must(t, err)
	again, err := st.PutAdapter(bg, "alice", []byte("v1 again"), store.AdapterInfo{Source: "personalise", Job: "job-1"}, 0)
	if err != nil || again.Version != first.Version || again.Job != "job-1" {
		t.Fatalf("a job publishing twice: %+v %v, want its version %d back", again, err, first.Version)
	}
	if _, data, _ := st.Adapter(bg, "alice"); string(data) != "v1" {
		t.Fatalf("the second publication replaced the first: %q", data)
	}
	if _, err := st.PutAdapter(bg, "alice", []byte("x"), store.AdapterInfo{Job: "job-2"}, 0); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("another job from the same version: %v, want ErrConflict", err)
	}
}

func reportsAndJournals(t *testing.T, st store.Store) {
	must(t, st.CreateUser(bg, "alice"))
	if _, err := st.Report(bg, "alice"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("no report yet: %v", err)
	}
	must(t, st.PutReport(bg, "alice", []byte(`{"a":1}`)))
	must(t, st.PutReport(bg, "alice", []byte(`{"a":2}`)))
	if r, err := st.Report(bg, "alice"); err != nil || string(r) != `{"a":2}` {
		t.Fatalf("report: %q %v", r, err)
	}
	if j, err := st.Journal(bg, "alice"); err != nil || j != nil {
		t.Fatalf("no journal yet: %q %v", j, err)
	}
	must(t, st.PutJournal(bg, "alice", []byte("{}\n{}\n")))
	if j, err := st.Journal(bg, "alice"); err != nil || string(j) != "{}\n{}\n" {
		t.Fatalf("journal: %q %v", j, err)
	}
	must(t, st.PutJournal(bg, "alice", nil))
	if j, err := st.Journal(bg, "alice"); err != nil || j != nil {
		t.Fatalf("a removed journal: %q %v", j, err)
	}
}

func jobs(t *testing.T, st store.Store) {
	must(t, st.CreateUser(bg, "alice"))
	if _, err := st.Job(bg, "job-1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("no job yet: %v", err)
	}
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	j := store.Job{ID: "job-1", User: "alice", Kind: store.JobPersonalise, Trials: 3, State: store.JobQueued, Created: created}
	must(t, st.PutJob(bg, j))
	j.State, j.Progress = store.JobRunning, &store.JobProgress{Done: 1, Total: 3}
	must(t, st.PutJob(bg, j))
	must(t, st.PutJob(bg, store.Job{ID: "job-2", User: "alice", Kind: store.JobConsolidate, State: store.JobQueued, Created: created}))
	got, err := st.Job(bg, "job-1")
	if err != nil || got.State != store.JobRunning || got.Progress == nil || got.Progress.Done != 1 || !got.Created.Equal(created) {
		t.Fatalf("job-1: %+v %v", got, err)
	}
	all, err := st.Jobs(bg)
	must(t, err)
	var ids []string
	for _, j := range all {
		ids = append(ids, j.ID)
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"job-1", "job-2"}) {
		t.Fatalf("jobs: %v", ids)
	}

	must(t, st.CreateUser(bg, "alice.b"))
	must(t, st.PutJob(bg, store.Job{ID: "job-3", User: "alice.b", Kind: store.JobConsolidate, State: store.JobQueued, Created: created}))
	mine, err := st.UserJobs(bg, "alice")
	must(t, err)
	ids = ids[:0]
	for _, j := range mine {
		ids = append(ids, j.ID)
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"job-1", "job-2"}) {
		t.Fatalf("alice's jobs: %v", ids)
	}
	if err := st.PutJob(bg, store.Job{ID: "../escape", User: "alice"}); err == nil {
		t.Fatal("a job ID with a path in it was accepted")
	}
}

// fill gives user something of every kind the store keeps.
func fill(t *testing.T, st store.Store, user string) {
	t.Helper()
	must(t, st.CreateUser(bg, user))
	must(t, st.AddKey(bg, user, "hash-"+user))
	_, err := st.AppendHistory(bg, user, []userdata.Conversation{conv(user + " history")})
	must(t, err)
	must(t, st.AppendShortTerm(bg, user, exchange(0, user+" said")...))
	_, err = st.PutAdapter(bg, user, []byte(user+" adapter"), store.AdapterInfo{Source: "upload"}, 0)
	must(t, err)
	must(t, st.PutReport(bg, user, []byte(`"`+user+` report"`)))
	must(t, st.PutJournal(bg, user, []byte(user+" journal\n")))
	must(t, st.PutJob(bg, store.Job{ID: "job-" + user, User: user, Kind: store.JobPersonalise, State: store.JobDone}))
}

func isolated(t *testing.T, st store.Store) {
	fill(t, st, "alice")
	fill(t, st, "alice.b") // a name that extends alice's, so a prefix match would leak
	must(t, st.CreateUser(bg, "bob"))
	checkOwn(t, st, "alice")
	checkOwn(t, st, "alice.b")
	// bob sees nothing of theirs.
	if u, err := st.History(bg, "bob"); err != nil || len(u.Conversations) != 0 {
		t.Fatalf("bob's history: %+v %v", u, err)
	}
	if turns, err := st.ShortTerm(bg, "bob"); err != nil || len(turns) != 0 {
		t.Fatalf("bob's short-term memory: %+v %v", turns, err)
	}
	if info, err := st.AdapterInfo(bg, "bob"); err != nil || info.Version != 0 {
		t.Fatalf("bob's adapter: %+v %v", info, err)
	}
	if _, err := st.Report(bg, "bob"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("bob's report: %v", err)
	}
	if j, err := st.Journal(bg, "bob"); err != nil || j != nil {
		t.Fatalf("bob's journal: %q %v", j, err)
	}
}

// checkOwn: everything read through user's ID is user's own.
func checkOwn(t *testing.T, st store.Store, user string) {
	t.Helper()
	if u, err := st.History(bg, user); err != nil || len(u.Conversations) != 1 || u.Conversations[0].Messages[0].Content != user+" history" {
		t.Fatalf("%s's history: %+v %v", user, u, err)
	}
	if turns, err := st.ShortTerm(bg, user); err != nil || len(turns) != 2 || turns[0].Content != user+" said" {
		t.Fatalf("%s's short-term memory: %+v %v", user, turns, err)
	}
	if _, data, err := st.Adapter(bg, user); err != nil || string(data) != user+" adapter" {
		t.Fatalf("%s's adapter: %q %v", user, data, err)
	}
	if r, err := st.Report(bg, user); err != nil || string(r) != `"`+user+` report"` {
		t.Fatalf("%s's report: %q %v", user, r, err)
	}
	if j, err := st.Journal(bg, user); err != nil || string(j) != user+" journal\n" {
		t.Fatalf("%s's journal: %q %v", user, j, err)
	}
	if u, err := st.KeyUser(bg, "hash-"+user); err != nil || u != user {
		t.Fatalf("%s's key: %q %v", user, u, err)
	}
}

func deleteEverything(t *testing.T, st store.Store) {
	fill(t, st, "alice")
	fill(t, st, "alice.b")
	must(t, st.DeleteUser(bg, "alice"))
	if ok, err := st.UserExists(bg, "alice"); err != nil || ok {
		t.Fatalf("alice after deletion: %v %v", ok, err)
	}
	if _, err := st.KeyUser(bg, "hash-alice"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("alice's key after deletion: %v", err)
	}
	if u, err := st.History(bg, "alice"); err != nil || len(u.Conversations) != 0 {
		t.Fatalf("alice's history after deletion: %+v %v", u, err)
	}
	if turns, err := st.ShortTerm(bg, "alice"); err != nil || len(turns) != 0 {
		t.Fatalf("alice's short-term memory after deletion: %+v %v", turns, err)
	}
	if info, err := st.AdapterInfo(bg, "alice"); err != nil || info.Version != 0 {
		t.Fatalf("alice's adapter after deletion: %+v %v", info, err)
	}
	if _, _, err := st.Adapter(bg, "alice"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("alice's adapter file after deletion: %v", err)
	}
	if _, err := st.Report(bg, "alice"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("alice's report after deletion: %v", err)
	}
	if j, err := st.Journal(bg, "alice"); err != nil || j != nil {
		t.Fatalf("alice's journal after deletion: %q %v", j, err)
	}
	if _, err := st.Job(bg, "job-alice"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("alice's job after deletion: %v", err)
	}
	all, err := st.Jobs(bg)
	must(t, err)
	for _, j := range all {
		if j.User == "alice" {
			t.Fatalf("a job of alice's survived her deletion: %+v", j)
		}
	}
	if mine, err := st.UserJobs(bg, "alice"); err != nil || len(mine) != 0 {
		t.Fatalf("alice's jobs after her deletion: %+v %v", mine, err)
	}
	if theirs, err := st.UserJobs(bg, "alice.b"); err != nil || len(theirs) != 1 {
		t.Fatalf("alice.b's jobs after alice's deletion: %+v %v", theirs, err)
	}
	checkOwn(t, st, "alice.b")
	// A user made again under the same ID starts empty.
	must(t, st.CreateUser(bg, "alice"))
	if info, _ := st.AdapterInfo(bg, "alice"); info.Version != 0 {
		t.Fatalf("a new alice inherited adapter version %d", info.Version)
	}
}

func badIDs(t *testing.T, st store.Store) {
	for _, id := range []string{"", "../x", "a/b", ".hidden", "users", "a b"} {
		if err := st.CreateUser(bg, id); err == nil {
			t.Errorf("CreateUser(%q) accepted", id)
		}
		if err := st.AppendShortTerm(bg, id, exchange(0, "x")...); err == nil {
			t.Errorf("AppendShortTerm(%q) accepted", id)
		}
		if err := st.PutReport(bg, id, []byte("{}")); err == nil {
			t.Errorf("PutReport(%q) accepted", id)
		}
	}
}

// BenchChat measures the store's part of one chat request on a user with
// history of short-term memory: the key's lookup, the user's existence,
// the adapter's version, the short-term read for retrieval and the
// exchange's append.
func BenchChat(b *testing.B, st store.Store) {
	ctx := context.Background()
	if err := st.CreateUser(ctx, "alice"); err != nil {
		b.Fatal(err)
	}
	if err := st.AddKey(ctx, "alice", "hash-alice"); err != nil {
		b.Fatal(err)
	}
	for i := range 50 {
		if err := st.AppendShortTerm(ctx, "alice", exchange(i, fmt.Sprint("earlier ", i))...); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := range b.N {
		if _, err := st.KeyUser(ctx, "hash-alice"); err != nil {
			b.Fatal(err)
		}
		if ok, err := st.UserExists(ctx, "alice"); err != nil || !ok {
			b.Fatal(ok, err)
		}
		if _, err := st.AdapterInfo(ctx, "alice"); err != nil {
			b.Fatal(err)
		}
		if _, err := st.ShortTerm(ctx, "alice"); err != nil {
			b.Fatal(err)
		}
		if err := st.AppendShortTerm(ctx, "alice", exchange(50+i, fmt.Sprint("now ", i))...); err != nil {
			b.Fatal(err)
		}
	}
}
