package kernels

import (
	"math/rand/v2"
	"testing"
)

// TestTransposeHalves: every level's transposeHalves against the scalar
// definition, on whole 8×8 blocks (the assembly) and ragged shapes (Go),
// from a source with a row stride longer than its rows.
func TestTransposeHalves(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	forEachLevel(t, func(tb testing.TB, l Level) {
		for _, c := range []struct{ k, n int }{{8, 8}, {64, 32}, {16, 24}, {64, 7}, {5, 8}, {3, 3}} {
			ld := c.k + 3
			src := make([]uint16, c.n*ld)
			for i := range src {
				src[i] = uint16(r.Uint32())
			}
			dst := make([]uint16, c.k*c.n)
			impl.transposeHalves(c.k, src, ld, dst, c.n)
			for j := 0; j < c.n; j++ {
				for p := 0; p < c.k; p++ {
					if got, want := dst[p*c.n+j], src[j*ld+p]; got != want {
						tb.Fatalf("%s k=%d n=%d: dst[%d][%d] = %#x, want %#x", l, c.k, c.n, p, j, got, want)
					}
				}
			}
		}
	})
}
