package kernels

import (
	"math"
	"testing"
)

// TestSoftmaxHasNoSubnormals: at every level, Softmax and the tiled
// attention's softmaxPadded give rows spread over 120 nats weights that are
// zero or normal, equal to the float64 softmax wherever that is above the
// flush threshold; the ones flushed are below it.
func TestSoftmaxHasNoSubnormals(t *testing.T) {
	const n = 301
	x := make([]float32, n)
	for i := range x {
		x[i] = 20 - 120*float32(i)/n
	}
	var sum float64
	for _, v := range x {
		sum += math.Exp(float64(v - x[0]))
	}
	forEachLevel(t, func(t testing.TB, l Level) {
		for _, f := range []struct {
			name string
			run  func(row []float32)
		}{
			{"Softmax", Softmax},
			{"softmaxPadded", func(row []float32) { softmaxPadded(row, n) }},
		} {
			row := make([]float32, n+11)
			copy(row, x)
			f.run(row)
			zeros := 0
			for i, p := range row[:n] {
				want := math.Exp(float64(x[i]-x[0])) / sum
				switch {
				case p == 0:
					zeros++
					if want > 2*flushThreshold {
						t.Fatalf("%s %s: weight %d flushed, want %g", l, f.name, i, want)
					}
				case p < 0x1p-126:
					t.Fatalf("%s %s: weight %d = %g is subnormal", l, f.name, i, p)
				case math.Abs(float64(p)-want) > 1e-5*want:
					t.Fatalf("%s %s: weight %d = %g, want %g", l, f.name, i, p, want)
				}
			}
			if zeros == 0 {
				t.Fatalf("%s %s: nothing was flushed: the row does not reach the subnormal range", l, f.name)
			}
		}
	})
}
