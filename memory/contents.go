package memory

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/milp-lite/milp-lite/internal/jsonl"
)

// contents is a short-term file as read: its bytes and its turns, with
// where each turn's line ends, so that a consolidation can cut the file
// after the turns it moved without re-encoding the rest.
type contents struct {
	data  []byte
	turns []Turn
	ends  []int // ends[i] is the offset just past turn i's line

	// A damaged tail: invalid lines with no valid one after them, as a
	// torn write or outside damage leaves, from offset tailFrom on.
	tail     error
	tailLine int
	tailFrom int
}

// readContents reads the file at path; a missing file is empty.
func readContents(path string) (contents, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return contents{}, nil
	}
	if err != nil {
		return contents{}, fmt.Errorf("memory: %w", err)
	}
	c, err := parseContents(data, path)
	if err != nil {
		return contents{}, fmt.Errorf("memory: %w", err)
	}
	return c, nil
}

// parseContents reads JSONL turns; blank lines are skipped. Invalid lines at
// the end are the damaged tail; an invalid line followed by a valid one is
// an error naming name and its 1-based line, since no torn write makes it.
func parseContents(data []byte, name string) (contents, error) {
	c := contents{data: data}
	lineEnds := newlineEnds(data)
	tailOnly := false // whether the invalid lines form a tail
	err := jsonl.Read(bytes.NewReader(data), name, func(lineNo int, line []byte) error {
		t, err := decodeTurn(line)
		switch {
		case err != nil && c.tail == nil:
			c.tail, c.tailLine, tailOnly = err, lineNo, true
		case err == nil && c.tail != nil:
			tailOnly = false
		case err == nil:
			c.turns = append(c.turns, t)
			c.ends = append(c.ends, lineEnds(lineNo))
		}
		return nil
	})
	if err != nil {
		return contents{}, err
	}
	if c.tail != nil && !tailOnly {
		return contents{}, fmt.Errorf("%s:%d: %w", name, c.tailLine, c.tail)
	}
	if c.tail != nil {
		c.tailFrom = 0
		if c.tailLine > 1 {
			c.tailFrom = lineEnds(c.tailLine - 1)
		}
	}
	return c, nil
}

func decodeTurn(line []byte) (Turn, error) {
	var t Turn
	if err := jsonl.Decode(line, &t); err != nil {
		return t, err
	}
	return t, t.Validate()
}

// newlineEnds returns a function from a 1-based line number of data to the
// offset just past that line (its newline, or the end of data).
func newlineEnds(data []byte) func(lineNo int) int {
	var ends []int
	for i, b := range data {
		if b == '\n' {
			ends = append(ends, i+1)
		}
	}
	return func(lineNo int) int {
		if lineNo <= len(ends) {
			return ends[lineNo-1]
		}
		return len(data)
	}
}
