package chat

import (
	"maps"
	"slices"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// The filters and methods that can build a result far larger than their
// input are sized here before they run; every filter and method is
// checked after it runs too (guardedcalls.go).

// widthCalls take a width or a count the result grows with: once (center),
// per line (indent), per tab (expandtabs) or per item (batch and slice make
// lists of that many items or lists).
var widthCalls = map[string]widthUse{
	"center": once, "ljust": once, "rjust": once, "zfill": once,
	"indent": perLine, "expandtabs": perTab, "batch": perItem, "slice": perItem,
}

type widthUse int

const (
	once widthUse = iota
	perLine
	perTab
	perItem
)

// before sizes a call whose result can outgrow its input. in is the
// filtered value or the object a method is called on.
func (g *guards) before(name string, in *exec.Value, params *exec.VarArgs, isMethod bool) error {
	if err := g.b.tick(); err != nil {
		return err
	}
	what := "the result of " + name
	if use, ok := widthCalls[name]; ok {
		return g.sizeWidthCall(use, in, params, what)
	}
	switch {
	case name == "replace":
		return g.sizeReplace(in, params, what)
	case name == "join":
		list, sep := in, exec.AsValue("")
		if isMethod && len(params.Args) > 0 {
			list, sep = params.Args[0], in
		} else if !isMethod && len(params.Args) > 0 {
			sep = params.Args[0]
		}
		n, err := g.size(list)
		if err != nil {
			return err
		}
		return g.b.checkSize(n+len(sep.String())*list.Len(), what)
	case name == "format" || name == "format_map":
		n, err := g.argsSize(params)
		if err != nil {
			return err
		}
		f := in.String()
		widths := formatWidths(f)
		if nestedFields(f) {
			// '{:>{w}}' takes a width from the arguments
			widths += intArgs(params)
		}
		// any field may print any argument ('{0}{0}{0}', '%[1]s%[1]s')
		fields := max(strings.Count(f, "{")+strings.Count(f, "%"), 1)
		return g.b.checkSize(len(f)+fields*n+widths, what)
	case (name == "split" || name == "rsplit" || name == "splitlines") && in.IsString():
		// the pieces are counted as the list's text counts them (textSize)
		return g.b.checkSize(len(in.String())+4*pieces(in.String(), params), what)
	case name == "list" && in.IsString():
		// a list of one-character strings holds far more than the string
		return g.b.checkSize(16*len(in.String()), what)
	}
	return nil
}

// sizeWidthCall bounds center(width), indent(width), batch(count)...
func (g *guards) sizeWidthCall(use widthUse, in *exec.Value, params *exec.VarArgs, what string) error {
	width := 0
	add := func(v *exec.Value) {
		switch {
		case v.IsInteger():
			width += max(v.Integer(), 0)
		case v.IsString():
			width += len(v.String())
		}
	}
	for _, a := range params.Args {
		add(a)
	}
	for _, a := range params.KwArgs {
		add(a)
	}
	if width > g.b.output {
		return g.b.checkSize(-1, what)
	}
	n, err := g.size(in)
	if err != nil {
		return err
	}
	times := 1
	switch use {
	case perLine:
		times += strings.Count(in.String(), "\n")
	case perTab:
		times += strings.Count(in.String(), "\t")
	case perItem:
		times = 16 // a list slot for each item
	}
	if times > g.b.output/max(width, 1) {
		return g.b.checkSize(-1, what)
	}
	return g.b.checkSize(n+times*width, what)
}

// sizeReplace bounds s.replace(old, new[, count]).
func (g *guards) sizeReplace(in *exec.Value, params *exec.VarArgs, what string) error {
	if len(params.Args) < 2 {
		return nil
	}
	s, old, repl := in.String(), params.Args[0].String(), params.Args[1].String()
	hits := len(s) + 1
	if old != "" {
		hits = strings.Count(s, old)
	}
	if len(params.Args) > 2 && params.Args[2].IsInteger() && params.Args[2].Integer() >= 0 {
		hits = min(hits, params.Args[2].Integer())
	}
	if len(repl) > 0 && hits > g.b.output/len(repl) {
		return g.b.checkSize(-1, what)
	}
	return g.b.checkSize(len(s)+hits*len(repl), what)
}

func (g *guards) argsSize(params *exec.VarArgs) (int, error) {
	total := 0
	for _, a := range params.Args {
		n, err := g.size(a)
		if err != nil {
			return 0, err
		}
		total += n
	}
	for _, a := range params.KwArgs {
		n, err := g.size(a)
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// nestedFields reports a str.format replacement field holding another,
// as in '{:>{w}}'.
func nestedFields(f string) bool {
	inField := false
	for i := 0; i < len(f); i++ {
		switch {
		case f[i] == '{' && i+1 < len(f) && f[i+1] == '{' && !inField:
			i++
		case f[i] == '{' && inField:
			return true
		case f[i] == '{':
			inField = true
		case f[i] == '}':
			inField = false
		}
	}
	return false
}

// intArgs adds up the non-negative integer arguments of a call, each a
// possible width.
func intArgs(params *exec.VarArgs) int {
	total := 0
	for _, v := range append(slices.Collect(maps.Values(params.KwArgs)), params.Args...) {
		if v.IsInteger() {
			total = min(total+max(v.Integer(), 0), 1<<41)
		}
	}
	return total
}

// pieces bounds how many strings split(sep) or splitlines() makes of s.
func pieces(s string, params *exec.VarArgs) int {
	if len(params.Args) > 0 && params.Args[0].IsString() && params.Args[0].String() != "" {
		return strings.Count(s, params.Args[0].String()) + 1
	}
	return len(s)/2 + 1
}

// formatWidths adds up the numbers in a format string, an upper bound on
// the padding its widths and precisions ask for; '*' (a width taken from
// the arguments) counts as unbounded.
func formatWidths(f string) int {
	total, n := 0, 0
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c == '*' {
			return -1 << 62
		}
		if c >= '0' && c <= '9' {
			n = min(n*10+int(c-'0'), 1<<40)
			continue
		}
		total += n
		n = 0
	}
	return min(total+n, 1<<41)
}
