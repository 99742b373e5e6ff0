package gguf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/milp-lite/milp-lite/internal/atomicfile"
	"github.com/milp-lite/milp-lite/quant"
)

func writeBytes(t testing.TB, b *Builder) []byte {
	t.Helper()
	var buf bytes.Buffer
	n, err := b.WriteTo(&buf)
	require.NoError(t, err)
	if n != int64(buf.Len()) {
		t.Fatalf("WriteTo reported %d bytes, wrote %d", n, buf.Len())
	}
	return buf.Bytes()
}

func TestRoundTripRepoFilesByteForByte(t *testing.T) {
	for _, path := range repoGGUFs(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			orig := readFileT(t, path)
			f := openT(t, path)
			out := writeBytes(t, f.Builder())
			if !bytes.Equal(out, orig) {
				t.Fatalf("re-written file differs: %d bytes vs %d, first difference at byte %d", len(out), len(orig), firstDiff(out, orig))
			}
		})
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// f32Bytes encodes xs little-endian.
func f32Bytes(xs ...float32) []byte {
	var out []byte
	for _, x := range xs {
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(x))
	}
	return out
}

// allTypesBuilder sets one value of every GGUF type, plus arrays.
func allTypesBuilder() *Builder {
	b := NewBuilder()
	b.Set("u8", U8(200))
	b.Set("i8", I8(-100))
	b.Set("u16", U16(60000))
	b.Set("i16", I16(-30000))
	b.Set("u32", U32(4000000000))
	b.Set("i32", I32(-2000000000))
	b.Set("f32", F32(1.5))
	b.Set("bool", Bool(true))
	b.Set("string", Str("héllo"))
	b.Set("u64", U64(math.MaxUint64))
	b.Set("i64", I64(math.MinInt64))
	b.Set("f64", F64(-2.25))
	b.Set("strings", StringArray([]string{"a", "", "ccc"}))
	b.Set("f32s", Float32Array([]float32{1, -2, 3.5}))
	b.Set("i32s", Int32Array([]int32{-1, 0, 7}))
	b.Set("u8s", ArrayOf([]uint8{1, 2}))
	b.Set("u32s", ArrayOf([]uint32{1, 4000000000}))
	b.Set("bools", ArrayOf([]bool{true, false}))
	b.Set("empty", ArrayOf([]int64{}))
	b.Set("nested", NestedArray([]Value{ArrayOf([]int16{-1, 2}), StringArray([]string{"x"})}))
	return b
}

// TestWriteLayout checks the writer's bytes against a hand-assembled file.
func TestWriteLayout(t *testing.T) {
	b := NewBuilder()
	b.Set("k", U32(7))
	if err := b.AddTensor("w", quant.F32, []uint64{2}, f32Bytes(1, 2)); err != nil {
		t.Fatal(err)
	}
	got := writeBytes(t, b)

	var want []byte
	le := binary.LittleEndian
	want = append(want, "GGUF"...)
	want = le.AppendUint32(want, 3)
	want = le.AppendUint64(want, 1) // tensors
	want = le.AppendUint64(want, 1) // kvs
	want = le.AppendUint64(want, 1)
	want = append(want, 'k')
	want = le.AppendUint32(want, 4) // u32
	want = le.AppendUint32(want, 7)
	want = le.AppendUint64(want, 1)
	want = append(want, 'w')
	want = le.AppendUint32(want, 1) // n_dims
	want = le.AppendUint64(want, 2)
	want = le.AppendUint32(want, 0) // F32
	want = le.AppendUint64(want, 0) // offset
	// header is 24+13+4+9+4+8+4+8 = 74 bytes, padded to 96
	want = append(want, make([]byte, 96-len(want))...)
	want = append(want, f32Bytes(1, 2)...)
	want = append(want, make([]byte, 32-8)...) // last tensor padded to the alignment
	if !bytes.Equal(got, want) {
		t.Fatalf("got\n%x\nwant\n%x", got, want)
	}
}

