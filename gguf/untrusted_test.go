package gguf

import (
	"strings"
	"testing"
)

// maxErrorLen bounds an error line about a hostile file: long enough for
// every position and count, far shorter than the strings such a file holds.
const maxErrorLen = 600

// TestLongStringsAreCutInErrors: a key or tensor name from the file enters an
// error cut to a few dozen characters, whatever its length.
func TestLongStringsAreCutInErrors(t *testing.T) {
	long := strings.Repeat("k", 1<<20)
	cases := []struct {
		name   string
		mutate func(s *rawSpec)
	}{
		{"duplicate key", func(s *rawSpec) { s.kvs[0] = rawKV(long, uint32(TypeUint32), u32b(1)); s.kvs[1] = s.kvs[0] }},
		{"unknown value type", func(s *rawSpec) { s.kvs[0] = rawKV(long, 13, u32b(1)) }},
		{"duplicate tensor", func(s *rawSpec) { s.tensors[0].name, s.tensors[1].name = long, long }},
		{"tensor past the end", func(s *rawSpec) { s.tensors[1].name, s.tensors[1].offset = long, 1<<20 }},
		{"overlapping tensors", func(s *rawSpec) { s.tensors[0].name, s.tensors[1].offset = long, 0 }},
	}
	for _, c := range cases {
		s := baseSpec()
		c.mutate(&s)
		_, err := Parse(s.bytes())
		if err == nil || len(err.Error()) > maxErrorLen || !strings.Contains(err.Error(), "kkkk") {
			t.Errorf("%s: error of %d bytes, want one under %d quoting the start of the string", c.name, errLen(err), maxErrorLen)
		}
	}
}

func errLen(err error) int {
	if err == nil {
		return 0
	}
	return len(err.Error())
}

// TestQuote: short strings are quoted whole; long ones are cut on a character
// boundary and say how long they were.
func TestQuote(t *testing.T) {
	if got := Quote("llama"); got != `"llama"` {
		t.Errorf("Quote(llama) = %s", got)
	}
	got := Quote(strings.Repeat("é", 1000))
	if !strings.HasPrefix(got, `"éé`) || !strings.HasSuffix(got, `"... (2000 bytes)`) || len(got) > 200 {
		t.Errorf("Quote of 1000 é = %s", got)
	}
}
