package gguf

import (
	"encoding/binary"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawSpec describes a small GGUF file assembled byte by byte, so tests can make
// it invalid in exactly one way.
type rawSpec struct {
	magic            string
	version          uint32
	nTensors, nKVs   uint64 // header counts (set from the lists unless overridden)
	kvs              [][]byte
	tensors          []rawTensor
	dataLen          int // bytes of tensor data after the header padding
	overrideCounts   bool
	alignmentPadding uint64
}

type rawTensor struct {
	name   string
	dims   []uint64
	typ    uint32
	offset uint64
}

var le = binary.LittleEndian

func rawString(b []byte, s string) []byte {
	b = le.AppendUint64(b, uint64(len(s)))
	return append(b, s...)
}

func rawKV(key string, typ uint32, value []byte) []byte {
	b := rawString(nil, key)
	b = le.AppendUint32(b, typ)
	return append(b, value...)
}

func u32b(x uint32) []byte { return le.AppendUint32(nil, x) }
func u64b(x uint64) []byte { return le.AppendUint64(nil, x) }

// baseSpec is a valid file: two KVs and two F32 tensors of 32 bytes each.
func baseSpec() rawSpec {
	strs := le.AppendUint32(nil, uint32(TypeString))
	strs = le.AppendUint64(strs, 2)
	strs = rawString(strs, "x")
	strs = rawString(strs, "yy")
	return rawSpec{
		magic:   "GGUF",
		version: 3,
		kvs:     [][]byte{rawKV("a", uint32(TypeUint32), u32b(1)), rawKV("b", uint32(TypeArray), strs)},
		tensors: []rawTensor{
			{"t0", []uint64{4, 2}, 0, 0},
			{"t1", []uint64{8}, 0, 32},
		},
		dataLen:          64,
		alignmentPadding: 32,
	}
}

func (s rawSpec) bytes() []byte {
	b := []byte(s.magic)
	b = le.AppendUint32(b, s.version)
	nt, nkv := uint64(len(s.tensors)), uint64(len(s.kvs))
	if s.overrideCounts {
		nt, nkv = s.nTensors, s.nKVs
	}
	b = le.AppendUint64(b, nt)
	b = le.AppendUint64(b, nkv)
	for _, kv := range s.kvs {
		b = append(b, kv...)
	}
	for _, t := range s.tensors {
		b = rawString(b, t.name)
		b = le.AppendUint32(b, uint32(len(t.dims)))
		for _, d := range t.dims {
			b = le.AppendUint64(b, d)
		}
		b = le.AppendUint32(b, t.typ)
		b = le.AppendUint64(b, t.offset)
	}
	for uint64(len(b))%s.alignmentPadding != 0 {
		b = append(b, 0)
	}
	return append(b, make([]byte, s.dataLen)...)
}

func TestRawBaseIsValid(t *testing.T) {
	f, err := Parse(baseSpec().bytes())
	require.NoError(t, err)
	assert.Len(t, f.Tensors, 2)
	assert.Equal(t, []string{"x", "yy"}, must(f.Strings("b")))
	assert.Equal(t, uint64(192), f.DataOffset) // the infos end at byte 161
}

// Byte offsets in baseSpec: header 0..24; kv "a" 24..41 (type at 33, value at
// 37); kv "b" 41..85 (element type at 54, count at 58, first string length at
// 66); tensor info "t0" 85..127 (n_dims at 95, dims at 99 and 107, type at 115,
// offset at 119); "t1" 127..161 (n_dims at 137, dims at 141, type at 149,
// offset at 153); data section 192..256.
func TestCorruptFiles(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(s *rawSpec)
		patch  func(b []byte) []byte
		want   string
	}{
		{name: "bad magic", mutate: func(s *rawSpec) { s.magic = "GGML" }, want: `not a GGUF file: magic "GGML" at byte 0`},
		{name: "big-endian magic", mutate: func(s *rawSpec) { s.magic = "FUGG" }, want: "file is big-endian"},
		{name: "v1", mutate: func(s *rawSpec) { s.version = 1 }, want: "GGUF version 1 (at byte 4) is not supported"},
		{name: "v4", mutate: func(s *rawSpec) { s.version = 4 }, want: "unsupported GGUF version 4 at byte 4"},
		{name: "big-endian version", mutate: func(s *rawSpec) { s.version = 0x03000000 }, want: "byte-swapped: file is big-endian GGUF v3"},
		{name: "huge tensor count", mutate: func(s *rawSpec) { s.overrideCounts, s.nTensors, s.nKVs = true, 1<<60, 2 }, want: "tensor count 1152921504606846976 at byte 8 cannot fit"},
		{name: "huge kv count", mutate: func(s *rawSpec) { s.overrideCounts, s.nTensors, s.nKVs = true, 2, 1<<40 }, want: "metadata kv count 1099511627776 at byte 16 cannot fit"},
		{name: "counts together too big", mutate: func(s *rawSpec) { s.overrideCounts, s.nTensors, s.nKVs = true, 8, 4 }, want: "8 tensor infos and 4 kvs cannot fit in the 232 bytes after the header"},
		{name: "key length past end", patch: func(b []byte) []byte { le.PutUint64(b[24:], 1<<50); return b }, want: "kv 0: reading key: length 1125899906842624 of key at byte 24 runs past the end"},
		{name: "unknown value type", mutate: func(s *rawSpec) { s.kvs[0] = rawKV("a", 13, u32b(1)) }, want: `kv 0 ("a"): unknown value type 13 at byte 33`},
		{name: "array count huge", patch: func(b []byte) []byte { le.PutUint64(b[58:], 1<<33); return b }, want: `kv 1 ("b"): array length 8589934592 at byte 58 cannot fit`},
		{name: "array string length huge", patch: func(b []byte) []byte { le.PutUint64(b[66:], 1<<33); return b }, want: `kv 1 ("b"): element 0: length 8589934592 of string at byte 66 runs past the end`},
		{name: "array elem type unknown", patch: func(b []byte) []byte { le.PutUint32(b[54:], 77); return b }, want: `kv 1 ("b"): unknown array element type 77 at byte 54`},
		{name: "invalid bool", mutate: func(s *rawSpec) { s.kvs[0] = rawKV("a", uint32(TypeBool), []byte{2, 0, 0, 0}) }, want: `kv 0 ("a"): invalid bool 2 at byte 37`},
		{name: "duplicate key", mutate: func(s *rawSpec) { s.kvs[1] = s.kvs[0] }, want: `kv 1 ("a") at byte 41: duplicate key (first is kv 0)`},
		{name: "alignment not power of two", mutate: func(s *rawSpec) { s.kvs[0] = rawKV(AlignmentKey, uint32(TypeUint32), u32b(48)) }, want: "general.alignment = 48 is not a power of two"},
		{name: "alignment zero", mutate: func(s *rawSpec) { s.kvs[0] = rawKV(AlignmentKey, uint32(TypeUint32), u32b(0)) }, want: "general.alignment = 0 is not a power of two"},
		{name: "alignment wrong type", mutate: func(s *rawSpec) { s.kvs[0] = rawKV(AlignmentKey, uint32(TypeUint8), []byte{32}) }, want: "general.alignment has type u8, want u32"},
		{name: "duplicate tensor", mutate: func(s *rawSpec) { s.tensors[1].name = "t0" }, want: `tensor info 1 ("t0"): duplicate tensor name at byte 127 (first is tensor info 0)`},
		{name: "too many dims", mutate: func(s *rawSpec) { s.tensors[0].dims = []uint64{1, 1, 1, 1, 8} }, want: `tensor info 0 ("t0"): n_dims 5 at byte 95 exceeds the maximum 4`},
		{name: "zero dim", mutate: func(s *rawSpec) { s.tensors[0].dims = []uint64{4, 0} }, want: `tensor info 0 ("t0"): dims[1] at byte 107: dimension is zero`},
		{name: "overflowing dims", mutate: func(s *rawSpec) { s.tensors[0].dims = []uint64{1 << 32, 1 << 32} }, want: `tensor info 0 ("t0"): shape [4294967296 4294967296] (dims at byte 99) of type F32: dims[1] = 4294967296 overflows the element count`},
		{name: "bytes overflow", mutate: func(s *rawSpec) { s.tensors[0].dims = []uint64{1 << 62} }, want: "data size of 4611686018427387904 F32 values overflows"},
		{name: "unknown tensor type", mutate: func(s *rawSpec) { s.tensors[1].typ = 4 }, want: `tensor info 1 ("t1"): unknown tensor type id 4 at byte 149`},
		{name: "partial block", mutate: func(s *rawSpec) { s.tensors[1].typ = 8 }, want: `tensor info 1 ("t1"): shape [8] (dims at byte 141) of type Q8_0: row length dims[0] = 8 is not a multiple of the Q8_0 block size 32`},
		{name: "unaligned offset", mutate: func(s *rawSpec) { s.tensors[1].offset = 40 }, want: `tensor info 1 ("t1"): offset 40 at byte 153 is not a multiple of the alignment 32`},
		{name: "data past end", mutate: func(s *rawSpec) { s.dataLen = 63 }, want: `tensor info 1 ("t1"): data at offset 32 (byte 224) of 32 bytes runs past the end of the file (255 bytes)`},
		{name: "offset past end", mutate: func(s *rawSpec) { s.tensors[1].offset = 1 << 63 }, want: "runs past the end of the file"},
		{name: "overlap", mutate: func(s *rawSpec) { s.tensors[0].dims = []uint64{16} }, want: `tensor "t0" (offset 0, 64 bytes) overlaps tensor "t1" (offset 32)`},
		{name: "data section past end", mutate: func(s *rawSpec) { s.dataLen = 0; s.alignmentPadding = 1 }, want: "data section at byte 192 starts past the end of the file (161 bytes)"},
		{name: "deep nesting", mutate: func(s *rawSpec) {
			var v []byte
			for range maxNesting + 1 {
				v = le.AppendUint32(v, uint32(TypeArray))
				v = le.AppendUint64(v, 1)
			}
			s.kvs[0] = rawKV("a", uint32(TypeArray), v)
		}, want: "arrays nested deeper than 16"},
		{name: "empty", patch: func([]byte) []byte { return nil }, want: "truncated at byte 0 reading magic (need 4 bytes, 0 left)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := baseSpec()
			if c.mutate != nil {
				c.mutate(&s)
			}
			data := s.bytes()
			if c.patch != nil {
				data = c.patch(data)
			}
			_, err := Parse(data)
			if err == nil {
				t.Fatalf("no error, want %q", c.want)
			}
			if !strings.HasPrefix(err.Error(), "gguf: ") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got  %v\nwant %q", err, c.want)
			}
		})
	}
}

