package chat

import (
	"errors"
	"reflect"

	"github.com/nikolalohinski/gonja/v2/builtins"
	"github.com/nikolalohinski/gonja/v2/exec"
)

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
