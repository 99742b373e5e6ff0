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

// parseContents reads JSONL turns; blank lines are skipped, anything else
// that is not a valid turn is an error naming name and the 1-based line.
func parseContents(data []byte, name string) (contents, error) {
	c := contents{data: data}
	lineEnds := newlineEnds(data)
	err := jsonl.Read(bytes.NewReader(data), name, func(lineNo int, line []byte) error {
		var t Turn
		if err := jsonl.Decode(line, &t); err != nil {
			return err
		}
		if err := t.Validate(); err != nil {
			return err
		}
		c.turns = append(c.turns, t)
		c.ends = append(c.ends, lineEnds(lineNo))
		return nil
	})
	return c, err
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