func TestWriteReadAllTypes(t *testing.T) {
	for _, version := range []uint32{2, 3} {
		b := allTypesBuilder()
		b.Version = version
		b.Set(AlignmentKey, U32(64))
		q := make([]byte, 2*18) // two Q4_0 blocks
		for i := range q {
			q[i] = byte(i)
		}
		require.NoError(t, b.AddTensor("a", quant.F32, []uint64{3, 1}, f32Bytes(1, 2, 3)))
		require.NoError(t, b.AddTensor("q", quant.Q4_0, []uint64{32, 2}, q))
		data := writeBytes(t, b)
		f, err := Parse(data)
		require.NoError(t, err)
		assert.Equal(t, version, f.Version)
		assert.Equal(t, uint64(64), f.Alignment)
		assert.Equal(t, uint64(0), f.DataOffset%64)
		assert.Equal(t, uint64(64), f.Tensors[1].Offset)
		assert.Equal(t, f32Bytes(1, 2, 3), f.TensorData(&f.Tensors[0]))
		assert.Equal(t, q, f.TensorData(&f.Tensors[1]))
		assert.Equal(t, f.DataOffset+128, uint64(len(data)))

		assert.Equal(t, uint64(200), must(f.Uint("u8")))
		assert.Equal(t, int64(-100), must(f.Int("i8")))
		assert.Equal(t, uint64(60000), must(f.Uint("u16")))
		assert.Equal(t, int64(-30000), must(f.Int("i16")))
		assert.Equal(t, uint64(4000000000), must(f.Uint("u32")))
		assert.Equal(t, int64(-2000000000), must(f.Int("i32")))
		assert.Equal(t, 1.5, must(f.Float("f32")))
		assert.True(t, must(f.Bool("bool")))
		assert.Equal(t, "héllo", must(f.String("string")))
		assert.Equal(t, uint64(math.MaxUint64), must(f.Uint("u64")))
		assert.Equal(t, int64(math.MinInt64), must(f.Int("i64")))
		assert.Equal(t, -2.25, must(f.Float("f64")))
		assert.Equal(t, []string{"a", "", "ccc"}, must(f.Strings("strings")))
		assert.Len(t, must(f.Float32s("f32s")), 3)
		assert.Equal(t, float32(3.5), must(f.Float32s("f32s"))[2])
		assert.Equal(t, int32(-1), must(f.Int32s("i32s"))[0])
		assert.Equal(t, int32(2), must(f.Int32s("u8s"))[1]) // converted
		assert.ErrorContains(t, second(f.Int32s("u32s")), "element 1", "u32 4000000000 as i32")
		assert.ErrorContains(t, second(f.Uint("i8")), "non-negative", "Uint of -100")
		assert.ErrorContains(t, second(f.Int("u64")), "overflows int64", "Int of MaxUint64")
		v, _ := f.Get("bools")
		bools, ok := Slice[bool](v)
		if !ok || len(bools) != 2 || !bools[0] || bools[1] {
			t.Errorf("bools = %v", bools)
		}
		v, _ = f.Get("empty")
		if elem, _ := v.ElemType(); elem != TypeInt64 || v.Len() != 0 {
			t.Errorf("empty array: %v", v)
		}
		v, _ = f.Get("nested")
		inner, ok := v.Arrays()
		if !ok || len(inner) != 2 {
			t.Fatalf("nested: %v", v)
		}
		i16s, ok := Slice[int16](inner[0])
		if !ok || i16s[0] != -1 || i16s[1] != 2 {
			t.Errorf("nested[0] = %v", inner[0])
		}
		assert.Equal(t, `[array × 2] [[i16 × 2] [-1, 2], [string × 1] ["x"]]`, v.String())

		// The parsed file re-writes to the same bytes.
		if again := writeBytes(t, f.Builder()); !bytes.Equal(again, data) {
			t.Errorf("v%d: re-write differs at byte %d", version, firstDiff(again, data))
		}
	}
}

func TestValueString(t *testing.T) {
	cases := []struct {
		v    Value
		want string
	}{
		{U8(3), "3"}, {I64(-5), "-5"}, {F32(0.1), "0.1"}, {F64(1e-6), "1e-06"}, {Bool(false), "false"},
		{Str("a\"b"), `"a\"b"`},
		{Str(strings.Repeat("é", 70)), `"` + strings.Repeat("é", 60) + `"... (140 bytes)`},
		{Int32Array([]int32{1, 2, 3, 4, 5, 6}), "[i32 × 6] [1, 2, 3, 4, 5, ...]"},
		{StringArray(nil), "[string × 0] []"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, c.v.String())
	}
}

func TestAddTensorValidation(t *testing.T) {
	b := NewBuilder()
	require.NoError(t, b.AddTensor("ok", quant.F16, []uint64{4}, make([]byte, 8)))
	cases := []struct {
		name string
		typ  quant.Type
		dims []uint64
		n    int
		want string
	}{
		{"ok", quant.F32, []uint64{1}, 4, "duplicate tensor name"},
		{"", quant.F32, []uint64{1}, 4, "empty tensor name"},
		{"x", quant.F32, nil, 0, "no dims"},
		{"x", quant.F32, []uint64{1, 1, 1, 1, 1}, 4, "5 dims, at most 4"},
		{"x", quant.F32, []uint64{4, 0}, 0, "dims[1] is zero"},
		{"x", quant.Type(99), []uint64{4}, 16, "unknown tensor type 99"},
		{"x", quant.Q4_K, []uint64{128}, 72, "not a multiple of the Q4_K block size 256"},
		{"x", quant.F32, []uint64{1 << 62, 4}, 0, "overflows the element count"},
		{"x", quant.F32, []uint64{3}, 8, "8 bytes of data, want 12"},
	}
	for _, c := range cases {
		err := b.AddTensor(c.name, c.typ, c.dims, make([]byte, c.n))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("AddTensor(%q, %s, %v): got %v, want %q", c.name, c.typ, c.dims, err, c.want)
		}
	}
}

