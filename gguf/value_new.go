package gguf

import "math"

// Constructors for scalar values. Each makes a Value of exactly the named GGUF
// type, which is what a writer stores.

// U8 makes a u8 value.
func U8(x uint8) Value { return Value{typ: TypeUint8, bits: uint64(x)} }

// I8 makes an i8 value.
func I8(x int8) Value { return Value{typ: TypeInt8, bits: uint64(int64(x))} }

// U16 makes a u16 value.
func U16(x uint16) Value { return Value{typ: TypeUint16, bits: uint64(x)} }

// I16 makes an i16 value.
func I16(x int16) Value { return Value{typ: TypeInt16, bits: uint64(int64(x))} }

// U32 makes a u32 value.
func U32(x uint32) Value { return Value{typ: TypeUint32, bits: uint64(x)} }

// I32 makes an i32 value.
func I32(x int32) Value { return Value{typ: TypeInt32, bits: uint64(int64(x))} }

// U64 makes a u64 value.
func U64(x uint64) Value { return Value{typ: TypeUint64, bits: x} }

// I64 makes an i64 value.
func I64(x int64) Value { return Value{typ: TypeInt64, bits: uint64(x)} }

// F32 makes an f32 value.
func F32(x float32) Value { return Value{typ: TypeFloat32, bits: uint64(math.Float32bits(x))} }

// F64 makes an f64 value.
func F64(x float64) Value { return Value{typ: TypeFloat64, bits: math.Float64bits(x)} }

// Bool makes a bool value.
func Bool(x bool) Value {
	if x {
		return Value{typ: TypeBool, bits: 1}
	}
	return Value{typ: TypeBool}
}

// Str makes a string value.
func Str(s string) Value { return Value{typ: TypeString, str: s} }

// Elem is the set of Go types an array Value can hold, one per GGUF scalar type.
type Elem interface {
	uint8 | int8 | uint16 | int16 | uint32 | int32 | float32 | bool | string | uint64 | int64 | float64
}

// elemType is the GGUF type of the Go type T.
func elemType[T Elem]() ValueType {
	var zero T
	switch any(zero).(type) {
	case uint8:
		return TypeUint8
	case int8:
		return TypeInt8
	case uint16:
		return TypeUint16
	case int16:
		return TypeInt16
	case uint32:
		return TypeUint32
	case int32:
		return TypeInt32
	case float32:
		return TypeFloat32
	case bool:
		return TypeBool
	case string:
		return TypeString
	case uint64:
		return TypeUint64
	case int64:
		return TypeInt64
	default: // float64: the constraint admits nothing else
		return TypeFloat64
	}
}

// ArrayOf makes an array Value whose element type follows from T (e.g. []int32
// gives an array of i32). The slice is kept, not copied.
func ArrayOf[T Elem](xs []T) Value {
	if xs == nil {
		xs = []T{}
	}
	return Value{typ: TypeArray, arr: &array{elem: elemType[T](), data: xs}}
}

// StringArray makes an array of string.
func StringArray(xs []string) Value { return ArrayOf(xs) }

// Float32Array makes an array of f32.
func Float32Array(xs []float32) Value { return ArrayOf(xs) }

// Int32Array makes an array of i32.
func Int32Array(xs []int32) Value { return ArrayOf(xs) }

// NestedArray makes an array of arrays. Every element must itself be an array
// Value; a Builder reports an error at write time otherwise.
func NestedArray(xs []Value) Value {
	if xs == nil {
		xs = []Value{}
	}
	return Value{typ: TypeArray, arr: &array{elem: TypeArray, data: xs}}
}
