package tensor

import (
	"math/rand/v2"
	"testing"
)

// TestParallelSwiGLUMatchesSerial: the pool's chunks (a length that leaves
// a short last chunk) give the serial functions' results bit for bit, the
// backward adding to what the gradients held.
func TestParallelSwiGLUMatchesSerial(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	n := 3*swigluChunk + 77
	vec := func() []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(r.NormFloat64() * 3)
		}
		return v
	}
	g, u, dh, dg0, du0 := vec(), vec(), vec(), vec(), vec()
	var p ParallelSwiGLU
	got, want := make([]float32, n), make([]float32, n)
	p.Forward(got, g, u)
	SwiGLU(want, g, u)
	dg, du := append([]float32(nil), dg0...), append([]float32(nil), du0...)
	wdg, wdu := append([]float32(nil), dg0...), append([]float32(nil), du0...)
	p.Backward(dg, du, g, u, dh)
	SwiGLUBackward(wdg, wdu, g, u, dh)
	for i := range got {
		if got[i] != want[i] || dg[i] != wdg[i] || du[i] != wdu[i] {
			t.Fatalf("element %d: h %g/%g, dg %g/%g, du %g/%g (pool/serial)", i, got[i], want[i], dg[i], wdg[i], du[i], wdu[i])
		}
	}
}
