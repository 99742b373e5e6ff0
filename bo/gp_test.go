package bo

import (
	"math"
	"math/rand/v2"
	"testing"
)

var kinds = []KernelKind{Matern52, RBF}

func TestKernelKnownValues(t *testing.T) {
	// One dimension, ℓ = 2, s² = 3, |x−y| = 1 → r = 0.5.
	k := newKernel(Matern52, []float64{math.Log(2)}, math.Log(3))
	r := 0.5
	want := 3 * (1 + math.Sqrt(5)*r + 5.0/3*r*r) * math.Exp(-math.Sqrt(5)*r)
	assertClose(t, "matern52", k.eval([]float64{0}, []float64{1}), want, 1e-15)
	k = newKernel(RBF, []float64{math.Log(2)}, math.Log(3))
	assertClose(t, "rbf", k.eval([]float64{0}, []float64{1}), 3*math.Exp(-0.125), 1e-15)
	assertClose(t, "k(x,x)", k.eval([]float64{0.3}, []float64{0.3}), 3, 1e-15)
}

func TestKernelGradientsFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, kind := range kinds {
		d := 3
		x := []float64{0.1, 0.7, 0.4}
		y := []float64{0.3, 0.2, 0.9}
		theta := []float64{math.Log(0.5), math.Log(0.8), math.Log(0.3), math.Log(1.7)}
		for i := range theta {
			theta[i] += 0.1 * rng.NormFloat64()
		}
		// Hyper-parameters.
		k := newKernel(kind, theta[:d], theta[d])
		grad := make([]float64, d+1)
		k.gradHyper(x, y, grad)
		checkGrad(t, kind.String()+" hyper", func(th []float64) float64 {
			kk := newKernel(kind, th[:d], th[d])
			return kk.eval(x, y)
		}, theta, grad, 1e-6, 1e-7)
		// Input.
		gx := make([]float64, d)
		k.gradX(x, y, 1, gx)
		checkGrad(t, kind.String()+" input", func(xx []float64) float64 { return k.eval(xx, y) }, x, gx, 1e-6, 1e-7)
	}
}

// testProblem builds a small regression problem on [0,1]^d.
func testProblem(kind KernelKind, n, d int, seed uint64) *lmlProblem {
	rng := rand.New(rand.NewPCG(seed, 9))
	p := &lmlProblem{kind: kind, n: n, d: d}
	for i := 0; i < n; i++ {
		s := 0.0
		for j := 0; j < d; j++ {
			v := rng.Float64()
			p.x = append(p.x, v)
			s += math.Sin(4 * v * float64(j+1))
		}
		p.y = append(p.y, s+0.05*rng.NormFloat64())
	}
	return p
}

func TestLogMarginalLikelihoodAgainstNaiveReference(t *testing.T) {
	for _, kind := range kinds {
		p := testProblem(kind, 12, 2, 3)
		theta := []float64{math.Log(0.3), math.Log(0.6), math.Log(1.3), math.Log(0.01), 0.2}
		got, err := p.logMarginalLikelihood(theta, nil)
		if err != nil {
			t.Fatal(err)
		}
		// Naive: explicit kernel matrix, Gauss–Jordan inverse and determinant.
		n, d := p.n, p.d
		cov := make([]float64, n*n)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				s := 0.0
				for h := 0; h < d; h++ {
					e := (p.x[i*d+h] - p.x[j*d+h]) / math.Exp(theta[h])
					s += e * e
				}
				r := math.Sqrt(s)
				var v float64
				if kind == RBF {
					v = math.Exp(-0.5 * s)
				} else {
					v = (1 + math.Sqrt(5)*r + 5*s/3) * math.Exp(-math.Sqrt(5)*r)
				}
				cov[i*n+j] = math.Exp(theta[d]) * v
			}
			cov[i*n+i] += math.Exp(theta[d+1])
		}
		inv, logDet := gaussJordanInverse(t, cov, n)
		quad := 0.0
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				quad += (p.y[i] - theta[d+2]) * inv[i*n+j] * (p.y[j] - theta[d+2])
			}
		}
		want := -0.5*quad - 0.5*logDet - 0.5*float64(n)*math.Log(2*math.Pi)
		assertClose(t, kind.String()+" LML", got, want, 1e-9)
	}
}

