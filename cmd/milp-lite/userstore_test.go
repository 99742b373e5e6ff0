package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// chatAs runs one `chat --user` exchange; it is safe in a goroutine.
func chatAs(store, id, prompt string) error {
	out, err := exec.Command(binary, "chat", "--store", store, "--user", id, "-p", prompt, "--temp", "0", "-n", "4").CombinedOutput()
	if err != nil {
		return fmt.Errorf("chat -p %q: %v: %s", prompt, err, out)
	}
	return nil
}

// userMessages counts each user message of a store's user: those in the
// history (consolidated) and those still in short-term memory. A message
// merged with the next one (when a reply was empty) is a line of its own.
func userMessages(t *testing.T, store, id string) (history, short map[string]int) {
	t.Helper()
	history, short = map[string]int{}, map[string]int{}
	eachLine(t, filepath.Join(store, "users", id+".jsonl"), func(i int, line []byte) {
		var c struct {
			Messages []struct{ Role, Content string }
		}
		if i == 0 { // the profile
			return
		}
		if err := json.Unmarshal(line, &c); err != nil {
			t.Fatalf("history line %d: %v", i+1, err)
		}
		for _, m := range c.Messages {
			if m.Role == "user" {
				for _, part := range strings.Split(m.Content, "\n") {
					history[part]++
				}
			}
		}
	})
	eachLine(t, filepath.Join(store, id, "short_term.jsonl"), func(i int, line []byte) {
		var turn struct{ Role, Content, Time string }
		if err := json.Unmarshal(line, &turn); err != nil {
			t.Fatalf("short-term line %d: %v", i+1, err)
		}
		if turn.Role == "user" {
			short[turn.Content]++
		}
	})
	return history, short
}