func TestBuilderInvalidWritesNothing(t *testing.T) {
	cases := []struct {
		set  func(b *Builder)
		want string
	}{
		{func(b *Builder) { b.Version = 1 }, "cannot write GGUF version 1"},
		{func(b *Builder) { b.Set(AlignmentKey, U32(48)) }, "not a power of two"},
		{func(b *Builder) { b.Set(AlignmentKey, U64(64)) }, "has type u64, want u32"},
		{func(b *Builder) { b.Set("n", NestedArray([]Value{U8(1)})) }, "element 0 of an array of arrays is a u8"},
		{func(b *Builder) { b.Set("a", Value{typ: TypeArray}) }, "array value has no elements"},
	}
	for _, c := range cases {
		b := NewBuilder()
		c.set(b)
		var buf bytes.Buffer
		_, err := b.WriteTo(&buf)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
		if buf.Len() != 0 {
			t.Errorf("%q: wrote %d bytes despite the error", c.want, buf.Len())
		}
	}
}

func TestBuilderSetDelete(t *testing.T) {
	b := NewBuilder()
	b.Set("a", U32(1))
	b.Set("b", U32(2))
	b.Set("c", U32(3))
	b.Set("a", Str("x")) // replaces in place
	if !b.Delete("b") || b.Delete("b") {
		t.Fatal("Delete")
	}
	f, err := Parse(writeBytes(t, b))
	require.NoError(t, err)
	assert.Len(t, f.KV, 2)
	assert.Equal(t, "a", f.KV[0].Key)
	assert.Equal(t, "c", f.KV[1].Key)
	assert.Equal(t, "x", must(f.String("a")))
	assert.Equal(t, uint64(3), must(f.Uint("c")))
}

// A metadata-only file from NewBuilder is padded to the alignment, as llama.cpp
// writes it; one parsed unpadded (as gguf-py writes it) stays unpadded.
func TestMetadataOnlyPadding(t *testing.T) {
	b := NewBuilder()
	b.Set("k", U8(1))
	data := writeBytes(t, b)
	assert.Len(t, data, 64) // 24 header + 8+1+4+1 kv = 38, padded to 64
	f, err := Parse(data[:38])
	require.NoError(t, err)
	assert.Len(t, writeBytes(t, f.Builder()), 38)
}

func TestAppendTensorToParsedFile(t *testing.T) {
	f := openT(t, storiesPath)
	b := f.Builder()
	b.Set("general.name", Str("edited"))
	require.NoError(t, b.AddTensor("extra", quant.F32, []uint64{2}, f32Bytes(5, 6)))
	g, err := Parse(writeBytes(t, b))
	require.NoError(t, err)
	assert.Equal(t, "edited", must(g.String("general.name")))
	extra, _ := g.Tensor("extra")
	assert.Equal(t, f32Bytes(5, 6), g.TensorData(extra))
	for i := range f.Tensors {
		assert.Equal(t, f.TensorData(&f.Tensors[i]), g.TensorData(&g.Tensors[i]))
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.gguf")
	f := openT(t, storiesPath)
	require.NoError(t, f.Builder().WriteFile(path))
	if !bytes.Equal(readFileT(t, path), readFileT(t, storiesPath)) {
		t.Fatal("WriteFile output differs from the source")
	}
	// A failing write leaves the old file and no temporary behind.
	bad := f.Builder()
	bad.Set(AlignmentKey, U32(3))
	if err := bad.WriteFile(path); err == nil {
		t.Fatal("want an error for alignment 3")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries after a failed write, want 1", len(entries))
	}
	if !bytes.Equal(readFileT(t, path), readFileT(t, storiesPath)) {
		t.Fatal("failed WriteFile changed the existing file")
	}
	if err := f.Builder().WriteFile(filepath.Join(dir, "missing", "x.gguf")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("write into a missing directory: %v", err)
	}
	// A directory at the path is refused, not replaced, in the caller's words.
	sub := filepath.Join(dir, "sub.gguf")
	require.NoError(t, os.Mkdir(sub, 0o755))
	if err := f.Builder().WriteFile(sub); !errors.Is(err, atomicfile.ErrNotRegular) || !strings.Contains(err.Error(), sub) {
		t.Errorf("write over a directory: %v", err)
	}
}
