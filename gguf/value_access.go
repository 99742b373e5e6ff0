package gguf

import "math"

// AsUint returns an integer value as uint64. It accepts every unsigned type and
// signed types holding a non-negative number.
func (v Value) AsUint() (uint64, bool) {
	if !v.typ.isInteger() {
		return 0, false
	}
	if v.typ.isSigned() && int64(v.bits) < 0 {
		return 0, false
	}
	return v.bits, true
}

// AsInt returns an integer value as int64. It accepts every integer type except a
// u64 too large for int64.
func (v Value) AsInt() (int64, bool) {
	if !v.typ.isInteger() {
		return 0, false
	}
	if v.typ == TypeUint64 && v.bits > math.MaxInt64 {
		return 0, false
	}
	return int64(v.bits), true
}

// AsFloat returns an f32 or f64 value, or an integer value converted, as float64.
func (v Value) AsFloat() (float64, bool) {
	switch {
	case v.typ == TypeFloat32:
		return float64(math.Float32frombits(uint32(v.bits))), true
	case v.typ == TypeFloat64:
		return math.Float64frombits(v.bits), true
	case v.typ == TypeUint64:
		return float64(v.bits), true
	case v.typ.isInteger():
		return float64(int64(v.bits)), true
	}
	return 0, false
}

// AsBool returns a bool value.
func (v Value) AsBool() (bool, bool) {
	if v.typ != TypeBool {
		return false, false
	}
	return v.bits != 0, true
}

// AsString returns a string value.
func (v Value) AsString() (string, bool) {
	if v.typ != TypeString {
		return "", false
	}
	return v.str, true
}

// ElemType is the element type of an array value (and false for non-arrays).
func (v Value) ElemType() (ValueType, bool) {
	if v.typ != TypeArray || v.arr == nil {
		return 0, false
	}
	return v.arr.elem, true
}

// Len is the number of elements of an array value, or 0 for other values.
func (v Value) Len() int {
	if v.typ != TypeArray || v.arr == nil {
		return 0
	}
	switch d := v.arr.data.(type) {
	case []uint8:
		return len(d)
	case []int8:
		return len(d)
	case []uint16:
		return len(d)
	case []int16:
		return len(d)
	case []uint32:
		return len(d)
	case []int32:
		return len(d)
	case []float32:
		return len(d)
	case []bool:
		return len(d)
	case []string:
		return len(d)
	case []Value:
		return len(d)
	case []uint64:
		return len(d)
	case []int64:
		return len(d)
	case []float64:
		return len(d)
	}
	return 0
}

// Index returns element i of an array value as a Value (false when v is not an
// array or i is out of range). It is for generic code; typed code should use
// Slice, which does not box each element.
func (v Value) Index(i int) (Value, bool) {
	if i < 0 || i >= v.Len() {
		return Value{}, false
	}
	switch d := v.arr.data.(type) {
	case []uint8:
		return U8(d[i]), true
	case []int8:
		return I8(d[i]), true
	case []uint16:
		return U16(d[i]), true
	case []int16:
		return I16(d[i]), true
	case []uint32:
		return U32(d[i]), true
	case []int32:
		return I32(d[i]), true
	case []float32:
		return F32(d[i]), true
	case []bool:
		return Bool(d[i]), true
	case []string:
		return Str(d[i]), true
	case []Value:
		return d[i], true
	case []uint64:
		return U64(d[i]), true
	case []int64:
		return I64(d[i]), true
	case []float64:
		return F64(d[i]), true
	}
	return Value{}, false
}

// Slice returns the elements of an array value whose element type is exactly T's
// GGUF type (e.g. Slice[string] for an array of string). It returns the stored
// slice, not a copy: do not modify it.
func Slice[T Elem](v Value) ([]T, bool) {
	if v.typ != TypeArray || v.arr == nil || v.arr.elem != elemType[T]() {
		return nil, false
	}
	xs, ok := v.arr.data.([]T)
	return xs, ok
}

// Arrays returns the elements of an array of arrays.
func (v Value) Arrays() ([]Value, bool) {
	if v.typ != TypeArray || v.arr == nil || v.arr.elem != TypeArray {
		return nil, false
	}
	xs, ok := v.arr.data.([]Value)
	return xs, ok
}
