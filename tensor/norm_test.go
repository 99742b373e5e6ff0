package tensor

import (
	"math/rand/v2"
	"testing"
)

// TestParallelRMSNormBackwardMatchesSerial: the pool's row chunks (a row
// count that leaves a short last chunk) add to dx exactly what the serial
// function adds.
func TestParallelRMSNormBackwardMatchesSerial(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	const n, T = 40, 3*normRowsChunk + 5
	vec := func(k int) []float32 {
		v := make([]float32, k)
		for i := range v {
			v[i] = float32(r.NormFloat64())
		}
		return v
	}
	x, w, dy, dx0 := vec(n*T), vec(n), vec(n*T), vec(n*T)
	y, rstd := make([]float32, n*T), make([]float32, T)
	RMSNorm(y, rstd, x, w, n, T, 1e-5)
	got, want := append([]float32(nil), dx0...), append([]float32(nil), dx0...)
	var p ParallelRMSNormBackward
	p.Run(got, x, w, rstd, dy, n, T)
	RMSNormBackward(want, nil, x, w, rstd, dy, n, T)
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("dx[%d] = %g, serial %g", i, got[i], want[i])
		}
	}
}
