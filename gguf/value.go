package gguf

import "fmt"

// ValueType is a GGUF metadata value type id, as stored in the file.
type ValueType uint32

// The GGUF metadata value types (ids 0..12).
const (
	TypeUint8   ValueType = 0
	TypeInt8    ValueType = 1
	TypeUint16  ValueType = 2
	TypeInt16   ValueType = 3
	TypeUint32  ValueType = 4
	TypeInt32   ValueType = 5
	TypeFloat32 ValueType = 6
	TypeBool    ValueType = 7
	TypeString  ValueType = 8
	TypeArray   ValueType = 9
	TypeUint64  ValueType = 10
	TypeInt64   ValueType = 11
	TypeFloat64 ValueType = 12
)

var valueTypeNames = [...]string{"u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "array", "u64", "i64", "f64"}

// String is a short name for the type: "u8", "i32", "f32", "string", "array", ...
func (t ValueType) String() string {
	if t.valid() {
		return valueTypeNames[t]
	}
	return fmt.Sprintf("valuetype(%d)", uint32(t))
}

func (t ValueType) valid() bool { return t <= TypeFloat64 }

// fixedSize is the encoded size of a scalar of type t, or 0 for strings and arrays
// (and invalid ids), whose size depends on their contents.
func (t ValueType) fixedSize() int {
	switch t {
	case TypeUint8, TypeInt8, TypeBool:
		return 1
	case TypeUint16, TypeInt16:
		return 2
	case TypeUint32, TypeInt32, TypeFloat32:
		return 4
	case TypeUint64, TypeInt64, TypeFloat64:
		return 8
	}
	return 0
}

// minSize is the fewest bytes a value of type t can take in a file. Counts read
// from a file are checked against it before anything is allocated.
func (t ValueType) minSize() int {
	switch t {
	case TypeString:
		return 8 // u64 length
	case TypeArray:
		return 12 // u32 element type + u64 count
	}
	return t.fixedSize()
}

func (t ValueType) isInteger() bool {
	switch t {
	case TypeUint8, TypeInt8, TypeUint16, TypeInt16, TypeUint32, TypeInt32, TypeUint64, TypeInt64:
		return true
	}
	return false
}

func (t ValueType) isSigned() bool {
	return t == TypeInt8 || t == TypeInt16 || t == TypeInt32 || t == TypeInt64
}

// Value is one GGUF metadata value: a scalar, a string or an array. It records
// the exact GGUF type, so writing a parsed value reproduces its bytes.
//
// Arrays keep their elements in a typed Go slice ([]string, []float32, ...), not
// one boxed Value per element, so 150k-entry vocabularies stay cheap. Arrays of
// arrays hold a []Value whose elements are themselves arrays. Values are
// immutable by convention: accessors return the underlying slices without copying,
// so callers must not modify them.
//
// The zero Value is the u8 0.
type Value struct {
	typ  ValueType
	bits uint64 // integers (signed ones sign-extended), float bits, bool as 0/1
	str  string
	arr  *array
}

// array is the payload of an array Value. data is a slice whose Go type matches
// elem: []uint8, []int8, []uint16, []int16, []uint32, []int32, []float32, []bool,
// []string, []Value (nested arrays), []uint64, []int64 or []float64.
type array struct {
	elem ValueType
	data any
}

// Type is the value's GGUF type.
func (v Value) Type() ValueType { return v.typ }
