package serve

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/milp-lite/milp-lite/natsnode"
	"github.com/milp-lite/milp-lite/store/natsstore"
	"github.com/milp-lite/milp-lite/worker"
)

// TestNodesShareANATSStore: two servers on one JetStream store and a worker
// pulling its queue. A user made and personalised through node 1 chats
// through node 2, which answers with the new adapter version within 2 s of
// the job's end (a KV watch swaps it in), and both remember every exchange.
func TestNodesShareANATSStore(t *testing.T) {
	ns, err := natsnode.Start(natsnode.Options{Addr: "127.0.0.1:0", StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Shutdown()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	connect := func() *natsstore.Store {
		st, err := natsstore.Connect(ctx, ns.ClientURL(), natsstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	const admin = "admin-key-0123456789abcdef"
	var nodes [2]*testServer
	for i := range nodes {
		st := connect()
		nodes[i] = startServer(t, admin, func(o *Options) { o.Data, o.Queue, o.Store.Root = st, st, "" })
	}
	wst := connect()
	q, err := wst.Workers(ctx, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	tr := &worker.Trainer{Model: nodes[0].model, ModelName: "stories260K", Setup: nodes[0].opts.Setup, Store: wst, Node: "w1"}
	tr.Setup.Recipe.TrainCtx, tr.Setup.ValTurns, tr.Setup.TestTurns = 128, 3, 3
	pulled := make(chan struct{})
	go func() { tr.Pull(ctx, q, time.Second); close(pulled) }()
	defer func() { cancel(); <-pulled }()

	key := nodes[0].createUser(t, admin, "alice")
	if code := nodes[0].call(t, "POST", "/v1/users/alice/history", key, sampleHistory(t), nil); code != 200 {
		t.Fatalf("history: %d", code)
	}
	chat := func(ts *testServer) chatCompletion {
		var out chatCompletion
		if code := ts.call(t, "POST", "/v1/chat/completions", key, `{"messages": [{"role": "user", "content": "What do you like?"}], "max_tokens": 4}`, &out); code != 200 {
			t.Fatalf("chat: %d", code)
		}
		return out
	}
	if v := chat(nodes[1]).Milp.AdapterVersion; v != 0 {
		t.Fatalf("before any job node 2 answered with version %d", v)
	}
	var j job
	if code := nodes[0].call(t, "POST", "/v1/users/alice/jobs", key, `{"kind": "personalise", "trials": 2}`, &j); code != http.StatusAccepted {
		t.Fatalf("start job: %d", code)
	}
	done := nodes[1].waitJob(t, key, j.ID)
	finished := time.Now()
	if done.State != jobDone || done.AdapterVersion != 1 || done.Node != "w1" || done.TrialsRun != 2 {
		t.Fatalf("the job: %+v", done)
	}
	for i, ts := range nodes {
		for chat(ts).Milp.AdapterVersion != 1 {
			if time.Since(finished) > 2*time.Second {
				t.Fatalf("node %d still answers with the old adapter 2 s after the job ended", i+1)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	var rep userReport
	nodes[0].call(t, "GET", "/v1/users/alice", key, "", &rep)
	if rep.AdapterVersion != 1 || rep.Placement == nil || rep.ShortTermExchanges < 3 {
		t.Fatalf("node 1's report of alice: %+v", rep)
	}
	// Deleting through node 2 removes alice for node 1 too.
	if code := nodes[1].call(t, "DELETE", "/v1/users/alice", admin, "", nil); code != http.StatusNoContent {
		t.Fatalf("delete: %d", code)
	}
	if code := nodes[0].call(t, "GET", "/v1/users/alice", key, "", nil); code != http.StatusUnauthorized {
		t.Fatalf("alice's key on node 1 after her deletion: %d, want 401", code)
	}
}
