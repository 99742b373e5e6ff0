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

// FrozenEmbedding gathers rows of a frozen embedding matrix of any type.
func FrozenEmbedding(out []float32, table *kernels.Matrix, tokens []int32) {
	d := table.Cols
	for t, id := range tokens {
		row := table.Row(int(id), out[t*d:(t+1)*d])
		copy(out[t*d:(t+1)*d], row)
	}
}
