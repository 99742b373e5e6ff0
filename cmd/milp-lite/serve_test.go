package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/milp-lite/milp-lite/milp"
	"github.com/milp-lite/milp-lite/userdata"
)

// served is a `milp-lite serve` process on a loopback port.
type served struct {
	cmd    *exec.Cmd
	url    string
	mu     sync.Mutex
	stderr strings.Builder
	exited chan error
}

// startServe runs the built binary's serve on store and waits for its
// address.
func startServe(t *testing.T, store string, args ...string) *served {
	t.Helper()
	return startProcess(t, "milp-lite serve: ", nil, append([]string{"serve", "--store", store, "--addr", "127.0.0.1:0"}, args...)...)
}

// startProcess runs the built binary with args (and env added to ours) and
// waits for the stderr line starting with ready, whose next word is its
// address.
func startProcess(t *testing.T, ready string, env []string, args ...string) *served {
	t.Helper()
	s := &served{cmd: exec.Command(binary, args...), exited: make(chan error, 1)}
	s.cmd.Env = append(os.Environ(), env...)
	pipe, err := s.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.stderr.WriteString(line + "\n")
			s.mu.Unlock()
			if rest, ok := strings.CutPrefix(line, ready); ok {
				addr <- strings.Fields(rest + " ")[0]
			}
		}
		s.exited <- s.cmd.Wait()
	}()
	select {
	case a := <-addr:
		s.url = strings.TrimSuffix(a, "/")
	case err := <-s.exited:
		t.Fatalf("%s exited: %v\n%s", args[0], err, s.log())
	case <-time.After(60 * time.Second):
		s.cmd.Process.Kill()
		t.Fatalf("%s did not start:\n%s", args[0], s.log())
	}
	t.Cleanup(func() {
		s.cmd.Process.Kill()
	})
	return s
}

func (s *served) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stderr.String()
}

// post sends a JSON body and returns the status and the body.
func (s *served) post(t *testing.T, path, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(s.url+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// TestServeHoldsItsStore: while a server runs, the command line's writers
// refuse its store; a second server too.
func TestServeHoldsItsStore(t *testing.T) {
	store := t.TempDir()
	s := startServe(t, store)
	if code, body := s.post(t, "/v1/users", `{"id": "alice"}`); code != 201 {
		t.Fatalf("create user: %d %s", code, body)
	}
	for _, args := range [][]string{
		{"chat", "--store", store, "--user", "alice", "-p", "hi"},
		{"consolidate", "--store", store, "--user", "alice"},
		{"train", "--store", store, "--limit", "1", "--trials", "1", "--init", "1"},
		{"users", "add-key", "--store", store, "alice"},
		{"serve", "--store", store, "--addr", "127.0.0.1:0"},
	} {
		r := run(t, "", args...)
		if r.code != 1 || !strings.Contains(r.stderr, "serv") || strings.Contains(r.stderr, "goroutine") {
			t.Errorf("milp-lite %s beside a server: exit %d, %q", strings.Join(args, " "), r.code, r.stderr)
		}
	}
}

// TestServeDrainsOnSIGTERM: a stream in flight when SIGTERM arrives runs
// to its end, then the server exits 0.
func TestServeDrainsOnSIGTERM(t *testing.T) {
	s := startServe(t, t.TempDir())
	resp, err := http.Post(s.url+"/v1/completions", "application/json",
		strings.NewReader(`{"prompt": "Once upon a time", "stream": true, "max_tokens": 300, "stop": ["NEVER"], "temperature": 0}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	if _, err := br.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	rest, err := io.ReadAll(br)
	if err != nil || !strings.HasSuffix(strings.TrimSpace(string(rest)), "data: [DONE]") {
		t.Fatalf("the stream after SIGTERM: %v, ends %q", err, tail(string(rest), 80))
	}
	select {
	case err := <-s.exited:
		if err != nil {
			t.Fatalf("serve exited with %v after SIGTERM:\n%s", err, s.log())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("serve still runs after SIGTERM:\n%s", s.log())
	}
}

func tail(s string, n int) string { return s[max(0, len(s)-n):] }

// TestServeSurvivesSIGKILL: a server killed while users chat leaves every
// user's files readable, loses at most the exchanges in flight, and a new
// server serves the store.
func TestServeSurvivesSIGKILL(t *testing.T) {
	store := t.TempDir()
	s := startServe(t, store)
	users := []string{"u1", "u2", "u3", "u4"}
	for _, u := range users {
		if code, body := s.post(t, "/v1/users", fmt.Sprintf(`{"id": %q}`, u)); code != 201 {
			t.Fatalf("create %s: %d %s", u, code, body)
		}
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	completed := map[string]int{}
	stop := make(chan struct{})
	for _, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				body := fmt.Sprintf(`{"messages": [{"role": "user", "content": "message %d"}], "user": %q, "max_tokens": 8}`, i, u)
				resp, err := http.Post(s.url+"/v1/chat/completions", "application/json", strings.NewReader(body))
				if err != nil {
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 {
					mu.Lock()
					completed[u]++
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(700 * time.Millisecond)
	s.cmd.Process.Kill()
	<-s.exited
	close(stop)
	wg.Wait()
	st := milp.Store{Root: store}
	for _, u := range users {
		short, err := st.ShortTerm(u)
		if err != nil {
			t.Fatal(err)
		}
		turns, err := short.Load()
		if err != nil {
			t.Fatalf("%s's short-term memory after SIGKILL: %v", u, err)
		}
		// Every answered request was remembered before it was answered; at
		// most the one in flight may have been remembered unanswered.
		if got := len(turns) / 2; got < completed[u] || got > completed[u]+1 || len(turns)%2 != 0 {
			t.Errorf("%s: %d exchanges remembered, %d answered", u, got, completed[u])
		}
		for _, tr := range turns {
			if tr.Content == "" && tr.Role == "user" {
				t.Errorf("%s: a torn turn %+v", u, tr)
			}
		}
	}
	if _, err := userdata.Load(st.UsersDir()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("histories after SIGKILL: %v", err)
	}
	var keys []map[string]any
	data, _ := os.ReadFile(filepath.Join(store, "keys.json"))
	if json.Unmarshal(data, &keys) != nil || len(keys) != len(users) {
		t.Fatalf("keys.json after SIGKILL: %s", data)
	}
	s2 := startServe(t, store)
	if code, body := s2.post(t, "/v1/chat/completions", `{"messages": [{"role": "user", "content": "message 0"}], "user": "u1", "max_tokens": 4}`); code != 200 {
		t.Fatalf("a new server on the killed one's store: %d %s", code, body)
	}
}
