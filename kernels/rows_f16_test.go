package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestRowsF16: DotRowsF16 and AxpyRowsF16 have the bits the float32
// functions give the widened rows at every level, for lengths the fused
// kernels take and lengths they leave; nothing is written past out or y.
func TestRowsF16(t *testing.T) {
	forEachLevel(t, func(t testing.TB, l Level) {
		rng := rand.New(rand.NewPCG(13, 14))
		for _, n := range []int{8, 13, 64, 576, 1536} {
			for _, rows := range []int{1, 3, 8} {
				stride := n + 16
				h := make([]uint16, (rows-1)*stride+n)
				F16FromF32(h, randVec(rng, len(h)))
				wide := make([]float32, len(h))
				F32FromF16(wide, h)
				x := randVec(rng, n)

				got, want := make([]float32, rows+1), make([]float32, rows)
				got[rows] = 7
				scratch := make([]float32, n)
				DotRowsF16(x, h, stride, got[:rows], scratch)
				DotRows(x, wide, stride, want)
				for j := range rows {
					if math.Float32bits(got[j]) != math.Float32bits(want[j]) {
						t.Fatalf("%s n=%d rows=%d: dot %d is %v, %v widened", l, n, rows, j, got[j], want[j])
					}
				}
				if got[rows] != 7 {
					t.Fatalf("%s n=%d rows=%d: dots written past out", l, n, rows)
				}

				alpha := randVec(rng, rows)
				y, ref := randVec(rng, n+1), make([]float32, n)
				y[n] = 7
				copy(ref, y[:n])
				AxpyRowsF16(alpha, h, stride, y[:n], scratch)
				AxpyRows(alpha, wide, stride, ref)
				for i := range n {
					if math.Float32bits(y[i]) != math.Float32bits(ref[i]) {
						t.Fatalf("%s n=%d rows=%d: y[%d] is %v, %v widened", l, n, rows, i, y[i], ref[i])
					}
				}
				if y[n] != 7 {
					t.Fatalf("%s n=%d rows=%d: written past y", l, n, rows)
				}
			}
		}
	})
}
