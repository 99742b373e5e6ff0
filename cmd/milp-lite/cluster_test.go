package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/milp-lite/milp-lite/natsnode"
	"github.com/milp-lite/milp-lite/store"
	"github.com/milp-lite/milp-lite/store/natsstore"
	"github.com/milp-lite/milp-lite/userdata"
)

// TestNATSCommand: `milp-lite nats` runs a JetStream server a store opens,
// stops cleanly on SIGTERM, and refuses a half-given cluster.
func TestNATSCommand(t *testing.T) {
	dir := t.TempDir()
	n := startProcess(t, "milp-lite nats: ", nil, "nats", "--addr", "127.0.0.1:0", "--store", dir)
	st, err := natsstore.Connect(context.Background(), n.url, natsstore.Options{})
	if err != nil {
		t.Fatalf("%v\n%s", err, n.log())
	}
	if err := st.CreateUser(context.Background(), "alice"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	n.cmd.Process.Signal(syscall.SIGTERM)
	if err := <-n.exited; err != nil {
		t.Fatalf("nats on SIGTERM: %v\n%s", err, n.log())
	}
	for _, args := range [][]string{
		{"nats", "--addr", "127.0.0.1:0"},
		{"nats", "--addr", "127.0.0.1:0", "--store", dir, "--routes", "nats://127.0.0.1:1"},
		{"nats", "--addr", "nowhere", "--store", dir},
		{"worker"},
	} {
		if r := run(t, "", args...); r.code != 1 || r.stderr == "" {
			t.Errorf("%v: exit %d, stderr %q; want 1 and a reason", args, r.code, r.stderr)
		}
	}
}

// clusterClient calls a serve node's API.
type clusterClient struct{ url, key string }

func (c clusterClient) call(method, path, body string, out any) (int, error) {
	req, err := http.NewRequest(method, c.url+path, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: %v: %s", method, path, err, data)
		}
	} else if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, data)
	}
	return resp.StatusCode, nil
}

// chat says one numbered thing as a user and returns the adapter version
// that answered.
func (c clusterClient) chat(user, text string) (int, error) {
	var out struct {
		Milp struct {
			AdapterVersion int `json:"adapter_version"`
		} `json:"milp"`
	}
	body, _ := json.Marshal(map[string]any{"messages": []map[string]string{{"role": "user", "content": text}}, "max_tokens": 2})
	_, err := c.call("POST", "/v1/chat/completions", string(body), &out)
	return out.Milp.AdapterVersion, err
}

