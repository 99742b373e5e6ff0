package chat

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// toJSON is `tojson` as transformers defines it for chat templates:
// json.dumps(x, ensure_ascii=False, indent=indent, separators=separators,
// sort_keys=sort_keys). Separators default to ", " and ": " (",", ": " when
// indenting), dict keys keep their order, and <, >, & are not escaped.
// Output longer than limit bytes is an output size *LimitError: indenting
// repeats the indent on every line, so the output can be far longer than
// the value printed.
func toJSON(limit int, in *exec.Value, params *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	enc := jsonEncoder{itemSep: ", ", keySep: ": ", limit: limit}
	for name, v := range params.KwArgs {
		switch name {
		case "indent":
			if !v.IsNil() {
				if !v.IsInteger() {
					return exec.AsValue(fmt.Errorf("tojson: indent must be an integer, got %s", v.String()))
				}
				if v.Integer() < 0 || v.Integer() > limit/(maxJSONDepth+1) {
					return exec.AsValue(limitErrorf("output size", "tojson indent %d would print more than %d bytes", v.Integer(), limit))
				}
				enc.indent = strings.Repeat(" ", v.Integer())
				enc.indented = true
				enc.itemSep = ","
			}
		case "ensure_ascii":
			enc.ensureASCII = v.IsTrue()
		case "sort_keys":
			enc.sortKeys = v.IsTrue()
		case "separators":
			if v.Len() != 2 {
				return exec.AsValue(fmt.Errorf("tojson: separators must be a pair of strings"))
			}
			enc.itemSep, enc.keySep = v.Index(0).String(), v.Index(1).String()
			if len(enc.itemSep)+len(enc.keySep) > limit/2 {
				return exec.AsValue(limitErrorf("output size", "tojson separators would print more than %d bytes", limit))
			}
		default:
			return exec.AsValue(fmt.Errorf("tojson: unknown argument %q", name))
		}
	}
	if len(params.Args) > 0 {
		return exec.AsValue(fmt.Errorf("tojson: takes keyword arguments only"))
	}
	var sb strings.Builder
	if err := enc.value(&sb, in, 0); err != nil {
		return exec.AsValue(err)
	}
	return exec.AsValue(sb.String())
}

// maxJSONDepth is how deeply tojson follows nested values.
const maxJSONDepth = 100

type jsonEncoder struct {
	limit           int
	indent          string
	indented        bool
	itemSep, keySep string
	ensureASCII     bool
	sortKeys        bool
}

type jsonPair struct {
	key string
	val *exec.Value
}

func (e *jsonEncoder) newline(sb *strings.Builder, depth int) {
	if e.indented {
		sb.WriteByte('\n')
		for range depth {
			sb.WriteString(e.indent)
		}
	}
}

func (e *jsonEncoder) value(sb *strings.Builder, v *exec.Value, depth int) error {
	if depth > maxJSONDepth {
		return fmt.Errorf("tojson: value nested deeper than %d levels", maxJSONDepth)
	}
	if sb.Len() > e.limit {
		return limitErrorf("output size", "tojson would print more than %d bytes", e.limit)
	}
	switch {
	case v == nil || v.IsNil():
		sb.WriteString("null")
	case v.IsBool():
		if v.Bool() {
			sb.WriteString("true")
		} else {
			sb.WriteString("false")
		}
	case v.IsInteger():
		sb.WriteString(strconv.Itoa(v.Integer()))
	case v.IsFloat():
		sb.WriteString(pythonFloat(v.Float()))
	case v.IsString():
		e.str(sb, v.String())
	case v.IsDict():
		pairs, err := dictPairs(v)
		if err != nil {
			return err
		}
		if e.sortKeys {
			sort.SliceStable(pairs, func(i, j int) bool { return pairs[i].key < pairs[j].key })
		}
		if len(pairs) == 0 {
			sb.WriteString("{}")
			return nil
		}
		sb.WriteByte('{')
		for i, p := range pairs {
			if i > 0 {
				sb.WriteString(e.itemSep)
			}
			e.newline(sb, depth+1)
			e.str(sb, p.key)
			sb.WriteString(e.keySep)
			if err := e.value(sb, p.val, depth+1); err != nil {
				return err
			}
		}
		e.newline(sb, depth)
		sb.WriteByte('}')
	case v.IsList():
		n := v.Len()
		if n == 0 {
			sb.WriteString("[]")
			return nil
		}
		sb.WriteByte('[')
		for i := range n {
			if i > 0 {
				sb.WriteString(e.itemSep)
			}
			e.newline(sb, depth+1)
			if err := e.value(sb, v.Index(i), depth+1); err != nil {
				return err
			}
		}
		e.newline(sb, depth)
		sb.WriteByte(']')
	default:
		return fmt.Errorf("tojson: cannot encode %s", v.String())
	}
	return nil
}

// dictPairs lists a dict's entries: Jinja dict literals and messages
// (exec.Dict) in their own order, Go maps sorted by key since Go keeps no
// insertion order.
func dictPairs(v *exec.Value) ([]jsonPair, error) {
	switch d := v.Interface().(type) {
	case exec.Dict:
		return pairsOf(d.Pairs), nil
	case *exec.Dict:
		return pairsOf(d.Pairs), nil
	}
	rv := reflect.ValueOf(v.Interface())
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Map {
		return nil, fmt.Errorf("tojson: cannot encode %s", v.String())
	}
	var out []jsonPair
	iter := rv.MapRange()
	for iter.Next() {
		out = append(out, jsonPair{key: fmt.Sprint(iter.Key().Interface()), val: exec.ToValue(iter.Value())})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out, nil
}

func pairsOf(ps []*exec.Pair) []jsonPair {
	out := make([]jsonPair, len(ps))
	for i, p := range ps {
		out[i] = jsonPair{key: p.Key.String(), val: p.Value}
	}
	return out
}

// str writes s as a JSON string the way Python's json module does.
func (e *jsonEncoder) str(sb *strings.Builder, s string) {
	sb.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			sb.WriteString(`\"`)
		case '\\':
			sb.WriteString(`\\`)
		case '\n':
			sb.WriteString(`\n`)
		case '\r':
			sb.WriteString(`\r`)
		case '\t':
			sb.WriteString(`\t`)
		case '\b':
			sb.WriteString(`\b`)
		case '\f':
			sb.WriteString(`\f`)
		default:
			switch {
			case r < 0x20:
				fmt.Fprintf(sb, `\u%04x`, r)
			case r > 0x7e && e.ensureASCII:
				if r > 0xffff {
					r -= 0x10000
					fmt.Fprintf(sb, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
				} else {
					fmt.Fprintf(sb, `\u%04x`, r)
				}
			default:
				sb.WriteRune(r)
			}
		}
	}
	sb.WriteByte('"')
}

// pythonFloat formats f like Python's repr(float): shortest round-trip
// digits, ".0" on integral values, exponent form outside [1e-4, 1e16).
func pythonFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	a := math.Abs(f)
	if a != 0 && (a < 1e-4 || a >= 1e16) {
		return strconv.FormatFloat(f, 'e', -1, 64)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}