// Truncating a file anywhere must give an error (never a panic): every prefix
// of stories260K through its header and the start of its data, and a sample of
// prefixes further in.
func TestTruncatedStories(t *testing.T) {
	data := readFileT(t, storiesPath)
	f := must(Parse(data))
	check := func(n int) {
		_, err := Parse(data[:n])
		if err == nil {
			t.Fatalf("prefix of %d bytes parsed without error", n)
		}
		if !strings.HasPrefix(err.Error(), "gguf: ") {
			t.Fatalf("prefix of %d bytes: unprefixed error %v", n, err)
		}
	}
	for n := 0; n < int(f.DataOffset)+256; n++ {
		check(n)
	}
	for n := int(f.DataOffset) + 256; n < len(data); n += 4093 {
		check(n)
	}
	check(len(data) - 1)
}

// A metadata-only file cut anywhere inside its metadata is an error too.
func TestTruncatedVocab(t *testing.T) {
	data := readFileT(t, "../testdata/vocab/ggml-vocab-llama-spm.gguf")
	for n := 0; n < len(data); n += 257 {
		if _, err := Parse(data[:n]); err == nil {
			t.Fatalf("prefix of %d bytes parsed without error", n)
		}
	}
	for n := len(data) - 64; n < len(data); n++ {
		if _, err := Parse(data[:n]); err == nil {
			t.Fatalf("prefix of %d bytes parsed without error", n)
		}
	}
}

