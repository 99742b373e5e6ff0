package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAxpyRowsMatchesAxpy: AxpyRows has the bits of one Axpy per row, at
// every level, for lengths the fused kernel takes and lengths it leaves to
// Axpy, rows at a stride wider than y.
func TestAxpyRowsMatchesAxpy(t *testing.T) {
	forEachLevel(t, func(t testing.TB, l Level) {
		rng := rand.New(rand.NewPCG(11, 12))
		for _, n := range []int{1, 8, 13, 16, 64, 576, 1536} {
			for _, rows := range []int{1, 3, 8} {
				stride := n + 5
				alpha, x := randVec(rng, rows), randVec(rng, (rows-1)*stride+n)
				got, want := randVec(rng, n+1), make([]float32, n+1)
				got[n] = 7
				copy(want, got[:n])
				AxpyRows(alpha, x, stride, got[:n])
				for j := range rows {
					Axpy(alpha[j], x[j*stride:j*stride+n], want[:n])
				}
				for i := range n {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s n=%d rows=%d: y[%d] is %v, %v by Axpy", l, n, rows, i, got[i], want[i])
					}
				}
				if got[n] != 7 {
					t.Fatalf("%s n=%d rows=%d: written past y", l, n, rows)
				}
			}
		}
	})
}