// eachLine calls fn with each line of path; a missing file has none.
func eachLine(t *testing.T, path string, fn func(i int, line []byte)) {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines := bufio.NewScanner(f)
	lines.Buffer(nil, 1<<24)
	for i := 0; lines.Scan(); i++ {
		fn(i, lines.Bytes())
	}
	if err := lines.Err(); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentChatsLoseNothing runs 20 pairs of chat processes of one user
// at once, then chats while a consolidation trains: every exchange must end
// up exactly once, in the history or in short-term memory.
func TestConcurrentChatsLoseNothing(t *testing.T) {
	store, id := t.TempDir(), "u1"
	if err := os.MkdirAll(filepath.Join(store, id), 0o755); err != nil {
		t.Fatal(err)
	}
	var sent []string
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for pair := range 20 {
		for side := range 2 {
			msg := fmt.Sprintf("note %d-%d.", pair, side)
			sent = append(sent, msg)
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := chatAs(store, id, msg); err != nil {
					errs <- err
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	consolidate := exec.Command(binary, "consolidate", "--store", store, "--user", id, "--epochs", "8", "--train-ctx", "64")
	var consolidateOut strings.Builder
	consolidate.Stdout, consolidate.Stderr = &consolidateOut, &consolidateOut
	if err := consolidate.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- consolidate.Wait() }()
	var consolidateErr error
	for during := 0; ; during++ {
		select {
		case consolidateErr = <-done:
		default:
			msg := fmt.Sprintf("during %d.", during)
			sent = append(sent, msg)
			if err := chatAs(store, id, msg); err != nil {
				t.Fatal(err)
			}
			continue
		}
		break
	}
	if consolidateErr != nil {
		t.Fatalf("consolidate: %v: %s", consolidateErr, consolidateOut.String())
	}

	history, short := userMessages(t, store, id)
	for _, msg := range sent {
		if n := history[msg] + short[msg]; n != 1 {
			t.Errorf("%q stored %d times (history %d, short-term %d), want once", msg, n, history[msg], short[msg])
		}
	}
	t.Logf("%d chats during the consolidation, %d after its read", len(sent)-40, len(short))
	if len(short) == 0 {
		t.Fatalf("no chat arrived while the consolidation trained (%d sent during it): the test proved nothing", len(sent)-40)
	}
}

// TestChatOverTornShortTerm: a short-term file whose last line was torn
// still serves its valid turns; the chat warns, keeps the damaged bytes
// aside and records the new exchange.
func TestChatOverTornShortTerm(t *testing.T) {
	store, id := t.TempDir(), "u1"
	short := filepath.Join(store, id, "short_term.jsonl")
	os.MkdirAll(filepath.Dir(short), 0o755)
	valid := `{"role":"user","content":"My knee hurts.","time":"2024-05-01T10:00:00Z"}` + "\n" +
		`{"role":"assistant","content":"Rest it.","time":"2024-05-01T10:00:03Z"}` + "\n"
	torn := `{"role":"user","content":"Still hu`
	os.WriteFile(short, []byte(valid+torn), 0o644)
	for i, prompt := range []string{"Is my knee better?", "And now?"} {
		r := run(t, "", "chat", "--store", store, "--user", id, "-p", prompt, "--temp", "0", "-n", "4")
		if r.code != 0 {
			t.Fatalf("chat %d over a torn short-term file: exit %d: %s", i+1, r.code, r.stderr)
		}
		warned := strings.Contains(r.stderr, "short_term.jsonl:3: damaged tail")
		if warned != (i == 0) {
			t.Fatalf("chat %d: warned %v, want only the first to warn:\n%s", i+1, warned, r.stderr)
		}
	}
	kept, _ := filepath.Glob(short + ".damaged-*")
	if len(kept) != 1 {
		t.Fatalf("damaged tails kept: %v", kept)
	}
	if data, _ := os.ReadFile(kept[0]); string(data) != torn {
		t.Fatalf("%s holds %q, want the torn line", kept[0], data)
	}
	_, turns := userMessages(t, store, id)
	for _, msg := range []string{"My knee hurts.", "Is my knee better?", "And now?"} {
		if turns[msg] != 1 {
			t.Errorf("short-term memory holds %q %d times, want once", msg, turns[msg])
		}
	}
}

// TestUserIDsCannotBreakTheStore: an empty ID or one of the store's own
// names is refused by every command that takes a user, before it writes.
func TestUserIDsCannotBreakTheStore(t *testing.T) {
	store := t.TempDir()
	data := filepath.Join(t.TempDir(), "data")
	os.MkdirAll(data, 0o755)
	os.WriteFile(filepath.Join(data, "users.jsonl"), []byte(`{"user":"users","persona":[],"source":"","licence":""}`+"\n"+
		`{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}]}`+"\n"), 0o644)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"chat", "--store", store, "--user", "", "-p", "hi"}, `--user "" is not a valid user ID: it is empty`},
		{[]string{"chat", "--store", store, "--user", "users", "-p", "hi"}, `--user "users" cannot be a user ID: the store keeps its own users folder`},
		{[]string{"chat", "--store", store, "--user", "Users"}, `--user "Users" cannot be a user ID`},
		{[]string{"consolidate", "--store", store, "--user", ""}, `--user "" is not a valid user ID: it is empty`},
		{[]string{"consolidate", "--store", store, "--user", "users"}, `--user "users" cannot be a user ID`},
		{[]string{"train", "--store", store, "--users", data, "--trials", "1", "--init", "1"}, `"users" cannot be a user ID`},
	}
	for _, c := range cases {
		r := run(t, "", c.args...)
		if r.code != 1 || !strings.Contains(r.stderr, c.want) || strings.Contains(r.stderr, "goroutine") {
			t.Errorf("milp-lite %q: exit %d, stderr %q; want exit 1 and %q", c.args, r.code, r.stderr, c.want)
		}
	}
	var written []string
	filepath.Walk(store, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			written = append(written, path)
		}
		return nil
	})
	if len(written) > 0 {
		t.Errorf("refused IDs wrote into the store: %v", written)
	}
}

// TestMainJobKeepsStoredHistory re-runs the main job over a store whose
// history holds a conversation of the user's that the embedded sample lacks
// (one consolidated from chats): it must stay, and the sample's be added.
func TestMainJobKeepsStoredHistory(t *testing.T) {
	store, id := t.TempDir(), "spc-216baf81"
	history := filepath.Join(store, "users", id+".jsonl")
	os.MkdirAll(filepath.Dir(history), 0o755)
	consolidated := `{"messages":[{"role":"user","content":"I bought a red bicycle yesterday."},{"role":"assistant","content":"Nice!"}]}`
	os.WriteFile(history, []byte(`{"user":"`+id+`","persona":[],"source":"","licence":""}`+"\n"+consolidated+"\n"), 0o644)
	r := run(t, "", "train", "--store", store, "--limit", "1", "--trials", "1", "--init", "1", "--epochs", "1",
		"--train-ctx", "128", "--val-turns", "3", "--test-turns", "3")
	if r.code != 0 {
		t.Fatalf("train: exit %d: %s", r.code, r.stderr)
	}
	data, err := os.ReadFile(history)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) < 3 || lines[1] != consolidated || !strings.Contains(lines[0], `"persona":["`) {
		t.Fatalf("the history after the main job (%d lines) lost the stored conversation or gained nothing:\n%.600s", len(lines), data)
	}
}
