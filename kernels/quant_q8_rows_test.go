package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/milp-lite/milp-lite/quant"
)

// TestDotQ8_0RowsMatchesDot: the many-rows Q8_0 dot gives, bit for bit, what
// the level's one-row dot gives row by row, and writes nothing past the rows.
func TestDotQ8_0RowsMatchesDot(t *testing.T) {
	r := rand.New(rand.NewPCG(51, 52))
	forEachLevel(t, func(t testing.TB, l Level) {
		if impl.dotQ8_0Rows == nil {
			return
		}
		for _, nb := range []int{1, 2, 3, 5, 18} {
			for _, rows := range []int{0, 1, 5} {
				rb := nb * quant.BlockBytesQ8_0
				w := randomBlocks(r, quant.Q8_0, nb*rows)
				x := randVec(r, nb*quant.QK)
				xq, xd := make([]int8, len(x)), make([]float32, nb)
				impl.quantizeQ8(x, xq, xd)
				out := make([]float32, rows+1)
				out[rows] = 42
				impl.dotQ8_0Rows(w, rb, rows, xq, xd, out[:rows])
				for i := 0; i < rows; i++ {
					want := impl.dotQ8_0(w[i*rb:(i+1)*rb], xq, xd)
					if math.Float32bits(out[i]) != math.Float32bits(want) {
						t.Fatalf("%s nb=%d row %d of %d: %g, one-row dot %g", l, nb, i, rows, out[i], want)
					}
				}
				if out[rows] != 42 {
					t.Fatalf("%s nb=%d rows=%d: wrote past the rows", l, nb, rows)
				}
			}
		}
	})
}
