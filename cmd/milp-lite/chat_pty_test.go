//go:build linux

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// ptyChat is the chat command on a pseudo-terminal, as a person runs it.
type ptyChat struct {
	t    *testing.T
	cmd  *exec.Cmd
	tty  *os.File
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

func startPTYChat(t *testing.T, args ...string) *ptyChat {
	t.Helper()
	p := &ptyChat{t: t, cmd: exec.Command(binary, args...), done: make(chan struct{})}
	tty, err := pty.StartWithSize(p.cmd, &pty.Winsize{Rows: 24, Cols: 100})
	if err != nil {
		t.Fatal(err)
	}
	p.tty = tty
	go func() {
		defer close(p.done)
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			p.mu.Lock()
			p.out.Write(buf[:n])
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { p.cmd.Process.Kill(); tty.Close() })
	return p
}

// waitFor waits until the output holds n prompts ("> ") or want.
func (p *ptyChat) waitFor(want string, n int) {
	p.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		p.mu.Lock()
		out := p.out.String()
		p.mu.Unlock()
		if strings.Count(out, want) >= n {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.t.Fatalf("no %d× %q on the terminal:\n%q", n, want, p.output())
}

func (p *ptyChat) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

func (p *ptyChat) send(keys string) {
	if _, err := p.tty.WriteString(keys); err != nil {
		p.t.Fatal(err)
	}
}

// exitCode waits for the command to end.
func (p *ptyChat) exitCode() int {
	err := p.cmd.Wait()
	<-p.done
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		p.t.Fatal(err)
	}
	return 0
}

// TestChatLineEditingOnATerminal: on a terminal the prompt edits lines
// (arrow keys move in the line instead of reaching the model as ^[[D),
// keeps a history that the next chat recalls with the Up arrow, and
// Ctrl-C at the prompt exits with status 130.
func TestChatLineEditingOnATerminal(t *testing.T) {
	store := t.TempDir()
	args := []string{"chat", "--store", store, "--temp", "0", "-n", "3"}
	p := startPTYChat(t, args...)
	p.waitFor("> ", 1)
	p.send("Once upon\r")
	p.waitFor("> ", 2)
	p.send("abc\x1b[D\x1b[DX\r") // two steps left, then X: aXbc
	p.waitFor("> ", 3)
	p.send("\x03")
	if code := p.exitCode(); code != 130 {
		t.Fatalf("Ctrl-C at the prompt: exit %d, want 130:\n%q", code, p.output())
	}
	if strings.Contains(p.output(), "^[[D") {
		t.Fatalf("an arrow key reached the model:\n%q", p.output())
	}
	path := filepath.Join(store, ".chat_history")
	if data, err := os.ReadFile(path); err != nil || string(data) != "Once upon\naXbc\n" {
		t.Fatalf("history %q, %v", data, err)
	}

	p = startPTYChat(t, args...)
	p.waitFor("> ", 1)
	p.send("\x1b[A\x1b[A") // two entries back: "Once upon"
	p.waitFor("Once upon", 1)
	p.send("\x1b[B") // one forward: "aXbc"
	p.waitFor("aXbc", 1)
	p.send("\r")
	p.waitFor("> ", 2)
	p.send("\x04") // Ctrl-D on an empty line
	if code := p.exitCode(); code != 0 {
		t.Fatalf("Ctrl-D: exit %d:\n%q", code, p.output())
	}
	if data, _ := os.ReadFile(path); string(data) != "Once upon\naXbc\n" {
		t.Fatalf("a repeat of the last entry was added: %q", data)
	}
}

// TestChatInterruptFromAPipe: with its input from a pipe, Ctrl-C (SIGINT)
// at the prompt ends the chat with status 130 too.
func TestChatInterruptFromAPipe(t *testing.T) {
	cmd := exec.Command(binary, "chat", "--store", t.TempDir(), "-n", "3")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	var seen []byte
	for !bytes.HasSuffix(seen, []byte("> ")) {
		n, err := stdout.Read(buf)
		if err != nil {
			t.Fatalf("no prompt: %v, %q", err, seen)
		}
		seen = append(seen, buf[:n]...)
	}
	cmd.Process.Signal(os.Interrupt)
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Fatalf("SIGINT at the prompt: %v, want exit status 130", err)
	}
}
