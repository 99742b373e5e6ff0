package kernels

import (
	"fmt"
	"unsafe"

	"github.com/milp-lite/milp-lite/quant"
)

// Matrix is a weight matrix of Rows rows of Cols values each, stored row after
// row in ggml type Type: Data holds the raw bytes, usually a slice of a mapped
// GGUF file. In ggml's terms Cols is ne[0] and Rows is ne[1].
type Matrix struct {
	Type       quant.Type
	Rows, Cols int
	Data       []byte
	rowBytes   int
	f32        []float32       // Data viewed as float32 when Type is F32
	il         interleavedCopy // generation's copy (interleaved.go) (interleaved.go)
}

// NewMatrix checks that data holds exactly rows×cols values of type t and
// returns the matrix. Types the kernels cannot compute with are an error that
// names the type.
func NewMatrix(t quant.Type, rows, cols int, data []byte) (*Matrix, error) {
	if t != quant.F32 && !quant.CanDequantize(t) {
		return nil, fmt.Errorf("tensor type %s is not supported", t)
	}
	rb, err := t.RowBytes(cols)
	if err != nil {
		return nil, err
	}
	if rows < 0 || len(data) != rows*rb {
		return nil, fmt.Errorf("%s matrix %d×%d needs %d bytes, has %d", t, rows, cols, rows*rb, len(data))
	}
	m := &Matrix{Type: t, Rows: rows, Cols: cols, Data: data, rowBytes: rb}
	if t == quant.F32 && len(data) > 0 {
		if uintptr(unsafe.Pointer(&data[0]))%4 == 0 {
			m.f32 = unsafe.Slice((*float32)(unsafe.Pointer(&data[0])), rows*cols)
		} else {
			// Misaligned bytes (possible for embedded data) are copied once.
			m.f32 = make([]float32, rows*cols)
			if err := quant.Dequantize(quant.F32, data, m.f32); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

// NewF32Matrix wraps float32 values as a matrix without copying.
func NewF32Matrix(rows, cols int, values []float32) *Matrix {
	if len(values) != rows*cols {
		panic(fmt.Sprintf("kernels: %d values for a %d×%d matrix", len(values), rows, cols))
	}
	var data []byte
	if len(values) > 0 {
		data = unsafe.Slice((*byte)(unsafe.Pointer(&values[0])), 4*len(values))
	}
	return &Matrix{Type: quant.F32, Rows: rows, Cols: cols, Data: data, rowBytes: 4 * cols, f32: values}
}

// F32 returns the values of an F32 matrix without copying, or nil for other types.
func (m *Matrix) F32() []float32 { return m.f32 }

// Row writes row r as float32 into buf (len ≥ Cols) and returns the values:
// for F32 matrices the stored row itself, without copying.
func (m *Matrix) Row(r int, buf []float32) []float32 {
	if m.f32 != nil {
		return m.f32[r*m.Cols : (r+1)*m.Cols]
	}
	out := buf[:m.Cols]
	// The size was checked in NewMatrix, so this cannot fail.
	_ = quant.Dequantize(m.Type, m.Data[r*m.rowBytes:(r+1)*m.rowBytes], out)
	return out
}
