package chat

import (
	"strconv"
	"time"
)

// budget is what one render has left of its Limits. The guards the
// template is instrumented with (guards.go) and the wrapped filters,
// methods and globals (guardedcalls.go, globals.go) charge it as the
// template runs. The first limit hit is kept: gonja may swallow an error
// value (a failed condition is just false to it), so every later charge
// fails too and Render reports the limit rather than whatever the
// template did next.
type budget struct {
	limits     Limits
	output     int // the output size limit of this render
	memory     int // the memory limit of this render
	deadline   time.Time
	built      int
	written    int
	iterations int
	depth      int
	err        *LimitError
}

func newBudget(l Limits, inputBytes int) *budget {
	output := l.Output
	if 4*inputBytes > output {
		output = 4 * inputBytes
	}
	return &budget{
		limits:   l,
		output:   output,
		memory:   output * l.MemoryPerOutput,
		deadline: time.Now().Add(l.Time),
	}
}

// fail records the first limit exceeded and returns it.
func (b *budget) fail(e *LimitError) error {
	if b.err == nil {
		b.err = e
	}
	return b.err
}

// tick checks the clock; every guard calls it, so no stretch of work
// between two checks is longer than one bounded operation.
func (b *budget) tick() error {
	if b.err != nil {
		return b.err
	}
	if time.Now().After(b.deadline) {
		return b.fail(limitErrorf("time", "rendering took longer than %v", b.limits.Time))
	}
	return nil
}

// checkSize refuses a string (or the text of a value) that would be longer
// than the output size limit, before it is built.
func (b *budget) checkSize(n int, what string) error {
	if err := b.tick(); err != nil {
		return err
	}
	if n > b.output || n < 0 {
		return b.fail(limitErrorf("output size", "%s would be %s, more than %d bytes", what, sizeText(n), b.output))
	}
	return nil
}

// build charges n bytes of newly built text (or list slots) to the memory
// limit, after checking the single value against the output size limit.
func (b *budget) build(n int, what string) error {
	if err := b.checkSize(n, what); err != nil {
		return err
	}
	return b.add(&b.built, n, b.memory, "memory", "the template built more than %d bytes of text")
}

// write charges n bytes written to the render's output.
func (b *budget) write(n int) error {
	if err := b.tick(); err != nil {
		return err
	}
	return b.add(&b.written, n, b.output, "output size", "the rendered text is longer than %d bytes")
}

// iterate charges n loop iterations.
func (b *budget) iterate(n int) error {
	if err := b.tick(); err != nil {
		return err
	}
	if n < 0 {
		n = b.limits.Iterations + 1
	}
	return b.add(&b.iterations, n, b.limits.Iterations, "loop iterations", "the template's loops would run more than %d iterations")
}

// enter and leave bracket a macro call or {% call %} body.
func (b *budget) enter() error {
	if err := b.tick(); err != nil {
		return err
	}
	return b.add(&b.depth, 1, b.limits.Depth, "recursion depth", "macro calls nest more than %d deep")
}

// add adds n to *total and fails with the named limit past max; detail is
// a format for max.
func (b *budget) add(total *int, n, max int, limit, detail string) error {
	*total += n
	if *total > max {
		return b.fail(limitErrorf(limit, detail, max))
	}
	return nil
}

func (b *budget) leave() { b.depth-- }

// sizeText prints a size that may be an overflowed product.
func sizeText(n int) string {
	if n < 0 {
		return "too large"
	}
	return strconv.Itoa(n) + " bytes"
}
