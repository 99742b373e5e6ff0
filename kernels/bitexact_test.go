package kernels

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestBitExactExpAccuracy compares Exp with math.Exp on a dense grid over the whole
// normal range and on the special values.
func TestBitExactExpAccuracy(t *testing.T) {
	worst, at := 0.0, 0.0
	for x := -87.33; x <= 88.7; x += 1.0 / 8192 {
		xf := float32(x)
		want := math.Exp(float64(xf))
		got := float64(Exp(xf))
		if rel := math.Abs(got-want) / want; rel > worst {
			worst, at = rel, float64(xf)
		}
	}
	t.Logf("max relative error %.3g at x = %g", worst, at)
	if worst > 2e-7 {
		t.Fatalf("max relative error %.3g at x = %g, want ≤ 2e-7", worst, at)
	}
	cases := []struct{ x, want float32 }{
		{0, 1}, {1, float32(math.E)}, {-88, 0}, {-1000, 0}, {89, float32(math.Inf(1))},
		{float32(math.Inf(1)), float32(math.Inf(1))}, {float32(math.Inf(-1)), 0},
	}
	for _, c := range cases {
		if got := Exp(c.x); got != c.want {
			t.Errorf("Exp(%g) = %g, want %g", c.x, got, c.want)
		}
	}
	if got := Exp(float32(math.NaN())); got == got {
		t.Errorf("Exp(NaN) = %g, want NaN", got)
	}
	// The ends of the range.
	for _, x := range []float32{88.7, -87.336} {
		if got, want := float64(Exp(x)), math.Exp(float64(x)); math.Abs(got-want)/want > 2e-7 {
			t.Errorf("Exp(%g) = %g, want %g", x, got, want)
		}
	}
}

func BenchmarkBitExactExp(b *testing.B) {
	x := make([]float32, 4096)
	for i := 0; i < b.N; i++ {
		for j := range x {
			x[j] = float32(j) * -0.01
		}
		for j, v := range x {
			x[j] = Exp(v)
		}
	}
}

// TestExpScaledMatchesGeneric: every level's ExpScaled gives the Go
// loop's bits exactly — the results and the sum — for lengths around the
// vector width, arguments across the whole range and past both ends,
// NaN and infinities, and cuts at and above ExpMinArg.
func TestExpScaledMatchesGeneric(t *testing.T) {
	r := rand.New(rand.NewPCG(51, 52))
	special := []float32{0, -0.0, 1, -1, 88.7, 88.71, -87.33654, -87.4, 1e30, -1e30,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}
	forEachLevel(t, func(t testing.TB, l Level) {
		for _, n := range []int{0, 1, 15, 16, 17, 31, 32, 33, 100, 1000} {
			for trial := 0; trial < 20; trial++ {
				x := make([]float32, n)
				for i := range x {
					switch r.IntN(8) {
					case 0:
						x[i] = special[r.IntN(len(special))]
					default:
						x[i] = float32(r.NormFloat64() * 40)
					}
				}
				scale := float32(r.Float64()*2 + 0.1)
				shift := float32(r.NormFloat64() * 20)
				cut := float32(ExpMinArg)
				if trial%2 == 1 {
					cut += float32(r.Float64() * 10)
				}
				got, want := slices.Clone(x), slices.Clone(x)
				gs := impl.expScaled(got, scale, shift, cut)
				ws := expScaledGeneric(want, scale, shift, cut)
				if math.Float32bits(gs) != math.Float32bits(ws) && !(gs != gs && ws != ws) {
					t.Fatalf("%s n=%d: sum %g, Go %g", l, n, gs, ws)
				}
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s n=%d: exp(%g·%g − %g) = %g (%#x), Go %g (%#x)", l, n, x[i], scale, shift, got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
					}
				}
			}
		}
	})
}

// BenchmarkExpScaled is a training attention row (256 positions) through
// the level's ExpScaled.
func BenchmarkExpScaled(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	orig := make([]float32, 256)
	for i := range orig {
		orig[i] = float32(r.NormFloat64() * 3)
	}
	x := make([]float32, len(orig))
	benchLevels(b, func(b *testing.B) {
		for b.Loop() {
			copy(x, orig)
			impl.expScaled(x, 0.35, 5, ExpMinArg)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(x)), "ns/value")
	})
}

// TestSwiGLUMatchesGeneric: every level's SwiGLU, SwiGLUBackward and
// SoftmaxGrad give the Go loops' bits exactly, over lengths around the
// vector width and arguments across Exp's range, past both ends, NaN and
// infinities.
func TestSwiGLUMatchesGeneric(t *testing.T) {
	r := rand.New(rand.NewPCG(53, 54))
	special := []float32{0, -0.0, 1, -1, 88.7, -88.7, 88.71, -88.71, 87.33654, 87.4, -87.4, 1e30, -1e30,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}
	vec := func(n int, spread float64) []float32 {
		v := make([]float32, n)
		for i := range v {
			if r.IntN(6) == 0 {
				v[i] = special[r.IntN(len(special))]
			} else {
				v[i] = float32(r.NormFloat64() * spread)
			}
		}
		return v
	}
	same := func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b) }
	forEachLevel(t, func(t testing.TB, l Level) {
		for _, n := range []int{0, 1, 15, 16, 17, 33, 100, 1000} {
			g, u, dh := vec(n, 30), vec(n, 2), vec(n, 2)
			h, wh := make([]float32, n), make([]float32, n)
			SwiGLU(h, g, u)
			swigluGeneric(wh, g, u)
			dg0, du0 := vec(n, 1), vec(n, 1)
			dg, du := slices.Clone(dg0), slices.Clone(du0)
			wdg, wdu := slices.Clone(dg0), slices.Clone(du0)
			SwiGLUBackward(dg, du, g, u, dh)
			swigluBackGeneric(wdg, wdu, g, u, dh)
			sg, wsg := slices.Clone(dh), slices.Clone(dh)
			SoftmaxGrad(u, sg, 0.3, 0.125)
			softmaxGradGeneric(u, wsg, 0.3, 0.125)
			for i := range h {
				if !same(sg[i], wsg[i]) {
					t.Fatalf("%s n=%d SoftmaxGrad at p=%g dp=%g: %g, Go %g", l, n, u[i], dh[i], sg[i], wsg[i])
				}
				if !same(h[i], wh[i]) || !same(dg[i], wdg[i]) || !same(du[i], wdu[i]) {
					t.Fatalf("%s n=%d at g=%g u=%g dh=%g: h %g/%g, dg %g/%g, du %g/%g (level/Go)", l, n, g[i], u[i], dh[i], h[i], wh[i], dg[i], wdg[i], du[i], wdu[i])
				}
			}
		}
	})
}

// BenchmarkSwiGLU is one SmolLM2-135M layer's FFN activations for 16
// tokens (24,576 values), forward and backward, at each level.
func BenchmarkSwiGLU(b *testing.B) {
	r := rand.New(rand.NewPCG(2, 2))
	n := 16 * 1536
	g, u, dh, h, dg, du := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
	for i := range g {
		g[i], u[i], dh[i] = float32(r.NormFloat64()*3), float32(r.NormFloat64()), float32(r.NormFloat64())
	}
	benchLevels(b, func(b *testing.B) {
		for b.Loop() {
			SwiGLU(h, g, u)
			SwiGLUBackward(dg, du, g, u, dh)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/value")
	})
}
