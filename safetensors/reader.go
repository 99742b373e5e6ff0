package safetensors

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/milp-lite/milp-lite/quant"
)

// MaxHeaderBytes caps the JSON header. The reference implementation allows
// 100 MB; a header lists each tensor in about a hundred bytes, so 16 MiB
// covers models of a hundred thousand tensors and refuses a hostile length
// before anything is allocated for it.
const MaxHeaderBytes = 16 << 20

// maxDims caps a shape's rank; real tensors have at most a handful.
const maxDims = 8

// Tensor is one entry of the header. Begin and End are offsets into the data
// section (after the header), checked against the file.
type Tensor struct {
	Name       string
	DType      DType
	Shape      []uint64
	Begin, End uint64
}

// Elements is the product of the shape (1 for a scalar).
func (t *Tensor) Elements() uint64 {
	n := uint64(1)
	for _, d := range t.Shape {
		n *= d // checked against overflow when the header was read
	}
	return n
}

// File is a parsed safetensors file. Its tensors are sorted by name.
type File struct {
	Tensors  []Tensor
	Metadata map[string]string

	r         io.ReaderAt
	dataStart uint64
	byName    map[string]int
	closer    io.Closer
}

// Open reads the header of the safetensors file at path; tensor data is read
// on demand until Close.
func Open(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, err
	}
	f, err := Read(fh, st.Size())
	if err != nil {
		fh.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f.closer = fh
	return f, nil
}

// Close releases the file Open opened.
func (f *File) Close() error {
	if f.closer == nil {
		return nil
	}
	return f.closer.Close()
}

// headerEntry is a tensor's JSON object; pointers tell a missing field from
// a zero one.
type headerEntry struct {
	DType       *DType     `json:"dtype"`
	Shape       *[]uint64  `json:"shape"`
	DataOffsets *[2]uint64 `json:"data_offsets"`
}

// Read parses the header of a safetensors file of size bytes read through r,
// checking every tensor against the file (see the package comment).
func Read(r io.ReaderAt, size int64) (*File, error) {
	var lenBuf [8]byte
	if size < 8 {
		return nil, fmt.Errorf("safetensors: file of %d bytes is shorter than the 8-byte header length", size)
	}
	if _, err := r.ReadAt(lenBuf[:], 0); err != nil {
		return nil, fmt.Errorf("safetensors: reading the header length: %w", err)
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	if n > MaxHeaderBytes {
		return nil, fmt.Errorf("safetensors: header of %d bytes is over the %d-byte limit", n, MaxHeaderBytes)
	}
	if n < 2 || n > uint64(size)-8 {
		return nil, fmt.Errorf("safetensors: header length %d does not fit a file of %d bytes", n, size)
	}
	header := make([]byte, n)
	if _, err := r.ReadAt(header, 8); err != nil {
		return nil, fmt.Errorf("safetensors: reading the header: %w", err)
	}
	if header[0] != '{' {
		return nil, fmt.Errorf("safetensors: header does not start with '{'")
	}
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(header))
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("safetensors: header is not a JSON object: %w", err)
	}
	if rest := header[dec.InputOffset():]; len(bytes.TrimRight(rest, " \t\r\n")) > 0 {
		return nil, fmt.Errorf("safetensors: %d bytes after the header's JSON object", len(rest))
	}
	f := &File{r: r, dataStart: 8 + n, byName: map[string]int{}}
	dataLen := uint64(size) - f.dataStart
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &f.Metadata); err != nil {
				return nil, fmt.Errorf("safetensors: __metadata__ is not a map of strings: %w", err)
			}
			continue
		}
		t, err := parseEntry(name, msg, dataLen)
		if err != nil {
			return nil, fmt.Errorf("safetensors: tensor %s: %w", strconv.Quote(name), err)
		}
		f.Tensors = append(f.Tensors, t)
	}
	if err := checkCoverage(f.Tensors, dataLen); err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	slices.SortFunc(f.Tensors, func(a, b Tensor) int { return strings.Compare(a.Name, b.Name) })
	for i := range f.Tensors {
		f.byName[f.Tensors[i].Name] = i
	}
	return f, nil
}

