package chat

import (
	"fmt"
	"time"
)

// Limits bound what rendering a template may cost. A chat template comes
// from the model file, that is from a stranger, and Jinja can loop, recurse
// and build strings without end; every limit below stops the work itself
// (the engine checks it as it goes), so a hostile template fails with a
// *LimitError instead of hanging, exhausting memory or overflowing the stack.
type Limits struct {
	// Time is the wall-clock time one render may take.
	Time time.Duration
	// Output is the size in bytes of the rendered text and of any single
	// string the template builds. Render raises it to four times the
	// conversation's text when that is larger, so long conversations fit.
	Output int
	// Memory is the total size in bytes of the text and list slots one
	// render may build, garbage included, as a multiple of Output.
	MemoryPerOutput int
	// Iterations is the total number of loop iterations of one render.
	Iterations int
	// Depth is how deeply macro calls (and {% call %} bodies) may nest.
	Depth int
	// Nesting is how deeply values (lists, dicts) may nest and how deeply
	// blocks and brackets may nest in the template's source; Parse also
	// refuses a syntax tree deeper than four times DefaultLimits.Nesting.
	Nesting int
	// Source is the size in bytes of the template's source.
	Source int
}

// DefaultLimits are generous for every published chat template (they
// render in well under a millisecond, loop once or twice over the
// messages and nest a handful of levels) and small enough that a hostile
// template fails fast and holds little memory.
var DefaultLimits = Limits{
	Time:            2 * time.Second,
	Output:          4 << 20,
	MemoryPerOutput: 16,
	Iterations:      100_000,
	Depth:           100,
	Nesting:         64,
	Source:          256 << 10,
}

// LimitError reports a template that exceeded one of its Limits. Limit
// names the limit ("time", "output size", "memory", "loop iterations",
// "recursion depth", "nesting", "source size").
type LimitError struct {
	Limit  string
	Detail string
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("chat: template exceeds the %s limit: %s", e.Limit, e.Detail)
}

func limitErrorf(limit, format string, args ...any) *LimitError {
	return &LimitError{Limit: limit, Detail: fmt.Sprintf(format, args...)}
}
