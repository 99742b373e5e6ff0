package chat

import (
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/nikolalohinski/gonja/v2/builtins"
	"github.com/nikolalohinski/gonja/v2/exec"
)

// The filters and methods that can build a result far larger than their
// input are sized before they run; every filter and method is checked
// after it runs (guardFilter, guardMethods).
var (
	// widthCalls take a width or a count the result grows with: once
	// (center), per line (indent), per tab (expandtabs) or per item (batch
	// and slice make lists of that many items or lists).
	widthCalls = map[string]widthUse{
		"center": once, "ljust": once, "rjust": once, "zfill": once,
		"indent": perLine, "expandtabs": perTab, "batch": perItem, "slice": perItem,
	}
	// mutators change the list or dict they are called on.
	mutators = map[string]bool{"append": true, "update": true, "setdefault": true}
)

type widthUse int

const (
	once widthUse = iota
	perLine
	perTab
	perItem
)

// setNames lists the names in one of gonja's filter or method sets, which
// gonja does not expose; the names are read, nothing is written.
func setNames(set any, field string) []string {
	m := reflect.ValueOf(set).Elem().FieldByName(field)
	names := make([]string, 0, m.Len())
	for _, k := range m.MapKeys() {
		names = append(names, k.String())
	}
	return names
}

// guardFilters returns a copy of filters with every filter guarded.
func guardFilters(g *guards, filters *exec.FilterSet) *exec.FilterSet {
	out := map[string]exec.FilterFunction{}
	for _, name := range setNames(filters, "filters") {
		f, _ := filters.Get(name)
		out[name] = guardFilter(g, name, f)
	}
	return exec.NewFilterSet(out)
}

func guardFilter(g *guards, name string, f exec.FilterFunction) exec.FilterFunction {
	return func(e *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
		if err := g.before(name, in, params, false); err != nil {
			return exec.AsValue(err)
		}
		out := f(e, in, params)
		if out.IsError() {
			var limit *LimitError
			if err, ok := out.Interface().(error); ok && errors.As(err, &limit) {
				g.b.fail(limit)
			}
			return out
		}
		if err := g.after(name, out); err != nil {
			return exec.AsValue(err)
		}
		return out
	}
}

// guardMethods returns a copy of a method set with every method guarded.
func guardMethods[I any](g *guards, set *exec.MethodSet[I]) *exec.MethodSet[I] {
	out := map[string]exec.Method[I]{}
	for _, name := range setNames(set, "methods") {
		m, _ := set.Get(name)
		out[name] = func(self I, selfValue *exec.Value, params *exec.VarArgs) (any, error) {
			if err := g.before(name, selfValue, params, true); err != nil {
				return nil, err
			}
			result, err := m(self, selfValue, params)
			if err != nil {
				return nil, err
			}
			if mutators[name] {
				return result, g.mutated(selfValue, params)
			}
			return result, g.after(name, exec.ToValue(result))
		}
	}
	return exec.NewMethodSet(out)
}

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
		widths := formatWidths(in.String())
		if nestedFields(in.String()) {
			// '{:>{w}}' takes a width from the arguments
			widths += intArgs(params)
		}
		return g.b.checkSize(len(in.String())+n+widths, what)
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

// after checks and charges a call's result.
func (g *guards) after(name string, out *exec.Value) error {
	return g.charge("the result of " + name)(out)
}

// mutated checks a list or dict after append/update/setdefault: it must
// stay within the limits (and not contain itself), and what was added is
// charged.
func (g *guards) mutated(self *exec.Value, params *exec.VarArgs) error {
	n, err := g.size(self)
	if err != nil {
		return err
	}
	if err := g.b.checkSize(n, "a list or dict"); err != nil {
		return err
	}
	added, err := g.argsSize(params)
	if err != nil {
		return err
	}
	return g.b.build(added, "a list or dict")
}

// globals replaces gonja's global functions that can build without bound:
// range is a list sized against the loop limit (gonja's runs a goroutine
// per call), dict and namespace are checked like literals, and lipsum
// (random text of any length) has no place in a chat template.
func (g *guards) globals() map[string]any {
	return map[string]any{
		"dict":      g.checkedGlobal("dict"),
		"namespace": g.checkedGlobal("namespace"),
		"range":     guardFunc(g.rangeFunc),
		"lipsum": guardFunc(func(*exec.Evaluator, *exec.VarArgs) (*exec.Value, error) {
			return nil, errors.New("chat: lipsum is not available to chat templates")
		}),
	}
}

// checkedGlobal wraps gonja's global function name (dict or namespace,
// which take *Evaluator and *VarArgs) so its result is checked like a
// literal.
func (g *guards) checkedGlobal(name string) guardFunc {
	fn, _ := builtins.GlobalFunctions.Get(name)
	f := reflect.ValueOf(fn)
	return func(e *exec.Evaluator, a *exec.VarArgs) (*exec.Value, error) {
		out := exec.ToValue(f.Call([]reflect.Value{reflect.ValueOf(e), reflect.ValueOf(a)})[0].Interface())
		if err := g.charge("the result of " + name)(out); err != nil {
			return nil, err
		}
		return out, nil
	}
}

// rangeFunc is Python's range(stop) / range(start, stop[, step]).
func (g *guards) rangeFunc(_ *exec.Evaluator, a *exec.VarArgs) (*exec.Value, error) {
	if err := g.b.tick(); err != nil {
		return nil, err
	}
	if len(a.KwArgs) > 0 || len(a.Args) < 1 || len(a.Args) > 3 {
		return nil, errors.New("range expects [start, ]stop[, step]")
	}
	var ints [3]int
	for i, v := range a.Args {
		if !v.IsInteger() {
			return nil, errors.New("range expects integers")
		}
		ints[i] = v.Integer()
	}
	start, stop, step := 0, ints[0], 1
	if len(a.Args) > 1 {
		start, stop = ints[0], ints[1]
	}
	if len(a.Args) > 2 {
		step = ints[2]
	}
	if step == 0 {
		return nil, errors.New("range step cannot be 0")
	}
	count := rangeLen(start, stop, step)
	if count > uint64(g.b.limits.Iterations) {
		return nil, g.b.fail(limitErrorf("loop iterations", "range(%d, %d, %d) is longer than %d", start, stop, step, g.b.limits.Iterations))
	}
	if err := g.b.build(16*int(count), "a range"); err != nil {
		return nil, err
	}
	out := make([]int, count)
	for i := range out {
		out[i] = start + i*step
	}
	return exec.AsValue(out), nil
}

// rangeLen counts range(start, stop, step) without overflowing.
func rangeLen(start, stop, step int) uint64 {
	switch {
	case step > 0 && start < stop:
		return (uint64(stop)-uint64(start)-1)/uint64(step) + 1
	case step < 0 && start > stop:
		return (uint64(start)-uint64(stop)-1)/(uint64(-(step+1))+1) + 1
	}
	return 0
}
