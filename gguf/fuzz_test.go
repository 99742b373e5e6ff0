package gguf

import (
	"bytes"
	"flag"
	"slices"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse. It must never panic, and any input
// that parses must re-write, re-parse to the same content, and re-write to the
// same bytes.
//
// Seeds: the repository's GGUF files (the larger vocabularies only when not
// fuzzing, as mutating megabytes is slow), small pieces of each, and small
// synthesised files covering every value type.
func FuzzParse(f *testing.F) {
	fuzzing := testingFuzzing()
	for _, path := range repoGGUFs(f) {
		data := readFileT(f, path)
		if !fuzzing || len(data) <= 2<<20 {
			f.Add(data)
		}
		for _, n := range []int{24, 100, 1000, 4096} {
			f.Add(slices.Clone(data[:n]))
		}
	}
	f.Add(baseSpec().bytes())
	f.Add(writeBytes(f, allTypesBuilder()))
	f.Add([]byte{})
	f.Add([]byte("GGUF"))

	f.Fuzz(func(t *testing.T, data []byte) {
		f1, err := Parse(data)
		if err != nil {
			return
		}
		var out1 bytes.Buffer
		if _, err := f1.Builder().WriteTo(&out1); err != nil {
			t.Fatalf("parsed file cannot be re-written: %v", err)
		}
		f2, err := Parse(out1.Bytes())
		if err != nil {
			t.Fatalf("re-written file does not parse: %v", err)
		}
		sameContent(t, f1, f2)
		var out2 bytes.Buffer
		if _, err := f2.Builder().WriteTo(&out2); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out1.Bytes(), out2.Bytes()) {
			t.Fatalf("second re-write differs at byte %d", firstDiff(out1.Bytes(), out2.Bytes()))
		}
		if !bytes.Equal(data, out1.Bytes()) && allPaddingZero(f1, data) {
			t.Fatalf("a file with zero padding did not re-write byte for byte (differs at byte %d)", firstDiff(data, out1.Bytes()))
		}
	})
}

// sameContent checks that two files hold the same version, metadata (key order,
// types and encoded values) and tensors (infos and data).
func sameContent(t *testing.T, a, b *File) {
	t.Helper()
	if a.Version != b.Version || a.Alignment != b.Alignment || a.DataOffset != b.DataOffset {
		t.Fatalf("header: v%d/%d/%d vs v%d/%d/%d", a.Version, a.Alignment, a.DataOffset, b.Version, b.Alignment, b.DataOffset)
	}
	if len(a.KV) != len(b.KV) || len(a.Tensors) != len(b.Tensors) {
		t.Fatalf("counts: %d kv %d tensors vs %d kv %d tensors", len(a.KV), len(a.Tensors), len(b.KV), len(b.Tensors))
	}
	for i := range a.KV {
		ka, kb := a.KV[i], b.KV[i]
		if ka.Key != kb.Key || ka.Value.Type() != kb.Value.Type() || !bytes.Equal(encodeValue(ka.Value), encodeValue(kb.Value)) {
			t.Fatalf("kv %d: %q=%v vs %q=%v", i, ka.Key, ka.Value, kb.Key, kb.Value)
		}
	}
	for i := range a.Tensors {
		ta, tb := &a.Tensors[i], &b.Tensors[i]
		if ta.Name != tb.Name || ta.Type != tb.Type || ta.Offset != tb.Offset || !slices.Equal(ta.Dims, tb.Dims) {
			t.Fatalf("tensor %d: %+v vs %+v", i, *ta, *tb)
		}
		if !bytes.Equal(a.TensorData(ta), b.TensorData(tb)) {
			t.Fatalf("tensor %d (%q): data differs", i, ta.Name)
		}
	}
}

func encodeValue(v Value) []byte {
	e := &encoder{}
	e.value(v)
	return e.buf
}

// allPaddingZero reports whether every byte of data that is neither header nor
// tensor data is zero, i.e. whether a writer could have produced it exactly.
func allPaddingZero(f *File, data []byte) bool {
	used := make([]bool, len(data))
	for i := range f.Tensors {
		start := f.DataOffset + f.Tensors[i].Offset
		for j := start; j < start+f.Tensors[i].Bytes(); j++ {
			used[j] = true
		}
	}
	for i := f.headerEnd; i < len(data); i++ {
		if !used[i] && data[i] != 0 {
			return false
		}
	}
	return true
}

// testingFuzzing reports whether the test binary runs with -test.fuzz.
func testingFuzzing() bool {
	fl := flag.Lookup("test.fuzz")
	return fl != nil && fl.Value.String() != ""
}
