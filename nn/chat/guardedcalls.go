package chat

import (
	"errors"
	"reflect"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// mutators change the list or dict they are called on.
var mutators = map[string]bool{"append": true, "update": true, "setdefault": true}

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