func parseEntry(name string, msg json.RawMessage, dataLen uint64) (Tensor, error) {
	var e headerEntry
	if err := json.Unmarshal(msg, &e); err != nil {
		return Tensor{}, fmt.Errorf("entry is not {dtype, shape, data_offsets}: %w", err)
	}
	if e.DType == nil || e.Shape == nil || e.DataOffsets == nil {
		return Tensor{}, fmt.Errorf("entry lacks dtype, shape or data_offsets")
	}
	t := Tensor{Name: name, DType: *e.DType, Shape: *e.Shape, Begin: e.DataOffsets[0], End: e.DataOffsets[1]}
	if len(t.Shape) > maxDims {
		return Tensor{}, fmt.Errorf("shape %v has more than %d dims", t.Shape, maxDims)
	}
	total, err := byteSize(t.DType, t.Shape)
	if err != nil {
		return Tensor{}, err
	}
	if t.Begin > t.End || t.End > dataLen {
		return Tensor{}, fmt.Errorf("data_offsets [%d, %d] lie outside the %d bytes of data", t.Begin, t.End, dataLen)
	}
	if t.End-t.Begin != total {
		return Tensor{}, fmt.Errorf("data_offsets [%d, %d] hold %d bytes, but %s %v needs %d", t.Begin, t.End, t.End-t.Begin, t.DType, t.Shape, total)
	}
	return t, nil
}

// checkCoverage requires the tensors to tile the data section exactly: in
// offset order, each starts where the previous ended, and the last ends at
// the end of the file. Overlapping tensors, holes and trailing bytes are
// refused, as the reference implementation refuses them.
func checkCoverage(ts []Tensor, dataLen uint64) error {
	order := make([]int, len(ts))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(ts[a].Begin, ts[b].Begin), cmp.Compare(ts[a].End, ts[b].End))
	})
	var end uint64
	for _, i := range order {
		if ts[i].Begin != end {
			return fmt.Errorf("tensor %s starts at byte %d of the data, not at %d where the previous one ended (a hole or an overlap)",
				strconv.Quote(ts[i].Name), ts[i].Begin, end)
		}
		end = ts[i].End
	}
	if end != dataLen {
		return fmt.Errorf("the tensors cover %d bytes of data but the file holds %d", end, dataLen)
	}
	return nil
}

// Tensor is the entry named name.
func (f *File) Tensor(name string) (*Tensor, bool) {
	i, ok := f.byName[name]
	if !ok {
		return nil, false
	}
	return &f.Tensors[i], true
}

// Bytes reads a tensor's raw data.
func (f *File) Bytes(t *Tensor) ([]byte, error) {
	buf := make([]byte, t.End-t.Begin)
	if len(buf) == 0 {
		return buf, nil
	}
	if _, err := f.r.ReadAt(buf, int64(f.dataStart+t.Begin)); err != nil {
		return nil, fmt.Errorf("safetensors: tensor %s: %w", strconv.Quote(t.Name), err)
	}
	return buf, nil
}

// Float32s reads a F32, F16 or BF16 tensor as float32 values, row-major in
// the order of its shape.
func (f *File) Float32s(t *Tensor) ([]float32, error) {
	qt, ok := floatTypes[t.DType]
	if !ok {
		return nil, fmt.Errorf("safetensors: tensor %s is %s; only F32, F16 and BF16 are read as floats", strconv.Quote(t.Name), t.DType)
	}
	raw, err := f.Bytes(t)
	if err != nil {
		return nil, err
	}
	out := make([]float32, t.Elements())
	if err := quant.Dequantize(qt, raw, out); err != nil {
		return nil, fmt.Errorf("safetensors: tensor %s: %w", strconv.Quote(t.Name), err)
	}
	return out, nil
}
