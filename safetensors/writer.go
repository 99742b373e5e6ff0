package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/milp-lite/milp-lite/internal/atomicfile"
	"github.com/milp-lite/milp-lite/quant"
)

// Data is a tensor to write: its raw little-endian bytes, which must be
// exactly what DType and Shape imply.
type Data struct {
	Name  string
	DType DType
	Shape []uint64
	Bytes []byte
}

// FromFloat32 encodes values as a F32, F16 or BF16 tensor.
func FromFloat32(name string, dt DType, shape []uint64, vals []float32) (Data, error) {
	qt, ok := floatTypes[dt]
	if !ok {
		return Data{}, fmt.Errorf("safetensors: cannot encode floats as %s", dt)
	}
	b, err := quant.Quantize(qt, vals)
	if err != nil {
		return Data{}, fmt.Errorf("safetensors: %s: %w", name, err)
	}
	return Data{Name: name, DType: dt, Shape: shape, Bytes: b}, nil
}

type writeEntry struct {
	DType       DType     `json:"dtype"`
	Shape       []uint64  `json:"shape"`
	DataOffsets [2]uint64 `json:"data_offsets"`
}

// Write writes the tensors, in name order, and metadata (may be nil). The
// header is padded with spaces to a multiple of 8 bytes, as the reference
// writer does, so the data starts aligned.
func Write(w io.Writer, tensors []Data, metadata map[string]string) error {
	ts := slices.Clone(tensors)
	slices.SortFunc(ts, func(a, b Data) int { return strings.Compare(a.Name, b.Name) })
	header := map[string]any{}
	if len(metadata) > 0 {
		header["__metadata__"] = metadata
	}
	var off uint64
	for i, t := range ts {
		if t.Name == "__metadata__" || t.Name == "" {
			return fmt.Errorf("safetensors: invalid tensor name %q", t.Name)
		}
		if i > 0 && ts[i-1].Name == t.Name {
			return fmt.Errorf("safetensors: duplicate tensor %q", t.Name)
		}
		n, err := byteSize(t.DType, t.Shape)
		if err != nil {
			return fmt.Errorf("safetensors: tensor %q: %w", t.Name, err)
		}
		if uint64(len(t.Bytes)) != n {
			return fmt.Errorf("safetensors: tensor %q: %d bytes, but %s %v needs %d", t.Name, len(t.Bytes), t.DType, t.Shape, n)
		}
		shape := t.Shape
		if shape == nil {
			shape = []uint64{} // a scalar: [], never null
		}
		header[t.Name] = writeEntry{DType: t.DType, Shape: shape, DataOffsets: [2]uint64{off, off + n}}
		off += n
	}
	js, err := json.Marshal(header) // maps marshal with sorted keys: the output is deterministic
	if err != nil {
		return err
	}
	if pad := (8 - len(js)%8) % 8; pad > 0 {
		js = append(js, bytes.Repeat([]byte{' '}, pad)...)
	}
	var lenBuf [8]byte
	binary.LittleEndian.PutUint64(lenBuf[:], uint64(len(js)))
	if _, err := w.Write(lenBuf[:]); err != nil {
		return err
	}
	if _, err := w.Write(js); err != nil {
		return err
	}
	for _, t := range ts {
		if _, err := w.Write(t.Bytes); err != nil {
			return err
		}
	}
	return nil
}

// WriteFile writes the file atomically (internal/atomicfile).
func WriteFile(path string, tensors []Data, metadata map[string]string) error {
	return atomicfile.Write(path, func(w io.Writer) error { return Write(w, tensors, metadata) })
}
