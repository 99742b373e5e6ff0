package gguf

import (
	"fmt"
	"math/bits"
	"sort"

	"github.com/milp-lite/milp-lite/quant"
)

// Minimum encoded sizes, used to reject counts that cannot fit before
// allocating for them.
const (
	minKVSize         = 8 + 4 + 1     // key length, value type, 1-byte value
	minTensorInfoSize = 8 + 4 + 4 + 8 // name length, n_dims, type, offset
	magic             = "GGUF"
	swappedMagic      = "FUGG" // "GGUF" written as a big-endian u32
)

// Parse parses and validates a GGUF file held in memory. The File keeps
// referencing data (TensorData slices it), so data must not be modified while the
// File is in use.
//
// Every count, length, offset and size is checked against the input before it
// is used to allocate or slice, so a corrupt or hostile input yields an error,
// never a panic or an allocation beyond a small multiple of len(data).
func Parse(data []byte) (*File, error) {
	f, err := parse(data)
	if err != nil {
		return nil, fmt.Errorf("gguf: %w", err)
	}
	return f, nil
}

func parse(data []byte) (*File, error) {
	d := &decoder{buf: data}
	f := &File{data: data}
	if err := f.readHeader(d); err != nil {
		return nil, err
	}
	tensorCount, err := d.count("tensor count", minTensorInfoSize)
	if err != nil {
		return nil, err
	}
	kvCount, err := d.count("metadata kv count", minKVSize)
	if err != nil {
		return nil, err
	}
	need := uint64(tensorCount)*minTensorInfoSize + uint64(kvCount)*minKVSize
	if need > uint64(d.remaining()) {
		return nil, fmt.Errorf("%d tensor infos and %d kvs cannot fit in the %d bytes after the header", tensorCount, kvCount, d.remaining())
	}
	if err := f.readKVs(d, kvCount); err != nil {
		return nil, err
	}
	if err := f.setAlignment(); err != nil {
		return nil, err
	}
	if err := f.readTensorInfos(d, tensorCount); err != nil {
		return nil, err
	}
	f.headerEnd = d.pos
	dataOffset, _ := alignUp(uint64(d.pos), f.Alignment) // pos <= len(data), Alignment <= 2^31: cannot overflow
	f.DataOffset = dataOffset
	if err := f.checkTensorData(); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *File) readHeader(d *decoder) error {
	m, err := d.take(4, "magic")
	if err != nil {
		return err
	}
	switch string(m) {
	case magic:
	case swappedMagic:
		return fmt.Errorf("magic %q at byte 0: file is big-endian; only little-endian GGUF is supported", m)
	default:
		return fmt.Errorf("not a GGUF file: magic %q at byte 0, want %q", m, magic)
	}
	v, err := d.u32("version")
	if err != nil {
		return err
	}
	swapped := bits.ReverseBytes32(v)
	switch {
	case v == 1:
		return fmt.Errorf("GGUF version 1 (at byte 4) is not supported; convert the file to v3")
	case v == 2 || v == 3:
		f.Version = v
		return nil
	case swapped >= 1 && swapped <= 3:
		return fmt.Errorf("version %#08x at byte 4 is byte-swapped: file is big-endian GGUF v%d; only little-endian is supported", v, swapped)
	}
	return fmt.Errorf("unsupported GGUF version %d at byte 4 (want 2 or 3)", v)
}

func (f *File) readKVs(d *decoder, n int) error {
	f.KV = make([]KV, 0, n)
	f.kvIndex = make(map[string]int, n)
	for i := 0; i < n; i++ {
		keyAt := d.pos
		key, err := d.string("key")
		if err != nil {
			return fmt.Errorf("kv %d: reading key: %w", i, err)
		}
		if prev, dup := f.kvIndex[key]; dup {
			return fmt.Errorf("kv %d (%s) at byte %d: duplicate key (first is kv %d)", i, Quote(key), keyAt, prev)
		}
		typeAt := d.pos
		raw, err := d.u32("value type")
		if err != nil {
			return fmt.Errorf("kv %d (%s): %w", i, Quote(key), err)
		}
		typ := ValueType(raw)
		if !typ.valid() {
			return fmt.Errorf("kv %d (%s): unknown value type %d at byte %d", i, Quote(key), raw, typeAt)
		}
		v, err := d.value(typ, 0)
		if err != nil {
			return fmt.Errorf("kv %d (%s): %w", i, Quote(key), err)
		}
		f.kvIndex[key] = len(f.KV)
		f.KV = append(f.KV, KV{Key: key, Value: v})
	}
	return nil
}

func (f *File) setAlignment() error {
	a, err := alignmentOf(f.Get)
	f.Alignment = a
	return err
}

