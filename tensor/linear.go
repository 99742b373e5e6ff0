package tensor

import (
	"github.com/milp-lite/milp-lite/kernels"
)

// FrozenLinear computes y[t] = W·x[t] for T rows: the forward pass of a
// frozen weight of any stored type, read in place.
func FrozenLinear(y []float32, w *kernels.Matrix, x []float32, T int) {
	kernels.MatMul(y, w, x, T)
}

// FrozenLinearBackward writes dx[t] = Wᵀ·dy[t]: only the input gradient
// flows back through a frozen weight.
func FrozenLinearBackward(dx []float32, w *kernels.Matrix, dy []float32, T int) {
	kernels.MatMulT(dx, w, dy, T)
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

// AccumulateOuter adds dst[j] += Σ_t a[t][j]·b[t] : dst is k rows of n, a is
// T rows of k, b is T rows of n (dst += aᵀ·b). It is the weight gradient of a
// narrow matrix such as a LoRA factor, written so the long axis (n) is the
// vectorised one.
func AccumulateOuter(dst, a []float32, k int, b []float32, n, T int) {
	for t := 0; t < T; t++ {
		at, bt := a[t*k:(t+1)*k], b[t*n:(t+1)*n]
		for j, g := range at {
			if g != 0 {
				kernels.Axpy(g, bt, dst[j*n:(j+1)*n])
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

// FrozenEmbedding gathers rows of a frozen embedding matrix of any type.
func FrozenEmbedding(out []float32, table *kernels.Matrix, tokens []int32) {
	d := table.Cols
	for t, id := range tokens {
		row := table.Row(int(id), out[t*d:(t+1)*d])
		copy(out[t*d:(t+1)*d], row)
	}
}

// FrozenEmbedding is FrozenEmbedding on the tape: a leaf without gradient.
func (tp *Tape) FrozenEmbedding(table *kernels.Matrix, tokens []int32) *Tensor {
	y := New(len(tokens), table.Cols)
	FrozenEmbedding(y.Data, table, tokens)
	return y
}