func TestLogMarginalLikelihoodGradient(t *testing.T) {
	for _, kind := range kinds {
		p := testProblem(kind, 15, 3, 4)
		theta := []float64{math.Log(0.4), math.Log(0.9), math.Log(0.25), math.Log(1.1), math.Log(0.02), -0.3}
		grad := make([]float64, len(theta))
		if _, err := p.logMarginalLikelihood(theta, grad); err != nil {
			t.Fatal(err)
		}
		checkGrad(t, kind.String()+" LML", func(th []float64) float64 {
			v, err := p.logMarginalLikelihood(th, nil)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}, theta, grad, 1e-6, 1e-6)
		// The prior's gradient too.
		pr := defaultHyperPriors(3)
		pg := make([]float64, len(theta))
		pr.logPrior(theta, pg)
		checkGrad(t, "log prior", func(th []float64) float64 { return pr.logPrior(th, nil) }, theta, pg, 1e-6, 1e-7)
	}
}

// gpWithTheta builds a GP on raw data with fixed hyper-parameters.
func gpWithTheta(t *testing.T, kind KernelKind, x [][]float64, y []float64, theta []float64) *GP {
	t.Helper()
	g, err := FitGP(x, y, GPOptions{Kernel: kind, Restarts: 1, MaxIter: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.setTheta(theta); err != nil {
		t.Fatal(err)
	}
	return g
}

func TestPosteriorAgainstNaiveReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, kind := range kinds {
		n, d := 9, 2
		x := make([][]float64, n)
		y := make([]float64, n)
		for i := range x {
			x[i] = []float64{rng.Float64(), rng.Float64()}
			y[i] = 10 + 3*math.Cos(5*x[i][0])*x[i][1]
		}
		theta := []float64{math.Log(0.35), math.Log(0.5), math.Log(0.9), math.Log(1e-3), 0.1}
		g := gpWithTheta(t, kind, x, y, theta)
		// Reference in standardised units: μ = c + k*ᵀK⁻¹(y−c), σ² = s² − k*ᵀK⁻¹k*.
		kern := newKernel(kind, theta[:d], theta[d])
		cov := make([]float64, n*n)
		for i := range x {
			for j := range x {
				cov[i*n+j] = kern.eval(x[i], x[j])
			}
			cov[i*n+i] += math.Exp(theta[d+1])
		}
		inv, _ := gaussJordanInverse(t, cov, n)
		for _, q := range [][]float64{{0.5, 0.5}, {0.1, 0.9}, x[3]} {
			ks := make([]float64, n)
			for i := range x {
				ks[i] = kern.eval(q, x[i])
			}
			mu, vv := theta[d+2], kern.variance
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					ys := (y[j] - g.yMean) / g.yStd
					mu += ks[i] * inv[i*n+j] * (ys - theta[d+2])
					vv -= ks[i] * inv[i*n+j] * ks[j]
				}
			}
			m, v := g.Predict(q)
			assertClose(t, kind.String()+" mean", m, g.yMean+g.yStd*mu, 1e-9)
			assertClose(t, kind.String()+" variance", v, math.Max(vv, minVarFrac*kern.variance)*g.yStd*g.yStd, 1e-8)
		}
	}
}

func TestPosteriorInputGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	for _, kind := range kinds {
		n, d := 14, 3
		x := make([][]float64, n)
		y := make([]float64, n)
		lo, hi := []float64{-5, 0, 10}, []float64{5, 2, 30}
		for i := range x {
			x[i] = make([]float64, d)
			for j := range x[i] {
				x[i][j] = lo[j] + (hi[j]-lo[j])*rng.Float64()
			}
			y[i] = x[i][0]*x[i][1] - 0.1*x[i][2]
		}
		g, err := FitGP(x, y, GPOptions{Kernel: kind, Lo: lo, Hi: hi}, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatal(err)
		}
		q := []float64{1.3, 0.7, 17}
		dm := make([]float64, d)
		dv := make([]float64, d)
		g.PredictGrad(q, dm, dv)
		checkGrad(t, kind.String()+" mean", func(p []float64) float64 { m, _ := g.Predict(p); return m }, q, dm, 1e-5, 1e-5)
		checkGrad(t, kind.String()+" variance", func(p []float64) float64 { _, v := g.Predict(p); return v }, q, dv, 1e-5, 1e-5)
	}
}

