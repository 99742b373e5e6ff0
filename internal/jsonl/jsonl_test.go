package jsonl

import (
	"errors"
	"io"
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

func TestDecodeRefusesDuplicateKeys(t *testing.T) {
	type msg struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	}
	type conv struct {
		Messages []msg `json:"messages"`
		Meta     any   `json:"meta"`
	}
	var c conv
	valid := `{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}], "meta": {"x": [1, {"x": 2}]}}`
	if err := Decode([]byte(valid), &c); err != nil || len(c.Messages) != 2 {
		t.Fatalf("the same key in different objects: %v %+v", err, c)
	}
	for _, tc := range []struct{ line, key string }{
		{`{"messages": [], "messages": [{"role": "user", "content": "a"}]}`, "messages"},
		{`{"Messages": [], "messages": []}`, "messages"},
		{`{"messages": [{"role": "user", "content": "a", "content": "b"}]}`, "content"},
		{`{"meta": {"x": [{"y": 1, "z": {"q": 1, "q": 2}}]}}`, "q"},
	} {
		err := Decode([]byte(tc.line), &c)
		if err == nil || !strings.Contains(err.Error(), "duplicate key") || !strings.Contains(strings.ToLower(err.Error()), `"`+tc.key+`"`) {
			t.Errorf("%s: %v, want a duplicate key %q", tc.line, err, tc.key)
		}
	}
}

func TestDecodeRefusesTextAfterTheValue(t *testing.T) {
	var v map[string]int
	for _, line := range []string{`{"a": 1} junk`, `{"a": 1} {"a": 2}`, `{"a": 1}{"b": 2}` + "\n", `{"a": 1} 2`} {
		err := Decode([]byte(line), &v)
		if err == nil || !strings.Contains(err.Error(), "unexpected text after the JSON value") {
			t.Errorf("%q: %v", line, err)
		}
	}
}

// repeated is an endless stream of one byte.
type repeated byte

func (r repeated) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// TestReadRefusesA70MBLine reads a file whose second line is 70 MB: the
// error names the file and line and the limit, after reading little more
// than the limit.
func TestReadRefusesA70MBLine(t *testing.T) {
	counted := &countingReader{r: io.MultiReader(strings.NewReader("{}\n"), io.LimitReader(repeated('x'), 70<<20))}
	err := Read(counted, "big.jsonl", func(int, []byte) error { return nil })
	if !errors.Is(err, ErrLineTooLong) || err.Error() != "big.jsonl:2: line too long (over the limit of 16 MiB)" {
		t.Fatalf("got %v", err)
	}
	if counted.n > MaxLineBytes+1<<20 {
		t.Fatalf("read %d bytes to refuse the line", counted.n)
	}
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}
