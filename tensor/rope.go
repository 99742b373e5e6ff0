package tensor

import "github.com/milp-lite/milp-lite/kernels"

// RoPE rotates T rows of heads×headSize values in place, row t at position
// pos0+t.
func RoPE(r *kernels.RoPE, x []float32, heads, headSize, pos0, T int) {
	d := heads * headSize
	for t := 0; t < T; t++ {
		r.Apply(x[t*d:(t+1)*d], heads, headSize, pos0+t)
	}
}

// RoPEBackward turns the gradient of rotated values into the gradient of the
// values before rotation, in place. A rotation is orthogonal, so its
// transpose is the rotation by the opposite angle: position −pos.
func RoPEBackward(r *kernels.RoPE, dx []float32, heads, headSize, pos0, T int) {
	d := heads * headSize
	for t := 0; t < T; t++ {
		r.Apply(dx[t*d:(t+1)*d], heads, headSize, -(pos0 + t))
	}
}

// RoPE on the tape: rows are positions pos0, pos0+1, ...
func (tp *Tape) RoPE(r *kernels.RoPE, x *Tensor, heads, pos0 int) *Tensor {
	y := New(x.Rows, x.Cols)
	copy(y.Data, x.Data)
	hs := x.Cols / heads
	RoPE(r, y.Data, heads, hs, pos0, x.Rows)
	tp.record(func() {
		g := append([]float32(nil), y.Grad...)
		RoPEBackward(r, g, heads, hs, pos0, x.Rows)
		kernels.Add(x.Grad, x.Grad, g)
	})
	return y
}
