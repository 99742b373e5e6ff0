package bo

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestLogEIMatchesDirectEI(t *testing.T) {
	for _, z := range []float64{-5, -3, -1.5, -1, -0.999, -0.5, 0, 0.5, 2, 6} {
		mean, sigma := 2.0, 0.7
		best := mean - z*sigma
		ei := ExpectedImprovement(mean, sigma, best)
		got := LogEIValue(mean, sigma, best)
		if math.Abs(got-math.Log(ei)) > 1e-10*math.Max(1, math.Abs(got)) {
			t.Fatalf("z=%g: log-EI %.15g, log(EI) %.15g", z, got, math.Log(ei))
		}
	}
}

func TestLogEIWhereEIUnderflows(t *testing.T) {
	if ei := ExpectedImprovement(0, 1, 40); ei != 0 {
		t.Fatalf("direct EI at z=-40 is %g; the test expects it to underflow", ei)
	}
	// Asymptotically h(z) ≈ φ(z)/z², so log h ≈ −z²/2 − log√(2π) − 2 log|z|.
	for _, z := range []float64{-40, -1e3, -1e5, -1e9, -1e12} {
		got := logH(z)
		want := -0.5*z*z - 0.5*math.Log(2*math.Pi) - 2*math.Log(-z)
		if math.IsInf(got, 0) || math.IsNaN(got) {
			t.Fatalf("log h(%g) = %g", z, got)
		}
		// Next asymptotic term: log(1 − 3/z²).
		if math.Abs(got-want) > 4/(z*z)+1e-12*math.Abs(want) {
			t.Fatalf("log h(%g) = %.15g, asymptote %.15g", z, got, want)
		}
		if d := dLogH(z); math.IsNaN(d) || math.IsInf(d, 0) || d <= 0 {
			t.Fatalf("d log h/dz at %g = %g", z, d)
		}
	}
	// Strictly increasing across the branch points.
	prev := math.Inf(-1)
	for z := -1e10; z < 10; {
		v := logH(z)
		if !(v > prev) {
			t.Fatalf("log h not increasing at z=%g: %g after %g", z, v, prev)
		}
		prev = v
		switch {
		case z < -100:
			z /= 1.5
		case z < -2:
			z += 0.37
		default:
			z += 0.01
		}
	}
}

func TestLogHDerivative(t *testing.T) {
	for _, z := range []float64{-60, -20, -3, -1.0001, -0.9999, 0, 1.5} {
		h := 1e-6 * math.Max(1, math.Abs(z))
		fd := (logH(z+h) - logH(z-h)) / (2 * h)
		assertClose(t, "d log h/dz", dLogH(z), fd, 1e-6)
	}
}

func TestAcquisitionInputGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	var x [][]float64
	var y []float64
	for i := 0; i < 12; i++ {
		p := []float64{rng.Float64(), rng.Float64(), rng.Float64()}
		x = append(x, p)
		y = append(y, math.Sin(5*p[0])+p[1]*p[2])
	}
	g, err := FitGP(x, y, GPOptions{}, rng)
	if err != nil {
		t.Fatal(err)
	}
	q := []float64{0.31, 0.52, 0.77}
	for _, acq := range []Acquisition{
		{Kind: LogEI, Maximize: true, Best: 1.2},
		{Kind: LogEI, Maximize: false, Best: -0.4},
		{Kind: LogEI, Maximize: true, Best: 30}, // far tail
		{Kind: UCB, Maximize: true, Beta: 2},
		{Kind: UCB, Maximize: false},
	} {
		grad := make([]float64, 3)
		acq.Value(g, q, grad)
		checkGrad(t, acq.Kind.String(), func(p []float64) float64 { return acq.Value(g, p, nil) }, q, grad, 1e-6, 1e-5)
	}
	// Minimising with incumbent b equals maximising the negated problem.
	neg := make([]float64, len(y))
	for i, v := range y {
		neg[i] = -v
	}
	gn, err := FitGP(x, neg, GPOptions{}, rand.New(rand.NewPCG(11, 12)))
	if err != nil {
		t.Fatal(err)
	}
	th := g.Theta()
	th[len(th)-1] = -th[len(th)-1] // the constant mean flips sign with the data
	if err := gn.setTheta(th); err != nil {
		t.Fatal(err)
	}
	a := Acquisition{Kind: LogEI, Maximize: false, Best: 0.1}.Value(g, q, nil)
	b := Acquisition{Kind: LogEI, Maximize: true, Best: -0.1}.Value(gn, q, nil)
	assertClose(t, "min vs negated max", a, b, 1e-9)
}
