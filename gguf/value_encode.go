package gguf

import (
	"encoding/binary"
	"fmt"
	"math"
)

// check reports why v cannot be written: a malformed array (its slice's Go type
// does not match its element type, or an element of an array of arrays is not
// an array) or arrays nested deeper than a reader accepts.
func (v Value) check(depth int) error {
	if !v.typ.valid() {
		return fmt.Errorf("unknown value type %d", uint32(v.typ))
	}
	if v.typ != TypeArray {
		return nil
	}
	if v.arr == nil {
		return fmt.Errorf("array value has no elements (use the array constructors)")
	}
	elem := v.arr.elem
	if elem == TypeArray {
		if depth+1 >= maxNesting {
			return fmt.Errorf("arrays nested deeper than %d", maxNesting)
		}
		xs, ok := v.arr.data.([]Value)
		if !ok {
			return fmt.Errorf("array of arrays holds %T", v.arr.data)
		}
		for i, x := range xs {
			if x.typ != TypeArray {
				return fmt.Errorf("element %d of an array of arrays is a %s", i, x.typ)
			}
			if err := x.check(depth + 1); err != nil {
				return fmt.Errorf("element %d: %w", i, err)
			}
		}
		return nil
	}
	if v.sliceMatches() {
		return nil
	}
	return fmt.Errorf("array of %s holds %T", elem, v.arr.data)
}

// sliceMatches reports whether the array's slice has the Go type of its element type.
func (v Value) sliceMatches() bool {
	var ok bool
	switch v.arr.elem {
	case TypeUint8:
		_, ok = v.arr.data.([]uint8)
	case TypeInt8:
		_, ok = v.arr.data.([]int8)
	case TypeUint16:
		_, ok = v.arr.data.([]uint16)
	case TypeInt16:
		_, ok = v.arr.data.([]int16)
	case TypeUint32:
		_, ok = v.arr.data.([]uint32)
	case TypeInt32:
		_, ok = v.arr.data.([]int32)
	case TypeFloat32:
		_, ok = v.arr.data.([]float32)
	case TypeBool:
		_, ok = v.arr.data.([]bool)
	case TypeString:
		_, ok = v.arr.data.([]string)
	case TypeUint64:
		_, ok = v.arr.data.([]uint64)
	case TypeInt64:
		_, ok = v.arr.data.([]int64)
	case TypeFloat64:
		_, ok = v.arr.data.([]float64)
	}
	return ok
}

// encoder appends little-endian GGUF encodings to a buffer.
type encoder struct{ buf []byte }

func (e *encoder) u32(x uint32) { e.buf = binary.LittleEndian.AppendUint32(e.buf, x) }
func (e *encoder) u64(x uint64) { e.buf = binary.LittleEndian.AppendUint64(e.buf, x) }

func (e *encoder) string(s string) {
	e.u64(uint64(len(s)))
	e.buf = append(e.buf, s...)
}

// value appends v's encoding without its type id (which precedes it in a KV, and
// is the array's element type inside an array). v must have passed check.
func (e *encoder) value(v Value) {
	switch v.typ {
	case TypeString:
		e.string(v.str)
	case TypeArray:
		e.array(v)
	case TypeUint8, TypeInt8, TypeBool:
		e.buf = append(e.buf, byte(v.bits))
	case TypeUint16, TypeInt16:
		e.buf = binary.LittleEndian.AppendUint16(e.buf, uint16(v.bits))
	case TypeUint32, TypeInt32, TypeFloat32:
		e.u32(uint32(v.bits))
	default: // u64, i64, f64
		e.u64(v.bits)
	}
}

func (e *encoder) array(v Value) {
	e.u32(uint32(v.arr.elem))
	e.u64(uint64(v.Len()))
	le := binary.LittleEndian
	switch xs := v.arr.data.(type) {
	case []uint8:
		e.buf = append(e.buf, xs...)
	case []int8:
		for _, x := range xs {
			e.buf = append(e.buf, byte(x))
		}
	case []uint16:
		for _, x := range xs {
			e.buf = le.AppendUint16(e.buf, x)
		}
	case []int16:
		for _, x := range xs {
			e.buf = le.AppendUint16(e.buf, uint16(x))
		}
	case []uint32:
		for _, x := range xs {
			e.u32(x)
		}
	case []int32:
		for _, x := range xs {
			e.u32(uint32(x))
		}
	case []float32:
		for _, x := range xs {
			e.u32(math.Float32bits(x))
		}
	case []bool:
		for _, x := range xs {
			b := byte(0)
			if x {
				b = 1
			}
			e.buf = append(e.buf, b)
		}
	case []string:
		for _, x := range xs {
			e.string(x)
		}
	case []Value:
		for _, x := range xs {
			e.array(x)
		}
	case []uint64:
		for _, x := range xs {
			e.u64(x)
		}
	case []int64:
		for _, x := range xs {
			e.u64(uint64(x))
		}
	case []float64:
		for _, x := range xs {
			e.u64(math.Float64bits(x))
		}
	}
}