func TestFitGPLearnsAndPredicts(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	f := func(x []float64) float64 { return math.Sin(6*x[0]) + 0.1*x[1] } // x[1] nearly irrelevant
	var x [][]float64
	var y []float64
	for i := 0; i < 30; i++ {
		p := []float64{rng.Float64(), rng.Float64()}
		x = append(x, p)
		y = append(y, f(p))
	}
	g, err := FitGP(x, y, GPOptions{}, rng)
	if err != nil {
		t.Fatal(err)
	}
	h := g.Hyperparameters()
	if !(h.Lengthscales[1] > 2*h.Lengthscales[0]) {
		t.Fatalf("ARD did not find x2 less relevant: length-scales %v", h.Lengthscales)
	}
	maxErr := 0.0
	for i := 0; i < 50; i++ {
		p := []float64{0.05 + 0.9*rng.Float64(), 0.05 + 0.9*rng.Float64()}
		m, v := g.Predict(p)
		maxErr = math.Max(maxErr, math.Abs(m-f(p)))
		if !(v >= 0) {
			t.Fatalf("negative variance %g", v)
		}
	}
	if maxErr > 0.05 {
		t.Fatalf("max prediction error %g on a smooth 2-D function with 30 points", maxErr)
	}
	// Variance collapses at an observed point and grows away from the data.
	_, v0 := g.Predict(x[0])
	_, vFar := g.Predict([]float64{3, 3})
	if !(v0 < 1e-3*vFar) {
		t.Fatalf("variance at data %g vs far away %g", v0, vFar)
	}
	// Bad input is an error, not a panic.
	if _, err := FitGP([][]float64{{math.NaN()}}, []float64{1}, GPOptions{}, nil); err == nil {
		t.Fatal("NaN input accepted")
	}
	if _, err := FitGP([][]float64{{1}}, []float64{1, 2}, GPOptions{}, nil); err == nil {
		t.Fatal("mismatched lengths accepted")
	}
}

func TestFitGPWithDuplicatePointsUsesJitter(t *testing.T) {
	x := [][]float64{{0.5}, {0.5}, {0.5}, {0.2}, {0.8}}
	y := []float64{1, 1, 1, 0, 2}
	g, err := FitGP(x, y, GPOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := g.Predict([]float64{0.5})
	assertClose(t, "mean at repeated point", m, 1, 1e-2)
}

func TestConditionMatchesRefactorisation(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	var x [][]float64
	var y []float64
	for i := 0; i < 10; i++ {
		p := []float64{rng.Float64(), rng.Float64()}
		x = append(x, p)
		y = append(y, p[0]-p[1]*p[1])
	}
	g, err := FitGP(x, y, GPOptions{}, rng)
	if err != nil {
		t.Fatal(err)
	}
	newX, newY := []float64{0.4, 0.6}, 0.123
	c, err := g.Condition(newX, newY)
	if err != nil {
		t.Fatal(err)
	}
	// Same hyper-parameters and standardisation, full refactorisation.
	ref := *g
	ref.prob.x = append(append([]float64(nil), g.prob.x...), newX...)
	ref.prob.y = append(append([]float64(nil), g.prob.y...), (newY-g.yMean)/g.yStd)
	ref.prob.n++
	ref.prob.sqDiff = nil
	if err := ref.setTheta(g.theta); err != nil {
		t.Fatal(err)
	}
	for _, q := range [][]float64{{0.1, 0.1}, {0.41, 0.59}, {0.9, 0.3}} {
		m1, v1 := c.Predict(q)
		m2, v2 := ref.Predict(q)
		assertClose(t, "conditioned mean", m1, m2, 1e-9)
		assertClose(t, "conditioned variance", v1, v2, 1e-9)
	}
}
