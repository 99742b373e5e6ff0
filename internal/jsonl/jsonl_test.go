package jsonl

import (
	"errors"
	"strings"
	"testing"
)

func collect(t *testing.T, text string, maxLine int) ([]int, []string, error) {
	t.Helper()
	var nums []int
	var lines []string
	err := ReadLimit(strings.NewReader(text), "f.jsonl", maxLine, func(n int, line []byte) error {
		nums, lines = append(nums, n), append(lines, strings.TrimSpace(string(line)))
		return nil
	})
	return nums, lines, err
}

func TestReadNumbersLinesAndSkipsBlanks(t *testing.T) {
	nums, lines, err := collect(t, "a\n\n  \nb\nc", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(nums) != 3 || nums[0] != 1 || nums[1] != 4 || nums[2] != 5 || lines[2] != "c" {
		t.Fatalf("got lines %v %q", nums, lines)
	}
}

func TestReadLongLines(t *testing.T) {
	// Longer than bufio's buffer but within the limit: read whole.
	long := strings.Repeat("x", 10000)
	_, lines, err := collect(t, "a\n"+long+"\nb\n", 20000)
	if err != nil || len(lines) != 3 || lines[1] != long {
		t.Fatalf("long line: %v, %d lines", err, len(lines))
	}
	// Over the limit: an error naming the file and line.
	_, _, err = collect(t, "a\n"+long+"\nb\n", 5000)
	if !errors.Is(err, ErrLineTooLong) || !strings.HasPrefix(err.Error(), "f.jsonl:2: ") {
		t.Fatalf("over the limit: %v", err)
	}
}

func TestReadNamesTheLineOfAnError(t *testing.T) {
	err := Read(strings.NewReader("{}\n{}\n"), "f.jsonl", func(n int, _ []byte) error {
		if n == 2 {
			return errors.New("bad")
		}
		return nil
	})
	if err == nil || err.Error() != "f.jsonl:2: bad" {
		t.Fatalf("got %v", err)
	}
}

func TestDecodeIsStrict(t *testing.T) {
	type rec struct {
		A int `json:"a"`
	}
	var r rec
	if err := Decode([]byte(`{"a": 1}`+"\n"), &r); err != nil || r.A != 1 {
		t.Fatalf("valid line: %v %+v", err, r)
	}
	for _, bad := range []string{`{"a": 1} junk`, `{"a": 1}{"a": 2}`, `{"b": 1}`, `{"a": "x"}`, `[1]`, `{"a": 1`} {
		if err := Decode([]byte(bad), &r); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}
