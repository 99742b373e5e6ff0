package serve

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/milp-lite/milp-lite/userdata"
)

// waitJob polls a job until it ends.
func (ts *testServer) waitJob(t testing.TB, key, id string) job {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var j job
		if code := ts.call(t, "GET", "/v1/jobs/"+id, key, "", &j); code != 200 {
			t.Fatalf("GET job %s: %d", id, code)
		}
		if j.State == jobDone || j.State == jobFailed {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s still %s", id, j.State)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// sampleHistory is an embedded user's history as the upload format.
func sampleHistory(t testing.TB) string {
	t.Helper()
	users, err := userdata.Sample()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, c := range users[0].Conversations {
		line, _ := json.Marshal(c)
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// TestJobsInstallNewAdapterVersions: a user's own key uploads history and
// starts a personalisation, then a consolidation; each finished job
// installs the next adapter version, which the next chat reports.
func TestJobsInstallNewAdapterVersions(t *testing.T) {
	const admin = "admin-key-0123456789abcdef"
	ts := startServer(t, admin, func(o *Options) {
		o.Setup.Recipe.TrainCtx = 128
		o.Setup.ValTurns, o.Setup.TestTurns = 3, 3
	})
	key := ts.createUser(t, admin, "alice")
	var added map[string]int
	if code := ts.call(t, "POST", "/v1/users/alice/history", key, sampleHistory(t), &added); code != 200 || added["added"] < 10 {
		t.Fatalf("history: %d %v", code, added)
	}
	var j job
	if code := ts.call(t, "POST", "/v1/users/alice/jobs", key, `{"kind": "personalise", "trials": 2}`, &j); code != http.StatusAccepted || j.State != jobQueued {
		t.Fatalf("start job: %d %+v", code, j)
	}
	if code := ts.call(t, "POST", "/v1/users/alice/jobs", key, `{"kind": "consolidate"}`, nil); code != http.StatusConflict {
		t.Fatalf("a second job while one is queued: %d, want 409", code)
	}
	if done := ts.waitJob(t, key, j.ID); done.State != jobDone || done.AdapterVersion != 1 || done.Progress == nil || done.Progress.Done != 2 {
		t.Fatalf("personalise: %+v", done)
	}
	chat := func() chatCompletion {
		var out chatCompletion
		if code := ts.call(t, "POST", "/v1/chat/completions", key, `{"messages": [{"role": "user", "content": "What do you like?"}], "max_tokens": 6}`, &out); code != 200 {
			t.Fatalf("chat: %d", code)
		}
		return out
	}
	if v := chat().Milp.AdapterVersion; v != 1 {
		t.Fatalf("after the search the chat used adapter version %d", v)
	}
	var rep userReport
	ts.call(t, "GET", "/v1/users/alice", key, "", &rep)
	if rep.AdapterVersion != 1 || rep.Placement == nil || len(rep.LastReport) == 0 || rep.HistoryConversations < 10 || rep.ShortTermExchanges != 1 {
		t.Fatalf("user report: %+v", rep)
	}
	ts.call(t, "POST", "/v1/users/alice/jobs", key, `{"kind": "consolidate"}`, &j)
	if done := ts.waitJob(t, key, j.ID); done.State != jobDone || done.AdapterVersion != 2 {
		t.Fatalf("consolidate: %+v", done)
	}
	ts.call(t, "GET", "/v1/users/alice", key, "", &rep)
	if rep.AdapterVersion != 2 || rep.ShortTermExchanges != 0 || rep.HistoryConversations != added["history_conversations"]+1 {
		t.Fatalf("after consolidation: %+v", rep)
	}
	if v := chat().Milp.AdapterVersion; v != 2 {
		t.Fatalf("after consolidation the chat used adapter version %d", v)
	}
	// Another user's key cannot see the job.
	bob := ts.createUser(t, admin, "bob")
	if code := ts.call(t, "GET", "/v1/jobs/"+j.ID, bob, "", nil); code != http.StatusNotFound {
		t.Fatalf("bob reading alice's job: %d", code)
	}
}

// TestAdapterUploadAndCache: an uploaded adapter is checked against the
// model, installed as the next version, used by later requests, and the
// cache keeps within its budget.
func TestAdapterUploadAndCache(t *testing.T) {
	m := embeddedModel(t)
	dir := t.TempDir()
	var one int64
	paths := make([]string, 3)
	for i := range paths {
		a := randomAdapterFor(t, m, 4, uint64(i))
		paths[i] = filepath.Join(dir, fmt.Sprintf("a%d.gguf", i))
		if err := a.Save(paths[i]); err != nil {
			t.Fatal(err)
		}
		a.UseHalves() // as the server holds them
		one = a.MemoryBytes()
	}
	ts := startServer(t, "", func(o *Options) { o.AdapterCache = 2*one + one/2 })
	for i, id := range []string{"u0", "u1", "u2"} {
		ts.createUser(t, "", id)
		data, _ := os.ReadFile(paths[i])
		var out map[string]any
		if code := ts.call(t, "PUT", "/v1/users/"+id+"/adapter", "", string(data), &out); code != 200 || out["adapter_version"] != float64(1) {
			t.Fatalf("upload for %s: %d %v", id, code, out)
		}
	}
	for round := range 2 {
		for _, id := range []string{"u0", "u1", "u2"} {
			var out chatCompletion
			ts.call(t, "POST", "/v1/chat/completions", "", fmt.Sprintf(`{"messages": [{"role": "user", "content": "hi"}], "user": %q, "max_tokens": 2}`, id), &out)
			if out.Milp.AdapterVersion != 1 {
				t.Fatalf("round %d, %s: adapter version %d", round, id, out.Milp.AdapterVersion)
			}
			if used, n := ts.adapters.stats(); used > ts.opts.AdapterCache || n > 2 {
				t.Fatalf("the cache holds %d adapters, %d bytes, over its budget of %d", n, used, ts.opts.AdapterCache)
			}
		}
	}
	ts.adapters.mu.Lock()
	if n := len(ts.adapters.loading); n != 0 {
		t.Errorf("%d users' load locks are kept after their loads ended", n)
	}
	ts.adapters.mu.Unlock()
	data, _ := os.ReadFile(paths[0])
	var out map[string]any
	ts.call(t, "PUT", "/v1/users/u0/adapter", "", string(data), &out)
	if out["adapter_version"] != float64(2) {
		t.Fatalf("a second upload: %v", out)
	}
	var errOut struct{ Error apiError }
	if code := ts.call(t, "PUT", "/v1/users/u0/adapter", "", "not a gguf at all", &errOut); code != 400 || !strings.Contains(errOut.Error.Message, "GGUF") {
		t.Fatalf("a bad upload: %d %+v", code, errOut)
	}
	other := writeOtherModelAdapter(t)
	if code := ts.call(t, "PUT", "/v1/users/u0/adapter", "", other, &errOut); code != 400 || !strings.Contains(errOut.Error.Message, "not a LoRA adapter for this model") {
		t.Fatalf("another model's adapter: %d %+v", code, errOut)
	}
}

// TestJobsResumeAfterRestart: a job left running by a stopped server is
// taken up again by the next one.
func TestJobsResumeAfterRestart(t *testing.T) {
	ts := startServer(t, "", func(o *Options) { o.Setup.Recipe.TrainCtx = 128 })
	ts.createUser(t, "", "alice")
	ts.call(t, "POST", "/v1/users/alice/history", "", sampleHistory(t), nil)
	root := ts.store.Root
	ts.stop()
	ts.stop = nil
	// What a killed server leaves: a job record in the running state.
	j := job{ID: "job-left", User: "alice", Kind: jobConsolidate, State: jobRunning, Created: time.Now().UTC()}
	data, _ := json.Marshal(j)
	os.MkdirAll(filepath.Join(root, "jobs"), 0o755)
	os.WriteFile(filepath.Join(root, "jobs", "job-left.json"), data, 0o644)
	ts2 := startServer(t, "", func(o *Options) { o.Store.Root = root; o.Setup.Recipe.TrainCtx = 128 })
	if done := ts2.waitJob(t, "", "job-left"); done.State != jobDone || done.Resumes != 1 || done.AdapterVersion != 1 {
		t.Fatalf("the resumed job: %+v", done)
	}
}
