package gguf

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"

	"github.com/milp-lite/milp-lite/quant"
)

// Builder assembles a GGUF file: metadata in insertion order and tensors in
// insertion order. NewBuilder makes an empty one; File.Builder makes one that
// writes the parsed file back byte for byte.
//
// A Builder references, without copying, the Values and tensor data given to it;
// they must stay unchanged (and a source File open) until writing is done.
type Builder struct {
	// Version is the GGUF version written: 2 or 3 (the layouts are identical
	// for little-endian files). NewBuilder sets 3.
	Version uint32

	kvs         []KV
	kvIndex     map[string]int
	tensors     []builderTensor
	tensorIndex map[string]int

	// Layout details kept from a parsed file so it is reproduced exactly.
	dataSize  uint64 // data section length to write, when at least what the tensors need
	shortTail int64  // for a file without tensors that ended before its DataOffset: the bytes after its infos; else -1
}

type builderTensor struct {
	info   TensorInfo
	data   []byte
	placed bool // info.Offset is fixed (kept from a parsed file); else chosen at write time
}

// NewBuilder returns an empty GGUF v3 builder.
func NewBuilder() *Builder {
	return &Builder{Version: 3, kvIndex: map[string]int{}, tensorIndex: map[string]int{}, shortTail: -1}
}

// Builder returns a Builder holding f's metadata, tensors and layout (version,
// tensor offsets, alignment, padding), so that writing it unchanged reproduces
// f byte for byte, provided f's padding bytes are zero, as writers make them.
// The tensor data is referenced, not copied: keep f open until writing is done.
func (f *File) Builder() *Builder {
	b := NewBuilder()
	b.Version = f.Version
	for _, kv := range f.KV {
		b.Set(kv.Key, kv.Value)
	}
	for i := range f.Tensors {
		ti := f.Tensors[i]
		ti.Dims = slices.Clone(ti.Dims)
		b.tensorIndex[ti.Name] = len(b.tensors)
		b.tensors = append(b.tensors, builderTensor{info: ti, data: f.TensorData(&f.Tensors[i]), placed: true})
	}
	if uint64(len(f.data)) >= f.DataOffset {
		b.dataSize = uint64(len(f.data)) - f.DataOffset
	} else {
		// Only possible without tensors: e.g. gguf-py's vocabulary-only files,
		// which stop right after the infos.
		b.shortTail = int64(len(f.data) - f.headerEnd)
	}
	return b
}

// Set sets key to v, replacing (in place, keeping the key's position) any
// previous value. Malformed values are reported by WriteTo.
func (b *Builder) Set(key string, v Value) {
	if i, ok := b.kvIndex[key]; ok {
		b.kvs[i].Value = v
		return
	}
	b.kvIndex[key] = len(b.kvs)
	b.kvs = append(b.kvs, KV{Key: key, Value: v})
}

// Get returns the value set for key.
func (b *Builder) Get(key string) (Value, bool) {
	i, ok := b.kvIndex[key]
	if !ok {
		return Value{}, false
	}
	return b.kvs[i].Value, true
}

// Delete removes key, reporting whether it was set.
func (b *Builder) Delete(key string) bool {
	i, ok := b.kvIndex[key]
	if !ok {
		return false
	}
	b.kvs = slices.Delete(b.kvs, i, i+1)
	delete(b.kvIndex, key)
	for j := i; j < len(b.kvs); j++ {
		b.kvIndex[b.kvs[j].Key] = j
	}
	return true
}

// AddTensor appends a tensor. It checks that the name is new and non-empty, the
// type known, the shape valid (1 to MaxDims non-zero dims, rows a whole number of
// blocks) and that len(data) is exactly the size the type and shape imply. Its
// data is placed after the previous tensors, aligned, when the file is written.
func (b *Builder) AddTensor(name string, typ quant.Type, dims []uint64, data []byte) error {
	if name == "" {
		return fmt.Errorf("gguf: AddTensor: empty tensor name")
	}
	if _, dup := b.tensorIndex[name]; dup {
		return fmt.Errorf("gguf: AddTensor %s: duplicate tensor name", Quote(name))
	}
	if len(dims) == 0 {
		return fmt.Errorf("gguf: AddTensor %s: no dims", Quote(name))
	}
	size, err := tensorBytes(typ, dims)
	if err != nil {
		return fmt.Errorf("gguf: AddTensor %s: %v", Quote(name), err)
	}
	if uint64(len(data)) != size {
		return fmt.Errorf("gguf: AddTensor %s: %d bytes of data, want %d for %s %v", Quote(name), len(data), size, typ, dims)
	}
	b.tensorIndex[name] = len(b.tensors)
	b.tensors = append(b.tensors, builderTensor{
		info: TensorInfo{Name: name, Dims: slices.Clone(dims), Type: typ},
		data: data,
	})
	return nil
}

