package safetensors

import (
	"bytes"
	"encoding/binary"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// specFile builds a file by hand from the format's description, not with
// Write: the 8-byte little-endian header length, the JSON text, the data.
func specFile(header string, data []byte) []byte {
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	out = append(out, header...)
	return append(out, data...)
}

func f32le(vals ...float32) []byte {
	var b []byte
	for _, v := range vals {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

func read(t *testing.T, file []byte) (*File, error) {
	t.Helper()
	return Read(bytes.NewReader(file), int64(len(file)))
}

// TestReadsSpecFile: a file written by hand per the spec, with F32, F16 and
// BF16 tensors and metadata, reads back with the values it holds.
func TestReadsSpecFile(t *testing.T) {
	data := f32le(1, -2.5, 3, 0.125, 7, 8)      // a: F32 [2 3]
	data = append(data, 0x00, 0x3c, 0x00, 0xc0) // b: F16 [2] = 1, -2
	data = append(data, 0x80, 0x3f, 0x20, 0x41) // c: BF16 [2] = 1, 10
	header := `{"__metadata__":{"format":"pt"},` +
		`"b":{"dtype":"F16","shape":[2],"data_offsets":[24,28]},` +
		`"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},` +
		`"c":{"dtype":"BF16","shape":[2],"data_offsets":[28,32]}}   `
	f, err := read(t, specFile(header, data))
	require.NoError(t, err)
	require.Equal(t, map[string]string{"format": "pt"}, f.Metadata)
	require.Len(t, f.Tensors, 3)
	want := map[string][]float32{"a": {1, -2.5, 3, 0.125, 7, 8}, "b": {1, -2}, "c": {1, 10}}
	for name, w := range want {
		ten, ok := f.Tensor(name)
		require.True(t, ok, name)
		got, err := f.Float32s(ten)
		require.NoError(t, err)
		require.Equal(t, w, got, name)
	}
	a, _ := f.Tensor("a")
	require.Equal(t, []uint64{2, 3}, a.Shape)
}

// TestWriteReadRoundTrip: what Write writes, Read reads back, and the
// header is 8-byte aligned.
func TestWriteReadRoundTrip(t *testing.T) {
	vals := []float32{0.5, -1, 2, 3.25}
	var ts []Data
	for _, dt := range []DType{F32, F16, BF16} {
		d, err := FromFloat32("t."+string(dt), dt, []uint64{2, 2}, vals)
		require.NoError(t, err)
		ts = append(ts, d)
	}
	ts = append(ts, Data{Name: "scalar", DType: U8, Bytes: []byte{7}}, Data{Name: "empty", DType: F32, Shape: []uint64{0, 3}})
	path := filepath.Join(t.TempDir(), "x.safetensors")
	require.NoError(t, WriteFile(path, ts, map[string]string{"k": "v"}))
	f, err := Open(path)
	require.NoError(t, err)
	defer f.Close()
	require.Equal(t, "v", f.Metadata["k"])
	require.Equal(t, uint64(0), f.dataStart%8)
	scalar, ok := f.Tensor("scalar")
	require.True(t, ok)
	raw, err := f.Bytes(scalar)
	require.NoError(t, err)
	require.Equal(t, []byte{7}, raw)
	require.Empty(t, scalar.Shape)
	for _, d := range ts[:3] {
		ten, ok := f.Tensor(d.Name)
		require.True(t, ok)
		got, err := f.Float32s(ten)
		require.NoError(t, err)
		require.Equal(t, vals, got, d.Name)
	}
}

// TestRefusesHostileFiles: each malformed file is one error naming what is
// wrong, never a panic or a large allocation.
func TestRefusesHostileFiles(t *testing.T) {
	ok := `{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`
	cases := []struct {
		name string
		file []byte
		want string
	}{
		{"short", []byte{1, 2, 3}, "shorter than"},
		{"huge header length", binary.LittleEndian.AppendUint64(nil, 1<<62), "over the"},
		{"header past the end", append(binary.LittleEndian.AppendUint64(nil, 100), "{}"...), "does not fit"},
		{"not json", specFile("[1, 2]", nil), "does not start"},
		{"broken json", specFile(`{"a":`, nil), "not a JSON object"},
		{"trailing bytes in header", specFile(`{} x`, nil), "after the header"},
		{"unknown dtype", specFile(strings.Replace(ok, "F32", "F33", 1), f32le(1, 2)), "unknown dtype"},
		{"missing field", specFile(`{"a":{"dtype":"F32","shape":[2]}}`, f32le(1, 2)), "lacks"},
		{"negative dim", specFile(`{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}`, f32le(1, 2)), "not {dtype"},
		{"overflowing shape", specFile(`{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}`, f32le(1, 2)), "overflows"},
		{"offsets past the end", specFile(`{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}`, f32le(1, 2)), "outside"},
		{"reversed offsets", specFile(`{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}`, f32le(1, 2)), "outside"},
		{"shape disagrees with data", specFile(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, f32le(1, 2)), "needs 12"},
		{"hole", specFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, f32le(1, 2)), "hole or an overlap"},
		{"overlap", specFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, f32le(1, 2)), "hole or an overlap"},
		{"trailing data", specFile(ok, f32le(1, 2, 3)), "cover 8 bytes"},
		{"bad metadata", specFile(`{"__metadata__":{"a":1}}`, nil), "__metadata__"},
		{"too many dims", specFile(`{"a":{"dtype":"U8","shape":[1,1,1,1,1,1,1,1,1],"data_offsets":[0,1]}}`, []byte{1}), "more than"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := read(t, c.file)
			require.Error(t, err)
			require.Contains(t, err.Error(), c.want)
		})
	}
}

// TestFloat32sRefusesIntegers: an integer tensor is not silently reinterpreted.
func TestFloat32sRefusesIntegers(t *testing.T) {
	f, err := read(t, specFile(`{"a":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}`, []byte{1, 0, 0, 0}))
	require.NoError(t, err)
	a, _ := f.Tensor("a")
	_, err = f.Float32s(a)
	require.ErrorContains(t, err, "only F32, F16 and BF16")
}

// FuzzRead: no input panics, and a file that parses reads every tensor
// within the file's own size.
func FuzzRead(f *testing.F) {
	f.Add(specFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, f32le(1, 2)))
	f.Add(specFile(`{"__metadata__":{"format":"pt"},"a":{"dtype":"BF16","shape":[1,2],"data_offsets":[0,4]},"b":{"dtype":"F16","shape":[],"data_offsets":[4,6]}}`, make([]byte, 6)))
	f.Add(specFile(`{"a":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}`, nil))
	f.Fuzz(func(t *testing.T, file []byte) {
		st, err := Read(bytes.NewReader(file), int64(len(file)))
		if err != nil {
			return
		}
		for i := range st.Tensors {
			ten := &st.Tensors[i]
			if ten.End-ten.Begin > uint64(len(file)) {
				t.Fatalf("tensor %q claims %d bytes of a %d-byte file", ten.Name, ten.End-ten.Begin, len(file))
			}
			if _, err := st.Bytes(ten); err != nil {
				t.Fatalf("tensor %q passed the checks but does not read: %v", ten.Name, err)
			}
			if _, ok := floatTypes[ten.DType]; ok {
				if _, err := st.Float32s(ten); err != nil {
					t.Fatalf("tensor %q: %v", ten.Name, err)
				}
			}
		}
	})
}
