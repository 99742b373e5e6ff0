package chat

import (
	"errors"
	"reflect"
	"strings"
	"unsafe"

	controlStructures "github.com/nikolalohinski/gonja/v2/builtins/control_structures"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// The guards' names in the render's context. They contain '@', which the
// lexer never puts in a name, so a template cannot call them itself.
const (
	guardOp    = "@op"    // a binary operator, size-checked before it runs
	guardEmit  = "@emit"  // a value about to be printed
	guardBuilt = "@built" // a list or dict literal just built
	guardData  = "@data"  // a body's literal text, charged when the body runs
	guardItems = "@items" // what a for loop is about to iterate
	guardEnter = "@enter" // start of a macro or {% call %} body
	guardLeave = "@leave" // end of one
	guardCheck = "@check" // a container just assigned into ({% set ns.x = v %})
)

// errRecursiveLoop refuses {% for ... recursive %}: loop(items) recurses
// with no bound of its own and no published chat template uses it.
var errRecursiveLoop = errors.New("chat: recursive for loops are not supported in chat templates")

// instrument rewrites a parsed template in place so that everything that
// can cost unbounded time, memory or stack reports to the render's budget:
// binary operators become guarded calls, printed values, literals and loop
// iterables pass through guards, every body charges its literal text and
// checks the clock, and macro bodies count their nesting. gonja has no
// hooks for this, so the rewrite is made on its syntax tree, which the
// guards' calls then run inside.
//
// gonja keeps some control structures' expressions ({% set %}, {% with %},
// {% filter %}) in unexported fields; the walk reaches them through
// reflect and unsafe, which is what lets it cover every node rather than
// only those gonja exports. It returns the guarded operators, indexed by
// the number each @op call carries.
//
// A tree deeper than maxDepth is refused: checkSource bounds nesting the
// tokens show, but a chain (a.b.c..., x[0][0]..., 'a' ~ 'a' ~ ...) is as
// deep as it is long, and gonja evaluates it by recursion and, on an
// error, quotes the whole chain at every level (time cubic in its length).
func instrument(root *nodes.Template, maxDepth int) ([]*nodes.BinOperator, error) {
	in := &instrumenter{seen: map[uintptr]bool{}, maxDepth: maxDepth}
	in.nodeList(&root.Nodes, false)
	for _, m := range root.Macros {
		in.pointer(reflect.ValueOf(m))
	}
	return in.ops, in.err
}

type instrumenter struct {
	ops      []*nodes.BinOperator
	seen     map[uintptr]bool
	depth    int // of the node being walked
	maxDepth int // how deep a tree is accepted
	err      error
}

// isGonjaNode reports whether t is a syntax-tree type the walk enters:
// gonja's nodes and control structures, not tokens or runtime values.
func isGonjaNode(t reflect.Type) bool {
	p := t.PkgPath()
	return strings.HasSuffix(p, "/gonja/v2/nodes") || strings.HasSuffix(p, "/gonja/v2/builtins/control_structures")
}

// accessible returns f made settable even when it is an unexported field.
func accessible(f reflect.Value) reflect.Value {
	if f.CanSet() || !f.CanAddr() {
		return f
	}
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
}

// pointer walks the node p points to, once however often it is shared.
func (in *instrumenter) pointer(p reflect.Value) {
	if p.IsNil() || p.Elem().Kind() != reflect.Struct || !isGonjaNode(p.Type().Elem()) {
		return
	}
	if in.seen[p.Pointer()] {
		return
	}
	in.seen[p.Pointer()] = true
	in.depth++
	defer func() { in.depth-- }()
	if in.depth > in.maxDepth {
		if in.err == nil {
			in.err = limitErrorf("nesting", "the template's syntax tree is more than %d levels deep", in.maxDepth)
		}
		return
	}

	switch n := p.Interface().(type) {
	case *nodes.Wrapper:
		in.nodeList(&n.Nodes, true)
		return
	case *nodes.Macro:
		in.fields(p.Elem())
		in.bracket(n.Wrapper)
		return
	case *controlStructures.CallControlStructure:
		in.fields(p.Elem())
		in.bracket(n.Body)
		return
	case *controlStructures.ForControlStructure:
		if n.Recursive {
			in.err = errRecursiveLoop
		}
		in.fields(p.Elem())
		n.ObjectEvaluator = guardCall(guardItems, n.ObjectEvaluator)
		return
	case *nodes.Output:
		in.fields(p.Elem())
		n.Expression = guardCall(guardEmit, n.Expression)
		if n.Alternative != nil {
			n.Alternative = guardCall(guardEmit, n.Alternative)
		}
		return
	}
	in.fields(p.Elem())
	if b, ok := p.Interface().(*nodes.BinaryExpression); ok {
		in.binary(b)
	}
}

func (in *instrumenter) fields(s reflect.Value) {
	for i := 0; i < s.NumField(); i++ {
		in.value(accessible(s.Field(i)))
	}
}

// value walks any field, slice element or map value, replacing list and
// dict literals held in an interface by a guarded call.
func (in *instrumenter) value(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		in.pointer(v)
	case reflect.Interface:
		if v.IsNil() || v.Elem().Kind() != reflect.Pointer {
			return
		}
		in.pointer(v.Elem())
		switch lit := v.Elem().Interface().(type) {
		case *nodes.List, *nodes.Tuple, *nodes.Dict:
			if v.CanSet() {
				v.Set(reflect.ValueOf(guardCall(guardBuilt, lit.(nodes.Expression))))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			in.value(v.Index(i))
		}
	case reflect.Map:
		if !v.CanSet() {
			return
		}
		iter := v.MapRange()
		for iter.Next() {
			c := reflect.New(iter.Value().Type()).Elem()
			c.Set(iter.Value())
			in.value(c)
			v.SetMapIndex(iter.Key(), c)
		}
	case reflect.Struct:
		in.fields(v)
	}
}

// nodeList walks a body's nodes and adds its guards: a body first charges
// its literal text and checks the clock, and a {% set x.attr = v %} is
// followed by a check that x did not come to contain itself.
func (in *instrumenter) nodeList(list *[]nodes.Node, isBody bool) {
	out := make([]nodes.Node, 0, len(*list)+1)
	data := 0
	for _, n := range *list {
		in.value(reflect.ValueOf(&n).Elem())
		out = append(out, n)
		switch n := n.(type) {
		case *nodes.Data:
			data += len(n.Data.Val)
		case *nodes.ControlStructureBlock:
			if target := setTarget(n.ControlStructure); target != nil {
				out = append(out, guardOutput(guardCall(guardCheck, target)))
			}
		}
	}
	if isBody {
		size := &nodes.Integer{Location: noToken, Val: data}
		out = append([]nodes.Node{guardOutput(guardCall(guardData, size))}, out...)
	}
	*list = out
}

// setTarget returns x for {% set x.attr = v %} and {% set x[k] = v %}.
func setTarget(cs nodes.ControlStructure) nodes.Expression {
	set, ok := cs.(*controlStructures.SetControlStructure)
	if !ok {
		return nil
	}
	f := accessible(reflect.ValueOf(set).Elem().FieldByName("target"))
	switch t := f.Interface().(type) {
	case *nodes.GetAttribute:
		return t.Node
	case *nodes.GetItem:
		return t.Node
	}
	return nil
}

// bracket makes a macro or {% call %} body count its nesting.
func (in *instrumenter) bracket(w *nodes.Wrapper) {
	if w == nil {
		return
	}
	enter := guardOutput(guardCall(guardEnter))
	leave := guardOutput(guardCall(guardLeave))
	w.Nodes = append(append([]nodes.Node{enter}, w.Nodes...), leave)
}

// binary turns `l op r` into `true and @op(l, r, i)` in place: the node
// keeps its type, so no parent needs to know, and `true and x` is x.
// and/or stay as they are: they evaluate lazily and build nothing.
func (in *instrumenter) binary(b *nodes.BinaryExpression) {
	switch b.Operator.Token.Type {
	case tokens.And, tokens.Or:
		return
	}
	at := b.Position()
	if at == nil {
		at = noToken
	}
	id := &nodes.Integer{Location: at, Val: len(in.ops)}
	in.ops = append(in.ops, b.Operator)
	call := guardCall(guardOp, b.Left, b.Right, id)
	b.Left = &nodes.Bool{Location: &tokens.Token{Type: tokens.Name, Val: "true", Line: at.Line, Col: at.Col}, Val: true}
	b.Right = call
	b.Operator = &nodes.BinOperator{Token: &tokens.Token{Type: tokens.And, Val: "and", Line: at.Line, Col: at.Col}}
}

// noToken positions guard nodes that have no place in the source.
var noToken = &tokens.Token{Type: tokens.Name, Val: "guard"}

func guardCall(name string, args ...nodes.Expression) *nodes.Call {
	at := noToken
	if len(args) > 0 && args[0] != nil && args[0].Position() != nil {
		at = args[0].Position()
	}
	return &nodes.Call{
		Location: at,
		Func:     &nodes.Name{Name: &tokens.Token{Type: tokens.Name, Val: name, Line: at.Line, Col: at.Col}},
		Args:     args,
		Kwargs:   map[string]nodes.Expression{},
	}
}

func guardOutput(e nodes.Expression) *nodes.Output {
	return &nodes.Output{Start: noToken, Expression: e, End: noToken}
}