// layout is what WriteTo writes: the encoded header (magic through tensor
// infos), the tensors with their final offsets, and the section sizes.
type layout struct {
	header     []byte
	headerPad  uint64 // zero bytes between the header and the data section
	tensors    []builderTensor
	dataLength uint64 // bytes in the data section, padding included
}

// plan validates everything and lays the file out, so that WriteTo writes
// nothing at all when the Builder is invalid.
func (b *Builder) plan() (*layout, error) {
	if b.Version != 2 && b.Version != 3 {
		return nil, fmt.Errorf("cannot write GGUF version %d (want 2 or 3)", b.Version)
	}
	align, err := alignmentOf(b.Get)
	if err != nil {
		return nil, err
	}
	for i, kv := range b.kvs {
		if err := kv.Value.check(0); err != nil {
			return nil, fmt.Errorf("kv %d (%s): %w", i, Quote(kv.Key), err)
		}
	}
	l := &layout{tensors: slices.Clone(b.tensors)}
	infos := make([]TensorInfo, len(l.tensors))
	end := uint64(0) // end of the furthest tensor data so far
	for i := range l.tensors {
		t := &l.tensors[i]
		if !t.placed {
			t.info.Offset, _ = alignUp(end, align)
		}
		if t.info.Offset%align != 0 {
			return nil, fmt.Errorf("tensor %s: offset %d is not a multiple of the alignment %d", Quote(t.info.Name), t.info.Offset, align)
		}
		tEnd, ok := addNoOverflow(t.info.Offset, uint64(len(t.data)))
		if !ok {
			return nil, fmt.Errorf("tensor %s: offset %d overflows", Quote(t.info.Name), t.info.Offset)
		}
		end = max(end, tEnd)
		infos[i] = t.info
	}
	if err := checkOverlap(infos); err != nil {
		return nil, err
	}

	e := &encoder{buf: make([]byte, 0, 4096)}
	e.buf = append(e.buf, magic...)
	e.u32(b.Version)
	e.u64(uint64(len(l.tensors)))
	e.u64(uint64(len(b.kvs)))
	for _, kv := range b.kvs {
		e.string(kv.Key)
		e.u32(uint32(kv.Value.typ))
		e.value(kv.Value)
	}
	for _, t := range l.tensors {
		e.string(t.info.Name)
		e.u32(uint32(len(t.info.Dims)))
		for _, d := range t.info.Dims {
			e.u64(d)
		}
		e.u32(uint32(t.info.Type))
		e.u64(t.info.Offset)
	}
	l.header = e.buf

	if len(l.tensors) == 0 && b.shortTail >= 0 {
		// Reproduce a metadata-only file that stops before its DataOffset.
		l.headerPad = uint64(b.shortTail)
		return l, nil
	}
	dataOffset, _ := alignUp(uint64(len(l.header)), align)
	l.headerPad = dataOffset - uint64(len(l.header))
	l.dataLength, _ = alignUp(end, align) // llama.cpp pads the last tensor too
	if b.dataSize >= end {
		l.dataLength = b.dataSize
	}
	return l, nil
}

// WriteTo writes the GGUF file to w. It validates the whole Builder first, so an
// invalid Builder writes nothing.
func (b *Builder) WriteTo(w io.Writer) (int64, error) {
	l, err := b.plan()
	if err != nil {
		return 0, fmt.Errorf("gguf: %w", err)
	}
	cw := &countingWriter{w: w}
	bw := bufio.NewWriterSize(cw, 64<<10)
	bw.Write(l.header)
	writeZeros(bw, l.headerPad)
	slices.SortStableFunc(l.tensors, func(x, y builderTensor) int {
		return cmp.Compare(x.info.Offset, y.info.Offset)
	})
	pos := uint64(0) // within the data section
	for _, t := range l.tensors {
		writeZeros(bw, t.info.Offset-pos)
		bw.Write(t.data)
		pos = t.info.Offset + uint64(len(t.data))
	}
	writeZeros(bw, l.dataLength-pos)
	if err := bw.Flush(); err != nil {
		return cw.n, fmt.Errorf("gguf: writing: %w", err)
	}
	return cw.n, nil
}

var zeros [4096]byte

// writeZeros writes n zero bytes. bufio.Writer keeps its first error and
// Flush reports it, so callers need not check each write.
func writeZeros(w *bufio.Writer, n uint64) {
	for n > 0 {
		k := min(n, uint64(len(zeros)))
		w.Write(zeros[:k])
		n -= k
	}
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
