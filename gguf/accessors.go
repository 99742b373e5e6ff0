package gguf

import (
	"fmt"
	"math"
)

// lookup returns the value for key or the "missing" error every accessor uses.
func (f *File) lookup(key string) (Value, error) {
	v, ok := f.Get(key)
	if !ok {
		return Value{}, fmt.Errorf("gguf: missing metadata key %q", key)
	}
	return v, nil
}

// typeError names the key, the wanted type and the value's actual type.
func typeError(key, want string, v Value) error {
	got := v.Type().String()
	if elem, ok := v.ElemType(); ok {
		got = "array of " + elem.String()
	}
	return fmt.Errorf("gguf: metadata key %q has type %s, want %s", key, got, want)
}

// String returns a string value.
func (f *File) String(key string) (string, error) {
	v, err := f.lookup(key)
	if err != nil {
		return "", err
	}
	s, ok := v.AsString()
	if !ok {
		return "", typeError(key, "string", v)
	}
	return s, nil
}

// Uint returns an unsigned integer value; any unsigned type, or a signed type
// holding a non-negative number.
func (f *File) Uint(key string) (uint64, error) {
	v, err := f.lookup(key)
	if err != nil {
		return 0, err
	}
	n, ok := v.AsUint()
	if !ok {
		if v.Type().isInteger() {
			return 0, fmt.Errorf("gguf: metadata key %q is %s %s, want a non-negative integer", key, v.Type(), v)
		}
		return 0, typeError(key, "unsigned integer", v)
	}
	return n, nil
}

// Int returns an integer value of any integer type.
func (f *File) Int(key string) (int64, error) {
	v, err := f.lookup(key)
	if err != nil {
		return 0, err
	}
	n, ok := v.AsInt()
	if !ok {
		if v.Type().isInteger() {
			return 0, fmt.Errorf("gguf: metadata key %q is %s %s, which overflows int64", key, v.Type(), v)
		}
		return 0, typeError(key, "integer", v)
	}
	return n, nil
}

// Float returns an f32 or f64 value, or an integer value converted.
func (f *File) Float(key string) (float64, error) {
	v, err := f.lookup(key)
	if err != nil {
		return 0, err
	}
	x, ok := v.AsFloat()
	if !ok {
		return 0, typeError(key, "float", v)
	}
	return x, nil
}

// Bool returns a bool value.
func (f *File) Bool(key string) (bool, error) {
	v, err := f.lookup(key)
	if err != nil {
		return false, err
	}
	b, ok := v.AsBool()
	if !ok {
		return false, typeError(key, "bool", v)
	}
	return b, nil
}

// Strings returns an array of string. The slice is shared: do not modify it.
func (f *File) Strings(key string) ([]string, error) {
	v, err := f.lookup(key)
	if err != nil {
		return nil, err
	}
	xs, ok := Slice[string](v)
	if !ok {
		return nil, typeError(key, "array of string", v)
	}
	return xs, nil
}

// Float32s returns an array of f32. The slice is shared: do not modify it.
func (f *File) Float32s(key string) ([]float32, error) {
	v, err := f.lookup(key)
	if err != nil {
		return nil, err
	}
	xs, ok := Slice[float32](v)
	if !ok {
		return nil, typeError(key, "array of f32", v)
	}
	return xs, nil
}

// Int32s returns an array of i32. Arrays of any other integer type are converted
// (into a new slice), with an error naming the element that does not fit in
// int32. An i32 array's slice is shared: do not modify it.
func (f *File) Int32s(key string) ([]int32, error) {
	v, err := f.lookup(key)
	if err != nil {
		return nil, err
	}
	if xs, ok := Slice[int32](v); ok {
		return xs, nil
	}
	elem, isArray := v.ElemType()
	if !isArray || !elem.isInteger() {
		return nil, typeError(key, "array of i32", v)
	}
	out := make([]int32, v.Len())
	for i := range out {
		e, _ := v.Index(i)
		n, ok := e.AsInt()
		if !ok || n < math.MinInt32 || n > math.MaxInt32 {
			return nil, fmt.Errorf("gguf: metadata key %q: element %d (%s %s) does not fit in i32", key, i, elem, e)
		}
		out[i] = int32(n)
	}
	return out, nil
}