// alignmentOf reads general.alignment through get: absent means the default;
// present, it must be a u32 power of two (as in llama.cpp).
func alignmentOf(get func(string) (Value, bool)) (uint64, error) {
	v, ok := get(AlignmentKey)
	if !ok {
		return DefaultAlignment, nil
	}
	if v.Type() != TypeUint32 {
		return 0, fmt.Errorf("%s has type %s, want u32", AlignmentKey, v.Type())
	}
	a, _ := v.AsUint()
	if a == 0 || a&(a-1) != 0 {
		return 0, fmt.Errorf("%s = %d is not a power of two", AlignmentKey, a)
	}
	return a, nil
}

func (f *File) readTensorInfos(d *decoder, n int) error {
	f.Tensors = make([]TensorInfo, n)
	f.tensorIndex = make(map[string]int, n)
	for i := range f.Tensors {
		if err := f.readTensorInfo(d, i); err != nil {
			return err
		}
	}
	return nil
}

func (f *File) readTensorInfo(d *decoder, i int) error {
	t := &f.Tensors[i]
	nameAt := d.pos
	name, err := d.string("name")
	if err != nil {
		return fmt.Errorf("tensor info %d: reading name: %w", i, err)
	}
	t.Name = name
	wrap := func(format string, args ...any) error {
		return fmt.Errorf("tensor info %d (%s): %s", i, Quote(name), fmt.Sprintf(format, args...))
	}
	if prev, dup := f.tensorIndex[name]; dup {
		return wrap("duplicate tensor name at byte %d (first is tensor info %d)", nameAt, prev)
	}
	f.tensorIndex[name] = i

	nDimsAt := d.pos
	nDims, err := d.u32("n_dims")
	if err != nil {
		return wrap("%v", err)
	}
	if nDims > MaxDims {
		return wrap("n_dims %d at byte %d exceeds the maximum %d", nDims, nDimsAt, MaxDims)
	}
	t.Dims = make([]uint64, nDims)
	for j := range t.Dims {
		at := d.pos
		dim, err := d.u64("dim")
		if err != nil {
			return wrap("dims[%d]: %v", j, err)
		}
		if dim == 0 {
			return wrap("dims[%d] at byte %d: dimension is zero", j, at)
		}
		t.Dims[j] = dim
	}
	typeAt := d.pos
	typ, err := d.u32("type")
	if err != nil {
		return wrap("%v", err)
	}
	t.Type = quant.Type(typ)
	if !t.Type.Known() {
		return wrap("unknown tensor type id %d at byte %d", typ, typeAt)
	}
	if _, err := tensorBytes(t.Type, t.Dims); err != nil {
		return wrap("shape %v (dims at byte %d) of type %s: %v", t.Dims, nDimsAt+4, t.Type, err)
	}
	offsetAt := d.pos
	t.Offset, err = d.u64("offset")
	if err != nil {
		return wrap("%v", err)
	}
	if t.Offset%f.Alignment != 0 {
		return wrap("offset %d at byte %d is not a multiple of the alignment %d", t.Offset, offsetAt, f.Alignment)
	}
	return nil
}

// checkTensorData checks that every tensor's data lies inside the file and that
// no two tensors' data overlap.
func (f *File) checkTensorData() error {
	if len(f.Tensors) == 0 {
		// A file with no tensors may end right after the tensor infos: writers of
		// vocabulary-only files need not pad up to DataOffset.
		return nil
	}
	if f.DataOffset > uint64(len(f.data)) {
		return fmt.Errorf("data section at byte %d starts past the end of the file (%d bytes)", f.DataOffset, len(f.data))
	}
	available := uint64(len(f.data)) - f.DataOffset
	for i := range f.Tensors {
		t := &f.Tensors[i]
		end, ok := addNoOverflow(t.Offset, t.Bytes())
		if !ok || end > available {
			return fmt.Errorf("tensor info %d (%s): data at offset %d (byte %d) of %d bytes runs past the end of the file (%d bytes)",
				i, Quote(t.Name), t.Offset, f.DataOffset+t.Offset, t.Bytes(), len(f.data))
		}
	}
	return checkOverlap(f.Tensors)
}

// checkOverlap reports two tensors whose data ranges overlap. The tensors'
// shapes must already be valid and their ranges free of overflow.
func checkOverlap(tensors []TensorInfo) error {
	order := make([]int, len(tensors))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return tensors[order[a]].Offset < tensors[order[b]].Offset })
	for k := 1; k < len(order); k++ {
		prev, cur := &tensors[order[k-1]], &tensors[order[k]]
		if prev.Offset+prev.Bytes() > cur.Offset {
			return fmt.Errorf("tensor %s (offset %d, %d bytes) overlaps tensor %s (offset %d)",
				Quote(prev.Name), prev.Offset, prev.Bytes(), Quote(cur.Name), cur.Offset)
		}
	}
	return nil
}
