package chat

import (
	"errors"
	"strings"
	"unicode"

	"github.com/nikolalohinski/gonja/v2/builtins"
	"github.com/nikolalohinski/gonja/v2/exec"
)

// gonjaStrMethods lists gonja v2.9.1's str methods. MethodSet cannot be
// iterated, so the copy in newStrMethods needs the names.
var gonjaStrMethods = []string{
	"capitalize", "capwords", "casefold", "center", "count", "encode", "endswith", "expandtabs",
	"find", "format", "format_map", "isalnum", "isalpha", "isascii", "isdecimal", "isdigit",
	"islower", "isnumeric", "isprintable", "isspace", "istitle", "isupper", "join", "ljust",
	"lower", "lstrip", "partition", "removeprefix", "removesuffix", "replace", "rfind", "rjust",
	"rpartition", "rsplit", "rstrip", "split", "splitlines", "startswith", "strip", "swapcase",
	"title", "upper", "zfill",
}

// newStrMethods copies gonja's str methods and replaces strip, lstrip,
// rstrip, split and rsplit: in gonja v2.9.1 lstrip()/rstrip() without an
// argument fail (their default is a rune, not a string) and split()/rsplit()
// without a separator split on a single space instead of on whitespace runs.
// Chat templates call all of these bare (e.g. content.strip(),
// message.content.split('</think>')[-1].lstrip('\n')).
func newStrMethods() *exec.MethodSet[string] {
	m := map[string]exec.Method[string]{}
	for _, name := range gonjaStrMethods {
		if fn, ok := builtins.Methods.Str.Get(name); ok {
			m[name] = fn
		}
	}
	m["strip"] = stripMethod(true, true)
	m["lstrip"] = stripMethod(true, false)
	m["rstrip"] = stripMethod(false, true)
	m["split"] = splitMethod(false)
	m["rsplit"] = splitMethod(true)
	return exec.NewMethodSet(m)
}

// optionalString reads an optional positional string argument; a missing
// argument or none means "not given".
func optionalString(args *exec.VarArgs, i int) (s string, given bool, err error) {
	if len(args.Args) <= i || args.Args[i].IsNil() {
		return "", false, nil
	}
	if !args.Args[i].IsString() {
		return "", false, errors.New("argument must be a string or none")
	}
	return args.Args[i].String(), true, nil
}

func stripMethod(left, right bool) exec.Method[string] {
	return func(self string, _ *exec.Value, args *exec.VarArgs) (any, error) {
		if len(args.Args) > 1 || len(args.KwArgs) > 0 {
			return nil, errors.New("strip takes at most one positional argument")
		}
		chars, given, err := optionalString(args, 0)
		if err != nil {
			return nil, err
		}
		cut := unicode.IsSpace
		if given {
			cut = func(r rune) bool { return strings.ContainsRune(chars, r) }
		}
		if left {
			self = strings.TrimLeftFunc(self, cut)
		}
		if right {
			self = strings.TrimRightFunc(self, cut)
		}
		return self, nil
	}
}

func splitMethod(fromRight bool) exec.Method[string] {
	return func(self string, _ *exec.Value, args *exec.VarArgs) (any, error) {
		sepArg, maxArg := args.Args, -1
		if v, ok := args.KwArgs["maxsplit"]; ok {
			maxArg = v.Integer()
		}
		if len(sepArg) > 1 {
			if !sepArg[1].IsInteger() {
				return nil, errors.New("maxsplit must be an integer")
			}
			maxArg = sepArg[1].Integer()
		}
		sep, given, err := optionalString(args, 0)
		if err != nil {
			return nil, err
		}
		if s, ok := args.KwArgs["sep"]; ok && !s.IsNil() {
			sep, given = s.String(), true
		}
		if given && sep == "" {
			return nil, errors.New("empty separator")
		}
		var parts []string
		if given {
			parts = splitSep(self, sep, maxArg, fromRight)
		} else {
			parts = splitSpace(self, maxArg, fromRight)
		}
		out := make([]any, len(parts))
		for i, p := range parts {
			out[i] = p
		}
		return out, nil
	}
}

// splitSep is Python's str.split(sep, maxsplit) / str.rsplit.
func splitSep(s, sep string, maxSplit int, fromRight bool) []string {
	if maxSplit < 0 {
		return strings.Split(s, sep)
	}
	if !fromRight {
		return strings.SplitN(s, sep, maxSplit+1)
	}
	var rev []string
	for range maxSplit {
		i := strings.LastIndex(s, sep)
		if i < 0 {
			break
		}
		rev = append(rev, s[i+len(sep):])
		s = s[:i]
	}
	out := []string{s}
	for i := len(rev) - 1; i >= 0; i-- {
		out = append(out, rev[i])
	}
	return out
}

// splitSpace is Python's str.split() with no separator: runs of whitespace
// separate fields, and the unsplit remainder keeps its inner whitespace.
func splitSpace(s string, maxSplit int, fromRight bool) []string {
	if maxSplit < 0 {
		return strings.Fields(s)
	}
	if fromRight {
		var rev []string
		s = strings.TrimRightFunc(s, unicode.IsSpace)
		for range maxSplit {
			i := strings.LastIndexFunc(s, unicode.IsSpace)
			if i < 0 {
				break
			}
			rev = append(rev, s[strings.IndexFunc(s[i:], func(r rune) bool { return !unicode.IsSpace(r) })+i:])
			s = strings.TrimRightFunc(s[:i], unicode.IsSpace)
		}
		out := []string{}
		if s != "" {
			out = append(out, s)
		}
		for i := len(rev) - 1; i >= 0; i-- {
			out = append(out, rev[i])
		}
		return out
	}
	var out []string
	s = strings.TrimLeftFunc(s, unicode.IsSpace)
	for range maxSplit {
		i := strings.IndexFunc(s, unicode.IsSpace)
		if i < 0 {
			break
		}
		out = append(out, s[:i])
		s = strings.TrimLeftFunc(s[i:], unicode.IsSpace)
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}
