package kernels

import (
	"math"
	"math/rand/v2"
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

// TestScaleNormalMatchesGeneric: every level's ScaleNormal gives the Go
// loop's bits, over lengths around the vector widths and values on both
// sides of the flush threshold, zeros of both signs, subnormals, infinity
// and NaN.
func TestScaleNormalMatchesGeneric(t *testing.T) {
	r := rand.New(rand.NewPCG(91, 92))
	const s = 0.37
	thr := float32(flushThreshold / s)
	special := []float32{0, float32(math.Copysign(0, -1)), thr, math.Nextafter32(thr, 0), math.Nextafter32(thr, 1),
		0x1p-140, 1, float32(math.Inf(1)), float32(math.NaN())}
	forEachLevel(t, func(tb testing.TB, l Level) {
		for n := 0; n <= 41; n++ {
			x := make([]float32, n)
			for i := range x {
				if r.IntN(3) == 0 {
					x[i] = special[r.IntN(len(special))]
				} else {
					x[i] = thr * float32(math.Exp2(r.Float64()*8-4))
				}
			}
			want := append([]float32(nil), x...)
			scaleNormalGeneric(s, want)
			ScaleNormal(s, x)
			for i := range x {
				if math.Float32bits(x[i]) != math.Float32bits(want[i]) {
					tb.Fatalf("%s n=%d: x[%d] = %g, the Go loop gives %g", l, n, i, x[i], want[i])
				}
			}
		}
	})
}