// Flipping bytes all through the header of a real file must never panic, and
// whatever still parses must re-write.
func TestBitFlipsStories(t *testing.T) {
	orig := readFileT(t, storiesPath)
	f := must(Parse(orig))
	data := slices.Clone(orig)
	for i := 0; i < int(f.DataOffset); i += 5 {
		for _, x := range []byte{0xff, 0x01} {
			data[i] ^= x
			g, err := Parse(data)
			if err == nil {
				if _, err := g.Builder().WriteTo(io.Discard); err != nil {
					t.Fatalf("flip %#x at byte %d: parsed but cannot be re-written: %v", x, i, err)
				}
			}
			data[i] = orig[i]
		}
	}
}

// Counts that claim more than the input holds are rejected before allocating.
func TestHostileCountsDoNotAllocate(t *testing.T) {
	inputs := map[string][]byte{}
	s := baseSpec()
	s.overrideCounts, s.nTensors, s.nKVs = true, 1<<40, 1<<40
	inputs["counts"] = s.bytes()
	b := baseSpec().bytes()
	le.PutUint64(b[58:], 1<<33)
	inputs["array count"] = b
	b = baseSpec().bytes()
	le.PutUint64(b[66:], 1<<33)
	inputs["string length"] = b
	for name, in := range inputs {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		if _, err := Parse(in); err == nil {
			t.Fatalf("%s: parsed", name)
		}
		runtime.ReadMemStats(&after)
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 64<<10 {
			t.Errorf("%s: Parse of %d bytes allocated %d bytes", name, len(in), grew)
		}
	}
}
