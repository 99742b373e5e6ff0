package tensor

import "github.com/milp-lite/milp-lite/kernels"

// RoPEAngles fills cs with T rows of rotation angles (kernels.RoPE.Angles,
// AnglesLen values each), row t for position p0 + step·t. The forward pass
// rotates by positions pos0, pos0+1, …; the backward pass by their
// opposites (−pos0, step −1): a rotation is orthogonal, so its transpose is
// the rotation by the opposite angle.
func RoPEAngles(r *kernels.RoPE, cs []float32, p0, step, T int) {
	n := r.AnglesLen()
	for t := 0; t < T; t++ {
		r.Angles(p0+step*t, cs[t*n:(t+1)*n])
	}
}

// RoPE rotates T rows of heads×headSize values in place, row t by row t of
// the angles cs (RoPEAngles).
func RoPE(r *kernels.RoPE, x []float32, heads, headSize int, cs []float32, T int) {
	d, n := heads*headSize, r.AnglesLen()
	for t := 0; t < T; t++ {
		r.Rotate(x[t*d:(t+1)*d], heads, headSize, cs[t*n:(t+1)*n])
	}
}
