package gguf

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
)

// maxNesting bounds arrays of arrays, so a crafted file cannot drive deep
// recursion. Real files use at most one level (and usually none).
const maxNesting = 16

// value decodes one value of type t at the cursor. depth is the number of arrays
// enclosing it.
func (d *decoder) value(t ValueType, depth int) (Value, error) {
	switch t {
	case TypeString:
		s, err := d.string("string")
		return Str(s), err
	case TypeArray:
		return d.array(depth)
	case TypeBool:
		at := d.pos
		b, err := d.take(1, "bool")
		if err != nil {
			return Value{}, err
		}
		if b[0] > 1 {
			return Value{}, fmt.Errorf("invalid bool %d at byte %d (want 0 or 1)", b[0], at)
		}
		return Value{typ: TypeBool, bits: uint64(b[0])}, nil
	}
	size := t.fixedSize()
	if size == 0 {
		return Value{}, fmt.Errorf("unknown value type %d", uint32(t))
	}
	b, err := d.take(uint64(size), t.String())
	if err != nil {
		return Value{}, err
	}
	return Value{typ: t, bits: scalarBits(t, b)}, nil
}

// scalarBits decodes a fixed-size scalar into Value.bits, sign-extending signed
// integers so that int64(bits) is the number.
func scalarBits(t ValueType, b []byte) uint64 {
	switch t {
	case TypeUint8:
		return uint64(b[0])
	case TypeInt8:
		return uint64(int64(int8(b[0])))
	case TypeUint16:
		return uint64(binary.LittleEndian.Uint16(b))
	case TypeInt16:
		return uint64(int64(int16(binary.LittleEndian.Uint16(b))))
	case TypeUint32, TypeFloat32:
		return uint64(binary.LittleEndian.Uint32(b))
	case TypeInt32:
		return uint64(int64(int32(binary.LittleEndian.Uint32(b))))
	}
	return binary.LittleEndian.Uint64(b) // u64, i64, f64
}

// array decodes an array (element type, count, elements) at the cursor into a
// typed slice.
func (d *decoder) array(depth int) (Value, error) {
	at := d.pos
	raw, err := d.u32("array element type")
	if err != nil {
		return Value{}, err
	}
	elem := ValueType(raw)
	if !elem.valid() {
		return Value{}, fmt.Errorf("unknown array element type %d at byte %d", raw, at)
	}
	if elem == TypeArray && depth+1 >= maxNesting {
		return Value{}, fmt.Errorf("arrays nested deeper than %d at byte %d", maxNesting, at)
	}
	n, err := d.count("array length", elem.minSize())
	if err != nil {
		return Value{}, err
	}
	var data any
	switch elem {
	case TypeString:
		data, err = d.stringElems(n)
	case TypeArray:
		data, err = d.arrayElems(n, depth+1)
	case TypeBool:
		data, err = d.boolElems(n)
	default:
		// count() has checked that n fixed-size elements fit.
		b, _ := d.take(uint64(n)*uint64(elem.fixedSize()), "array")
		data = fixedElems(elem, b, n)
	}
	if err != nil {
		return Value{}, err
	}
	return Value{typ: TypeArray, arr: &array{elem: elem, data: data}}, nil
}

// fixedElems decodes n little-endian fixed-size numbers from b.
func fixedElems(elem ValueType, b []byte, n int) any {
	le := binary.LittleEndian
	switch elem {
	case TypeUint8:
		return append([]uint8(nil), b...)
	case TypeInt8:
		return decodeEach(n, func(i int) int8 { return int8(b[i]) })
	case TypeUint16:
		return decodeEach(n, func(i int) uint16 { return le.Uint16(b[2*i:]) })
	case TypeInt16:
		return decodeEach(n, func(i int) int16 { return int16(le.Uint16(b[2*i:])) })
	case TypeUint32:
		return decodeEach(n, func(i int) uint32 { return le.Uint32(b[4*i:]) })
	case TypeInt32:
		return decodeEach(n, func(i int) int32 { return int32(le.Uint32(b[4*i:])) })
	case TypeFloat32:
		return decodeEach(n, func(i int) float32 { return math.Float32frombits(le.Uint32(b[4*i:])) })
	case TypeUint64:
		return decodeEach(n, func(i int) uint64 { return le.Uint64(b[8*i:]) })
	case TypeInt64:
		return decodeEach(n, func(i int) int64 { return int64(le.Uint64(b[8*i:])) })
	default: // TypeFloat64
		return decodeEach(n, func(i int) float64 { return math.Float64frombits(le.Uint64(b[8*i:])) })
	}
}

func decodeEach[T any](n int, at func(int) T) []T {
	xs := make([]T, n)
	for i := range xs {
		xs[i] = at(i)
	}
	return xs
}

func (d *decoder) boolElems(n int) ([]bool, error) {
	at := d.pos
	b, _ := d.take(uint64(n), "array") // count() checked the fit
	xs := make([]bool, n)
	for i, c := range b {
		if c > 1 {
			return nil, fmt.Errorf("element %d: invalid bool %d at byte %d (want 0 or 1)", i, c, at+i)
		}
		xs[i] = c == 1
	}
	return xs, nil
}

// stringElems decodes n strings. It walks them once to validate the lengths and
// total their size, then copies all their bytes into one allocation that the
// strings share: one allocation instead of one per token for a vocabulary.
func (d *decoder) stringElems(n int) ([]string, error) {
	start := d.pos
	total := 0
	for i := 0; i < n; i++ {
		b, err := d.stringBytes("string")
		if err != nil {
			return nil, fmt.Errorf("element %d: %w", i, err)
		}
		total += len(b)
	}
	d.pos = start
	var all strings.Builder
	all.Grow(total)
	ends := make([]int, n)
	for i := range ends {
		b, _ := d.stringBytes("string") // validated above
		all.Write(b)
		ends[i] = all.Len()
	}
	joined := all.String()
	xs := make([]string, n)
	prev := 0
	for i, end := range ends {
		xs[i] = joined[prev:end]
		prev = end
	}
	return xs, nil
}

func (d *decoder) arrayElems(n int, depth int) ([]Value, error) {
	xs := make([]Value, n)
	for i := range xs {
		v, err := d.array(depth)
		if err != nil {
			return nil, fmt.Errorf("element %d: %w", i, err)
		}
		xs[i] = v
	}
	return xs, nil
}
