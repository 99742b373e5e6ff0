package chat

import (
	"errors"
	"io"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// guards holds what the instrumented template's guard calls and the
// wrapped filters and methods report to: the budget of the render under
// way (renders are serialised, see Template) and the operators instrument
// took out of the syntax tree.
type guards struct {
	b   *budget
	ops []*nodes.BinOperator
}

type guardFunc = func(*exec.Evaluator, *exec.VarArgs) (*exec.Value, error)

// functions returns the guard functions instrument's calls name.
func (g *guards) functions() map[string]any {
	return map[string]any{
		guardOp:    guardFunc(g.op),
		guardEmit:  g.valueGuard(g.charge("a printed value")),
		guardBuilt: g.valueGuard(g.charge("a literal")),
		guardCheck: guardFunc(func(_ *exec.Evaluator, a *exec.VarArgs) (*exec.Value, error) {
			return exec.AsValue(""), g.check(a.Args[0])
		}),
		guardItems: g.valueGuard(g.items),
		guardData: guardFunc(func(_ *exec.Evaluator, a *exec.VarArgs) (*exec.Value, error) {
			return exec.AsValue(""), g.b.build(a.Args[0].Integer(), "a body's text")
		}),
		guardEnter: guardFunc(func(*exec.Evaluator, *exec.VarArgs) (*exec.Value, error) {
			return exec.AsValue(""), g.b.enter()
		}),
		guardLeave: guardFunc(func(*exec.Evaluator, *exec.VarArgs) (*exec.Value, error) {
			g.b.leave()
			return exec.AsValue(""), nil
		}),
	}
}

// valueGuard adapts a check of one value to a guard that passes the value
// on unchanged (the same *exec.Value, so its Safe mark survives).
func (g *guards) valueGuard(check func(*exec.Value) error) guardFunc {
	return func(_ *exec.Evaluator, a *exec.VarArgs) (*exec.Value, error) {
		if len(a.Args) != 1 {
			return nil, errors.New("chat: guard called with the wrong arguments")
		}
		if err := check(a.Args[0]); err != nil {
			return nil, err
		}
		return a.Args[0], nil
	}
}

// size measures the text of v and refuses a value nested too deeply (or
// containing itself), which gonja would print or copy by unbounded
// recursion.
func (g *guards) size(v *exec.Value) (int, error) {
	n, deep := textSize(v, g.b.output, g.b.limits.Nesting*4)
	if deep {
		return 0, g.b.fail(limitErrorf("nesting", "a value nests deeper than the nesting limit (%d) or contains itself", g.b.limits.Nesting))
	}
	return n, nil
}

// charge returns a guard charging a value's text: a value about to be
// printed (into the output or a macro's, {% set %} block's or {% filter %}
// block's text), or a list or dict literal just built ([l, l] doubles what
// printing l prints without copying anything, so the text is what counts).
func (g *guards) charge(what string) func(*exec.Value) error {
	return func(v *exec.Value) error {
		n, err := g.size(v)
		if err != nil {
			return err
		}
		return g.b.build(n, what)
	}
}

// check runs after {% set x.attr = v %}: x must not now contain itself.
func (g *guards) check(v *exec.Value) error {
	n, err := g.size(v)
	if err != nil {
		return err
	}
	return g.b.checkSize(n, "an assigned value")
}

// items charges a for loop's iterations before gonja materialises them.
func (g *guards) items(v *exec.Value) error {
	if _, err := g.size(v); err != nil {
		return err
	}
	return g.b.iterate(v.Len())
}

// op runs a binary operator once its operands' sizes allow it.
func (g *guards) op(e *exec.Evaluator, a *exec.VarArgs) (*exec.Value, error) {
	if len(a.Args) != 3 || a.Args[2].Integer() >= len(g.ops) {
		return nil, errors.New("chat: guard called with the wrong arguments")
	}
	l, r, op := a.Args[0], a.Args[1], g.ops[a.Args[2].Integer()]
	if err := g.checkOp(op.Token.Type, l, r); err != nil {
		return nil, err
	}
	if op.Token.Type == tokens.Multiply && isRepetition(l, r) {
		// Python's 'ab' * -1 is '', where gonja's strings.Repeat panics
		return exec.AsValue(strings.Repeat(l.String(), max(r.Integer(), 0))), nil
	}
	sub := &exec.Evaluator{
		Config:      e.Config,
		Loader:      e.Loader,
		Environment: &exec.Environment{Context: exec.NewContext(map[string]any{"l": l, "r": r})},
	}
	out := sub.Eval(&nodes.BinaryExpression{Left: operand("l", op), Right: operand("r", op), Operator: op})
	if out.IsError() {
		return nil, errors.New(out.Error())
	}
	return out, nil
}

func operand(name string, op *nodes.BinOperator) *nodes.Name {
	return &nodes.Name{Name: &tokens.Token{Type: tokens.Name, Val: name, Line: op.Token.Line, Col: op.Token.Col}}
}

// isRepetition reports `string * integer`, which repeats the string.
func isRepetition(l, r *exec.Value) bool {
	return l.IsString() && r.IsInteger()
}

func isScalar(v *exec.Value) bool {
	return v.IsNil() || v.IsBool() || v.IsNumber()
}

// checkOp sizes what an operator would build (a repeated or concatenated
// string, a concatenated list) before it is built, and bounds what it
// would print or compare.
func (g *guards) checkOp(op tokens.Type, l, r *exec.Value) error {
	if err := g.b.tick(); err != nil {
		return err
	}
	if op == tokens.Modulo && r.Integer() == 0 {
		// gonja's % is always an integer modulo, which panics on zero
		return errors.New("chat: modulo by zero")
	}
	if isScalar(l) && isScalar(r) {
		return nil
	}
	switch {
	case op == tokens.Multiply && isRepetition(l, r):
		n, times := len(l.String()), r.Integer()
		if times > 0 && n > 0 && n > g.b.output/times {
			return g.b.checkSize(-1, "a repeated string")
		}
		return g.b.build(n*max(times, 0), "a repeated string")
	case op == tokens.Multiply:
		return nil
	}
	ln, err := g.size(l)
	if err != nil {
		return err
	}
	rn, err := g.size(r)
	if err != nil {
		return err
	}
	switch {
	case op == tokens.Tilde || (op == tokens.Addition && (l.IsString() || r.IsString())):
		return g.b.build(ln+rn, "a concatenated string")
	case op == tokens.Addition && l.IsList():
		if err := g.b.checkSize(ln+rn, "a concatenated list"); err != nil {
			return err
		}
		return g.b.build(16*(l.Len()+r.Len()), "a concatenated list")
	}
	return g.b.checkSize(ln+rn, "an operand")
}

// countingWriter is the render's output; it fails past the output limit.
type countingWriter struct {
	w io.Writer
	b *budget
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if err := c.b.write(len(p)); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
