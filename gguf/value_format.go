package gguf

import (
	"fmt"
	"strconv"
	"strings"
)

// Limits of Value.String's rendering, which is for a one-line summary.
const (
	formatMaxItems  = 5
	formatMaxString = 60
)

// String renders the value briefly for humans: numbers plainly, strings quoted
// (long ones cut), arrays as "[string × 512] [...first few items...]".
func (v Value) String() string {
	switch v.typ {
	case TypeString:
		return Quote(v.str)
	case TypeBool:
		b, _ := v.AsBool()
		return strconv.FormatBool(b)
	case TypeFloat32:
		f, _ := v.AsFloat()
		return strconv.FormatFloat(f, 'g', -1, 32)
	case TypeFloat64:
		f, _ := v.AsFloat()
		return strconv.FormatFloat(f, 'g', -1, 64)
	case TypeUint8, TypeUint16, TypeUint32, TypeUint64:
		return strconv.FormatUint(v.bits, 10)
	case TypeInt8, TypeInt16, TypeInt32, TypeInt64:
		return strconv.FormatInt(int64(v.bits), 10)
	case TypeArray:
		return v.formatArray()
	}
	return fmt.Sprintf("<%s>", v.typ)
}

func (v Value) formatArray() string {
	elem, _ := v.ElemType()
	n := v.Len()
	var sb strings.Builder
	fmt.Fprintf(&sb, "[%s × %d] [", elem, n)
	for i := 0; i < n && i < formatMaxItems; i++ {
		if i > 0 {
			sb.WriteString(", ")
		}
		e, _ := v.Index(i)
		sb.WriteString(e.String())
	}
	if n > formatMaxItems {
		sb.WriteString(", ...")
	}
	sb.WriteString("]")
	return sb.String()
}

// Quote quotes text from a file for a message, cut to formatMaxString
// characters (with its length in bytes when cut). Keys, names and strings in
// a GGUF are untrusted: one may be a megabyte, so every message that shows
// one goes through Quote.
func Quote(s string) string {
	runes := 0
	for i := range s {
		if runes == formatMaxString {
			return fmt.Sprintf("%s... (%d bytes)", strconv.Quote(s[:i]), len(s))
		}
		runes++
	}
	return strconv.Quote(s)
}
