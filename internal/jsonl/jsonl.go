// Package jsonl reads JSON Lines files strictly and within bounds: every
// user-facing JSONL file of milp-lite (histories, training data, short-term
// memory) goes through it, so they share one notion of a valid line and one
// error format, "<file>:<line>: <what>".
package jsonl

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/dustin/go-humanize"
)

// MaxLineBytes bounds one line: a conversation is far smaller, and a line
// without a newline in a damaged or hostile file must not be read into memory
// whole.
const MaxLineBytes = 16 << 20

// ErrLineTooLong is wrapped by the error for a line over the limit.
var ErrLineTooLong = errors.New("line too long")

// Read calls fn with every non-blank line of r and its 1-based number, up
// to MaxLineBytes a line. An error of fn, of reading, or a line over the
// limit is returned as "name:line: error".
func Read(r io.Reader, name string, fn func(lineNo int, line []byte) error) error {
	return ReadLimit(r, name, MaxLineBytes, fn)
}

// ReadLimit is Read with a line limit of maxLine bytes.
func ReadLimit(r io.Reader, name string, maxLine int, fn func(lineNo int, line []byte) error) error {
	br := bufio.NewReader(r)
	var long []byte
	for lineNo := 1; ; lineNo++ {
		line, err := br.ReadSlice('\n')
		// A line longer than the reader's buffer arrives in pieces.
		long = long[:0]
		for errors.Is(err, bufio.ErrBufferFull) {
			long = append(long, line...)
			if len(long) > maxLine {
				return fmt.Errorf("%s:%d: %w (over the limit of %s)", name, lineNo, ErrLineTooLong, humanize.IBytes(uint64(maxLine)))
			}
			line, err = br.ReadSlice('\n')
		}
		if len(long) > 0 {
			line = append(long, line...)
		}
		if len(line) > maxLine {
			return fmt.Errorf("%s:%d: %w (over the limit of %s)", name, lineNo, ErrLineTooLong, humanize.IBytes(uint64(maxLine)))
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("%s:%d: %w", name, lineNo, err)
		}
		if len(bytes.TrimSpace(line)) > 0 {
			if ferr := fn(lineNo, line); ferr != nil {
				return fmt.Errorf("%s:%d: %w", name, lineNo, ferr)
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

// Decode decodes line, which must hold exactly one JSON value, into v:
// unknown fields, a key twice in one object, a second value or anything
// else after the first are errors, so a typo in a key or two records run
// together are caught rather than half read.
func Decode(line []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if rest := bytes.TrimSpace(line[dec.InputOffset():]); len(rest) > 0 {
		return fmt.Errorf("unexpected text after the JSON value: %q", cut(rest, 40))
	}
	return checkDuplicateKeys(line)
}

// cut shortens untrusted text quoted in an error.
func cut(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "…"
}
