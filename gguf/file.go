package gguf

// DefaultAlignment is the data alignment when general.alignment is absent.
const DefaultAlignment = 32

// AlignmentKey is the metadata key that overrides the data alignment (a u32).
const AlignmentKey = "general.alignment"

// File is a parsed GGUF file. Its metadata (KV, Tensors and every Value) is
// copied out of the input and stays valid after Close; the slices returned by
// TensorData point into the input and do not.
type File struct {
	Version    uint32
	KV         []KV         // metadata in file order
	Tensors    []TensorInfo // in file order
	Alignment  uint64       // general.alignment, or DefaultAlignment
	DataOffset uint64       // absolute byte offset of the tensor data section

	data        []byte       // the whole file
	headerEnd   int          // where the tensor infos end (DataOffset before alignment)
	unmap       func() error // releases data when it is a mapping; nil otherwise
	kvIndex     map[string]int
	tensorIndex map[string]int
}

// KV is one metadata entry.
type KV struct {
	Key   string
	Value Value
}

// Close releases the file's mapping, if it has one. After Close, slices returned
// by TensorData must not be used; metadata remains valid. Close is safe to call
// more than once and on a File from Parse.
func (f *File) Close() error {
	unmap := f.unmap
	f.unmap, f.data = nil, nil
	if unmap == nil {
		return nil
	}
	return unmap()
}

// Get returns the metadata value for key.
func (f *File) Get(key string) (Value, bool) {
	i, ok := f.kvIndex[key]
	if !ok {
		return Value{}, false
	}
	return f.KV[i].Value, true
}

// Tensor returns the info of the tensor with the given name.
func (f *File) Tensor(name string) (*TensorInfo, bool) {
	i, ok := f.tensorIndex[name]
	if !ok {
		return nil, false
	}
	return &f.Tensors[i], true
}

// TensorData returns the bytes of tensor t: a slice of the file (of the mapping,
// for a File from Open), not a copy. Parse has checked that every tensor's data
// lies inside the file. It returns nil after Close, or for a TensorInfo whose
// data does not lie inside the file (one not from f).
func (f *File) TensorData(t *TensorInfo) []byte {
	size, err := tensorBytes(t.Type, t.Dims)
	if err != nil {
		return nil
	}
	start, ok := addNoOverflow(f.DataOffset, t.Offset)
	if !ok {
		return nil
	}
	end, ok := addNoOverflow(start, size)
	if !ok || end > uint64(len(f.data)) {
		return nil
	}
	return f.data[start:end:end]
}

// addNoOverflow returns a+b and whether it did not overflow.
func addNoOverflow(a, b uint64) (uint64, bool) {
	s := a + b
	return s, s >= a
}

// alignUp rounds n up to a multiple of align (a power of two), reporting overflow.
func alignUp(n, align uint64) (uint64, bool) {
	s, ok := addNoOverflow(n, align-1)
	return s &^ (align - 1), ok
}
