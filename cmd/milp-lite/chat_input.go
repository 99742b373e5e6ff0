package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// errInterrupted is Ctrl-C at the prompt: the chat ends with status 130,
// as a shell's commands do on SIGINT.
var errInterrupted = errors.New("interrupted")

// lineReader gives the chat's input a line at a time: io.EOF at the end
// (Ctrl-D), errInterrupted for Ctrl-C at the prompt.
type lineReader interface {
	ReadLine(prompt string) (string, error)
}

// newLineReader edits lines on a terminal (golang.org/x/term's Terminal:
// arrows, Home/End, Ctrl-A/E/K/U/W, and Up/Down through the history,
// which is kept in historyPath) and reads plain lines from anything else
// (a pipe, a file), where there is nothing to edit and no history.
//
// x/term is used rather than a readline library: it is already a
// dependency, kept by the Go team, and does what a chat prompt needs; the
// readline libraries add reverse search but are no longer maintained.
func newLineReader(in *os.File, out io.Writer, historyPath string) lineReader {
	fd := int(in.Fd())
	if !term.IsTerminal(fd) || !term.IsTerminal(int(os.Stdout.Fd())) {
		s := bufio.NewScanner(in)
		s.Buffer(make([]byte, 64*1024), 1<<20)
		return &plainLines{in: s, out: out}
	}
	keys := &ctrlCWatch{r: in}
	t := term.NewTerminal(struct {
		io.Reader
		io.Writer
	}{keys, out}, "")
	t.History = loadHistory(historyPath, func(err error) { fmt.Fprintf(os.Stderr, "warning: chat history: %v\n", err) })
	return &terminalLines{t: t, fd: fd, keys: keys}
}

// plainLines reads lines from a pipe or a file, echoing the prompt.
type plainLines struct {
	in  *bufio.Scanner
	out io.Writer
}

func (p *plainLines) ReadLine(prompt string) (string, error) {
	io.WriteString(p.out, prompt)
	if !p.in.Scan() {
		io.WriteString(p.out, "\n")
		if err := p.in.Err(); err != nil {
			return "", err
		}
		return "", io.EOF
	}
	return p.in.Text(), nil
}

// terminalLines edits a line in raw mode, then gives the terminal back, so
// that Ctrl-C during a reply is a signal that stops it.
type terminalLines struct {
	t    *term.Terminal
	fd   int
	keys *ctrlCWatch
}

func (l *terminalLines) ReadLine(prompt string) (string, error) {
	if w, h, err := term.GetSize(l.fd); err == nil {
		l.t.SetSize(w, h)
	}
	old, err := term.MakeRaw(l.fd)
	if err != nil {
		return "", err
	}
	defer term.Restore(l.fd, old)
	l.t.SetPrompt(prompt)
	l.keys.sawCtrlC = false
	line, err := l.t.ReadLine()
	if err == io.EOF && l.keys.sawCtrlC { // x/term ends the line alike on Ctrl-C and Ctrl-D
		l.t.Write([]byte("^C\n"))
		return "", errInterrupted
	}
	if err == term.ErrPasteIndicator { // a pasted line is a line
		err = nil
	}
	return strings.TrimRight(line, "\r"), err
}

// ctrlCWatch notes a Ctrl-C among the keys the terminal reads.
type ctrlCWatch struct {
	r        io.Reader
	sawCtrlC bool
}

func (w *ctrlCWatch) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	if bytes.IndexByte(p[:n], 3) >= 0 {
		w.sawCtrlC = true
	}
	return n, err
}