// TestCluster is issue 22's proof on loopback: three NATS nodes in this
// process (everything replicated three times), two serve nodes and two
// workers as processes of the built binary. Twenty users are personalised
// through node 1 while both nodes chat for them at once; a worker is killed
// with SIGKILL in the middle of a job and a NATS node is stopped and
// restarted. Every job completes once (one adapter version each), the
// killed one resumed without running a finished trial again, no exchange is
// lost or stored twice, and after each job both nodes answer with the new
// version within 2 s.
func TestCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("the cluster test takes about two minutes")
	}
	ctx := context.Background()
	c, err := natsnode.StartCluster(t.TempDir(), 3)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Shutdown()
	urls := c.URLs()
	const admin = "cluster-admin-key-0123456789"
	env := []string{"MILP_ADMIN_KEY=" + admin}
	nodes := make([]clusterClient, 2)
	for i := range nodes {
		p := startProcess(t, "milp-lite serve: ", env, "serve", "--nats", urls, "--replicas", "3", "--addr", "127.0.0.1:0", "--max-tokens", "8")
		nodes[i] = clusterClient{url: strings.TrimSuffix(p.url, "/"), key: admin}
	}
	training := []string{"--nats", urls, "--replicas", "3", "--lease", "3s", "--train-ctx", "64", "--epochs", "1", "--val-turns", "2", "--test-turns", "2", "--init", "1"}
	workers := map[string]*served{}
	startWorker := func(name string) {
		workers[name] = startProcess(t, "milp-lite worker ", nil, append([]string{"worker", "--name", name}, training...)...)
	}
	startWorker("wA")
	startWorker("wB")
	// The test reads the store directly too, to count exchanges.
	st, err := natsstore.Connect(ctx, urls, natsstore.Options{Replicas: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	sample, err := userdata.Sample()
	if err != nil {
		t.Fatal(err)
	}
	const nUsers, trials, longTrials = 20, 2, 4
	users := make([]string, nUsers)
	keys := map[string]string{}
	for i := range users {
		users[i] = fmt.Sprintf("u%02d", i)
		var out struct {
			Key string `json:"api_key"`
		}
		if _, err := nodes[0].call("POST", "/v1/users", fmt.Sprintf(`{"id": %q}`, users[i]), &out); err != nil {
			t.Fatal(err)
		}
		keys[users[i]] = out.Key
		var hist bytes.Buffer
		for _, conv := range sample[i%len(sample)].Conversations[:12] {
			line, _ := json.Marshal(conv)
			hist.Write(append(line, '\n'))
		}
		if _, err := nodes[0].call("POST", "/v1/users/"+users[i]+"/history", hist.String(), nil); err != nil {
			t.Fatal(err)
		}
	}

	// Chats through both nodes at once, for every user, all along.
	var chatMu sync.Mutex
	answered := map[string][]string{} // user: the texts answered 200
	chatErrs := 0
	stopChats := make(chan struct{})
	var chatWG sync.WaitGroup
	for n := range nodes {
		chatWG.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stopChats:
					return
				default:
				}
				user := users[i%nUsers]
				text := fmt.Sprintf("node%d says %d", n+1, i)
				cc := clusterClient{url: nodes[n].url, key: keys[user]}
				if _, err := cc.chat(user, text); err != nil {
					chatMu.Lock()
					chatErrs++
					chatMu.Unlock()
					continue
				}
				chatMu.Lock()
				answered[user] = append(answered[user], text)
				chatMu.Unlock()
				time.Sleep(10 * time.Millisecond) // leave the workers some of the machine
			}
		})
	}

	// Jobs: u00's is longer, to be killed in the middle.
	jobs := map[string]string{}
	queued := time.Now()
	for _, u := range users {
		n := trials
		if u == "u00" {
			n = longTrials
		}
		var j store.Job
		if _, err := nodes[0].call("POST", "/v1/users/"+u+"/jobs", fmt.Sprintf(`{"kind": "personalise", "trials": %d}`, n), &j); err != nil {
			t.Fatal(err)
		}
		jobs[u] = j.ID
	}
	getJob := func(u string) store.Job {
		var j store.Job
		if _, err := (clusterClient{url: nodes[1].url, key: keys[u]}).call("GET", "/v1/jobs/"+jobs[u], "", &j); err != nil {
			t.Logf("GET job of %s: %v", u, err)
		}
		return j
	}
	deadline := time.Now().Add(4 * time.Minute)
	// Kill u00's worker once a trial of it is done.
	var killed string
	for killed == "" {
		if time.Now().After(deadline) {
			t.Fatalf("u00's job never got past its first trial: %+v", getJob("u00"))
		}
		if j := getJob("u00"); j.State == store.JobRunning && j.TrialsRun >= 1 && j.TrialsRun < longTrials && workers[j.Node] != nil {
			killed = j.Node
			workers[killed].cmd.Process.Signal(syscall.SIGKILL)
			<-workers[killed].exited
			t.Logf("killed worker %s during u00's job, after %d of %d trials", killed, j.TrialsRun, longTrials)
		} else if j.State == store.JobDone {
			t.Fatalf("u00's job finished before it could be killed: %+v", j)
		}
		time.Sleep(100 * time.Millisecond)
	}
	startWorker(killed + "2")
	// A NATS node goes away for a few seconds and comes back.
	c.Stop(2)
	time.Sleep(3 * time.Second)
	if err := c.Restart(2); err != nil {
		t.Fatal(err)
	}
	t.Log("NATS node n3 stopped and restarted")

	// Every job ends once; after each, both nodes answer with version 1
	// within 2 s.
	pending := map[string]bool{}
	for _, u := range users {
		pending[u] = true
	}
	for len(pending) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("jobs still unfinished: %v", pending)
		}
		for u := range pending {
			j := getJob(u)
			switch j.State {
			case store.JobFailed:
				t.Fatalf("job of %s failed: %+v", u, j)
			case store.JobDone:
			default:
				continue
			}
			delete(pending, u)
			seen := time.Now()
			for n := range nodes {
				cc := clusterClient{url: nodes[n].url, key: keys[u]}
				for try := 0; ; try++ {
					text := fmt.Sprintf("after the job, node%d, try %d", n+1, try)
					v, err := cc.chat(u, text)
					if err == nil {
						chatMu.Lock()
						answered[u] = append(answered[u], text)
						chatMu.Unlock()
					}
					if err == nil && v == 1 {
						break
					}
					if time.Since(seen) > 2*time.Second {
						t.Fatalf("node %d answers %s with version %d (err %v) 2 s after the job was seen done", n+1, u, v, err)
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	close(stopChats)
	chatWG.Wait()

	// Exactly once: one adapter version per user, the killed job resumed.
	for _, u := range users {
		j := getJob(u)
		info, err := st.AdapterInfo(ctx, u)
		if err != nil || info.Version != 1 || info.Job != jobs[u] || j.AdapterVersion != 1 {
			t.Errorf("%s: adapter %+v (err %v), job %+v: want version 1 from its job", u, info, err, j)
		}
	}
	j := getJob("u00")
	if j.Resumes < 1 || j.Node == killed || j.TrialsRun != longTrials {
		t.Errorf("the killed job: %d resumes, last run by %s, %d trials run in all (want ≥ 1 resume, not by %s, %d trials)",
			j.Resumes, j.Node, j.TrialsRun, killed, longTrials)
	}
	journal, _ := st.Journal(ctx, "u00")
	if n := strings.Count(string(journal), `"kind":"tell"`); n != longTrials {
		t.Errorf("u00's journal tells %d trials, want %d", n, longTrials)
	}
	// No exchange lost or stored twice.
	total := 0
	for _, u := range users {
		turns, err := st.ShortTerm(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		stored := map[string]int{}
		for _, tn := range turns {
			if tn.Role == "user" {
				stored[tn.Content]++
			}
		}
		for _, text := range answered[u] {
			if stored[text] != 1 {
				t.Errorf("%s: exchange %q stored %d times", u, text, stored[text])
			}
			stored[text] = 0
		}
		for text, n := range stored {
			if n > 0 {
				t.Errorf("%s: exchange %q stored but never answered", u, text)
			}
		}
		total += len(answered[u])
	}
	t.Logf("%d exchanges answered through both nodes (%d requests refused or failed), every one stored once", total, chatErrs)
	t.Logf("20 jobs done %.1f s after the first was queued", time.Since(queued).Seconds())
}
