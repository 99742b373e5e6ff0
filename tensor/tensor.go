package tensor

import "fmt"

// Tensor is a Rows×Cols matrix of values and, when it takes part in a
// differentiated computation, the gradient of the loss with respect to them.
type Tensor struct {
	Rows, Cols int
	Data       []float32
	Grad       []float32 // nil until the tape allocates it
}

// New returns a zero Rows×Cols tensor with a zero gradient.
func New(rows, cols int) *Tensor {
	return &Tensor{Rows: rows, Cols: cols, Data: make([]float32, rows*cols), Grad: make([]float32, rows*cols)}
}

// From wraps values as a rows×cols tensor (with a zero gradient).
func From(rows, cols int, values []float32) *Tensor {
	if len(values) != rows*cols {
		panic(fmt.Sprintf("tensor: %d values for %d×%d", len(values), rows, cols))
	}
	return &Tensor{Rows: rows, Cols: cols, Data: values, Grad: make([]float32, rows*cols)}
}

// ZeroGrad clears the gradient.
func (t *Tensor) ZeroGrad() { clear(t.Grad) }

// Tape records the backward step of each operation in the order the forward
// pass ran them, and replays them in reverse.
type Tape struct {
	steps []func()
}

func (tp *Tape) record(f func()) { tp.steps = append(tp.steps, f) }

// Backward propagates the gradients already seeded in the outputs' Grad back
// to every input, then forgets the recorded steps.
func (tp *Tape) Backward() {
	for i := len(tp.steps) - 1; i >= 0; i-- {
		tp.steps[i]()
	}
	tp.steps = tp.steps[:0]
}

// Reset forgets the recorded steps without running them.
func (tp *Tape) Reset() { tp.steps = tp.steps[:0] }

func sameShape(op string, a, b *Tensor) {
	if a.Rows != b.Rows || a.Cols != b.Cols {
		panic(fmt.Sprintf("tensor.%s: shapes %d×%d and %d×%d differ", op, a.Rows, a.Cols, b.Rows, b.Cols))
	}
}
