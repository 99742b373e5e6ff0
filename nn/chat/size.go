package chat

import (
	"reflect"

	"github.com/nikolalohinski/gonja/v2/exec"
)

var (
	typeOfValue        = reflect.TypeFor[exec.Value]()
	typeOfReflectValue = reflect.TypeFor[reflect.Value]()
)

// textSize estimates how many bytes printing v would take, stopping as
// soon as the estimate passes max. Lists may share elements (l.append(l)
// doubles what printing l prints without copying anything), so a value's
// printed size can be exponential in the memory it holds; gonja prints
// and deep-copies values freely, and this is checked first. Every visited
// element counts at least one byte, so the walk itself is bounded by max.
// deep reports a value nested more than nesting levels, which includes a
// value that contains itself (a namespace assigned into itself).
func textSize(v any, max, nesting int) (size int, deep bool) {
	s := sizer{max: max, nesting: nesting}
	s.walk(reflect.ValueOf(v), 0)
	return s.size, s.deep
}

type sizer struct {
	size, max, nesting int
	deep               bool
}

func (s *sizer) done() bool { return s.size > s.max || s.deep }

func (s *sizer) walk(v reflect.Value, level int) {
	if s.done() {
		return
	}
	if level > s.nesting {
		s.deep = true
		return
	}
	if !v.IsValid() {
		s.size += 4 // None
		return
	}
	switch v.Type() {
	case typeOfValue:
		s.walkValue(v, level)
		return
	case typeOfReflectValue:
		if v.CanInterface() {
			s.walk(v.Interface().(reflect.Value), level)
		}
		return
	}
	switch v.Kind() {
	case reflect.String:
		s.size += v.Len() + 2
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			s.size += 4
			return
		}
		s.walk(v.Elem(), level)
	case reflect.Slice, reflect.Array:
		s.size += 2
		for i := 0; i < v.Len() && !s.done(); i++ {
			s.size += 2
			s.walk(v.Index(i), level+1)
		}
	case reflect.Map:
		s.size += 2
		iter := v.MapRange()
		for iter.Next() && !s.done() {
			s.size += 4
			s.walk(iter.Key(), level+1)
			s.walk(iter.Value(), level+1)
		}
	case reflect.Struct:
		s.size += 2
		for i := 0; i < v.NumField() && !s.done(); i++ {
			s.walk(v.Field(i), level+1)
		}
	default:
		// numbers, booleans, functions, channels: a short word at most.
		s.size += 24
	}
}

// walkValue walks a gonja value through its exported reflect.Value.
func (s *sizer) walkValue(v reflect.Value, level int) {
	if !v.CanInterface() {
		s.size += 24
		return
	}
	val := v.Interface().(exec.Value)
	s.walk(val.Val, level)
}
