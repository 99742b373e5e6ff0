package tensor

import (
	"fmt"

	"github.com/milp-lite/milp-lite/kernels"
)

// This file is the test harness that checks the operations' backward
// functions: a Tape records each forward operation's backward step on
// Tensors that carry their gradients, so that gradCheck can compare a
// composition's gradients with finite differences. Training does not use
// it; its decoder calls the forward and backward functions itself.

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

// Linear computes y[t] = W·x[t] for a trainable float32 W of out×in values.
func Linear(y, w []float32, out, in int, x []float32, T int) {
	for t := 0; t < T; t++ {
		xt, yt := x[t*in:(t+1)*in], y[t*out:(t+1)*out]
		for o := range yt {
			yt[o] = kernels.Dot(w[o*in:(o+1)*in], xt)
		}
	}
}

// LinearBackward adds dx[t] += Wᵀ·dy[t] (when dx is not nil) and
// dW += Σ_t dy[t]·x[t]ᵀ (when dw is not nil).
func LinearBackward(dx, dw, w []float32, out, in int, x, dy []float32, T int) {
	for t := 0; t < T; t++ {
		dyt := dy[t*out : (t+1)*out]
		for o, g := range dyt {
			if g == 0 {
				continue
			}
			if dx != nil {
				kernels.Axpy(g, w[o*in:(o+1)*in], dx[t*in:(t+1)*in])
			}
			if dw != nil {
				kernels.Axpy(g, x[t*in:(t+1)*in], dw[o*in:(o+1)*in])
			}
		}
	}
}

// FrozenMatMul is y = x·Wᵀ on the tape for a frozen matrix: W gets no gradient.
func (tp *Tape) FrozenMatMul(x *Tensor, w *kernels.Matrix) *Tensor {
	y := New(x.Rows, w.Rows)
	FrozenLinear(y.Data, w, x.Data, x.Rows)
	tp.record(func() {
		dx := make([]float32, len(x.Data))
		FrozenLinearBackward(dx, w, y.Grad, x.Rows)
		kernels.Add(x.Grad, x.Grad, dx)
	})
	return y
}

// MatMul is y = x·Wᵀ on the tape for a trainable W (Rows = outputs).
func (tp *Tape) MatMul(x, w *Tensor) *Tensor {
	y := New(x.Rows, w.Rows)
	Linear(y.Data, w.Data, w.Rows, w.Cols, x.Data, x.Rows)
	tp.record(func() {
		LinearBackward(x.Grad, w.Grad, w.Data, w.Rows, w.Cols, x.Data, y.Grad, x.Rows)
	})
	return y
}

// Add is a + b on the tape: a residual connection.
func (tp *Tape) Add(a, b *Tensor) *Tensor {
	sameShape("Add", a, b)
	y := New(a.Rows, a.Cols)
	kernels.Add(y.Data, a.Data, b.Data)
	tp.record(func() {
		kernels.Add(a.Grad, a.Grad, y.Grad)
		kernels.Add(b.Grad, b.Grad, y.Grad)
	})
	return y
}

// Embedding gathers rows of a trainable table for tokens; the backward pass
// scatters the rows' gradients back into the table.
func (tp *Tape) Embedding(table *Tensor, tokens []int32) *Tensor {
	d := table.Cols
	y := New(len(tokens), d)
	for t, id := range tokens {
		copy(y.Data[t*d:(t+1)*d], table.Data[int(id)*d:(int(id)+1)*d])
	}
	tp.record(func() {
		for t, id := range tokens {
			kernels.Add(table.Grad[int(id)*d:(int(id)+1)*d], table.Grad[int(id)*d:(int(id)+1)*d], y.Grad[t*d:(t+1)*d])
		}
	})
	return y
}

// FrozenEmbedding is FrozenEmbedding on the tape: a leaf without gradient.
func (tp *Tape) FrozenEmbedding(table *kernels.Matrix, tokens []int32) *Tensor {
	y := New(len(tokens), table.Cols)
	FrozenEmbedding(y.Data, table, tokens)
	return y
}

// Attention on the tape: q is T×(Heads·HeadSize), k and v T×(KVHeads·HeadSize).
func (tp *Tape) Attention(q, k, v *Tensor, heads, kvHeads int) *Tensor {
	a := AttentionShape{T: q.Rows, Heads: heads, KVHeads: kvHeads, HeadSize: q.Cols / heads}
	out := New(q.Rows, q.Cols)
	lse := make([]float32, a.T*heads)
	buf := NewAttentionBuffers(a)
	Attention(a, out.Data, lse, nil, q.Data, k.Data, v.Data, buf)
	tp.record(func() {
		dq, dk, dv := make([]float32, len(q.Data)), make([]float32, len(k.Data)), make([]float32, len(v.Data))
		AttentionBackward(a, dq, dk, dv, out.Grad, out.Data, lse, nil, q.Data, k.Data, v.Data, buf)
		kernels.Add(q.Grad, q.Grad, dq)
		kernels.Add(k.Grad, k.Grad, dk)
		kernels.Add(v.Grad, v.Grad, dv)
	})
	return out
}

// CrossEntropy on the tape: a 1×1 tensor holding the loss, whose gradient
// (1 when it is the final loss) scales the logits' gradient in Backward.
func (tp *Tape) CrossEntropy(logits *Tensor, targets []int32, weights []float32) *Tensor {
	g := append([]float32(nil), logits.Data...)
	loss := From(1, 1, []float32{float32(CrossEntropy(g, logits.Cols, targets, weights))})
	tp.record(func() {
		for i := range g {
			logits.Grad[i] += loss.Grad[0] * g[i]
		}
	})
	return loss
}

// RMSNorm on the tape, with a frozen weight vector w.
func (tp *Tape) RMSNorm(x *Tensor, w []float32, eps float32) *Tensor {
	y := New(x.Rows, x.Cols)
	rstd := make([]float32, x.Rows)
	RMSNorm(y.Data, rstd, x.Data, w, x.Cols, x.Rows, eps)
	tp.record(func() { RMSNormBackward(x.Grad, nil, x.Data, w, rstd, y.Grad, x.Cols, x.Rows) })
	return y
}

// RoPE on the tape: rows are positions pos0, pos0+1, ...
func (tp *Tape) RoPE(r *kernels.RoPE, x *Tensor, heads, pos0 int) *Tensor {
	y := New(x.Rows, x.Cols)
	copy(y.Data, x.Data)
	hs := x.Cols / heads
	fwd, bwd := make([]float32, x.Rows*r.AnglesLen()), make([]float32, x.Rows*r.AnglesLen())
	RoPEAngles(r, fwd, pos0, 1, x.Rows)
	RoPEAngles(r, bwd, -pos0, -1, x.Rows)
	RoPE(r, y.Data, heads, hs, fwd, x.Rows)
	tp.record(func() {
		g := append([]float32(nil), y.Grad...)
		RoPE(r, g, heads, hs, bwd, x.Rows)
		kernels.Add(x.Grad, x.Grad, g)
	})
	return y
}

// SwiGLU on the tape.
func (tp *Tape) SwiGLU(g, u *Tensor) *Tensor {
	sameShape("SwiGLU", g, u)
	h := New(g.Rows, g.Cols)
	SwiGLU(h.Data, g.Data, u.Data)
	tp.record(func() { SwiGLUBackward(g.Grad, u.Grad, g.Data, u.Data, h.Grad) })
	return h
}
