package bo

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/milp-lite/milp-lite/kernels"
)

// GPOptions configures FitGP. The zero value is usable.
type GPOptions struct {
	// Kernel is Matern52 (default) or RBF.
	Kernel KernelKind
	// Lo and Hi bound the inputs; they are scaled to the unit cube. Nil means
	// the inputs already lie in [0,1]^d.
	Lo, Hi []float64
	// Restarts is the number of hyper-parameter optimisation starts (default 4):
	// the prior mode, WarmStart if given, and draws from the priors.
	Restarts int
	// MaxIter bounds the L-BFGS iterations per start (default 60).
	MaxIter int
	// WarmStart, if non-nil, is a previous fit's θ (see GP.Theta) to start from.
	WarmStart []float64
}

// GP is a fitted Gaussian-process regression model. Inputs are scaled to the
// unit cube and outputs standardised internally; Predict works in the caller's
// units.
type GP struct {
	prob         lmlProblem
	priors       hyperPriors
	theta        []float64
	kern         kernel
	noise, c     float64
	yMean, yStd  float64
	lo, span     []float64
	chol         []float64 // Cholesky factor of K + σ²_n I (+ jitter)
	alpha        []float64 // K⁻¹(y − c)
	logPosterior float64
}

// FitGP fits a GP to observations x (n rows of d inputs) and y by maximising
// the log marginal likelihood plus log priors over the hyper-parameters from
// several starts. rng drives the random starts (nil: a fixed seed).
func FitGP(x [][]float64, y []float64, opts GPOptions, rng *rand.Rand) (*GP, error) {
	n := len(x)
	if n == 0 || n != len(y) {
		return nil, fmt.Errorf("bo: FitGP: %d inputs and %d outputs", n, len(y))
	}
	d := len(x[0])
	if d == 0 {
		return nil, fmt.Errorf("bo: FitGP: inputs have no dimensions")
	}
	if rng == nil {
		rng = rand.New(rand.NewPCG(1, 2))
	}
	g := &GP{lo: make([]float64, d), span: make([]float64, d)}
	for i := range g.span {
		g.span[i] = 1
		if opts.Lo != nil {
			g.lo[i] = opts.Lo[i]
			g.span[i] = opts.Hi[i] - opts.Lo[i]
			if !(g.span[i] > 0) {
				return nil, fmt.Errorf("bo: FitGP: empty input range in dimension %d", i)
			}
		}
	}
	xs := make([]float64, 0, n*d)
	for i, row := range x {
		if len(row) != d {
			return nil, fmt.Errorf("bo: FitGP: input %d has %d dimensions, want %d", i, len(row), d)
		}
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("bo: FitGP: input %d is not finite", i)
			}
			xs = append(xs, (v-g.lo[j])/g.span[j])
		}
	}
	// Standardise outputs.
	mean, sd := 0.0, 0.0
	for i, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("bo: FitGP: output %d is not finite", i)
		}
		mean += v
	}
	mean /= float64(n)
	for _, v := range y {
		sd += (v - mean) * (v - mean)
	}
	sd = math.Sqrt(sd / float64(n))
	if !(sd > 1e-12*math.Max(1, math.Abs(mean))) {
		sd = 1
	}
	g.yMean, g.yStd = mean, sd
	ys := make([]float64, n)
	for i, v := range y {
		ys[i] = (v - mean) / sd
	}
	g.prob = lmlProblem{kind: opts.Kernel, x: xs, y: ys, n: n, d: d}
	g.prob.precompute()
	g.priors = defaultHyperPriors(d)

	theta, err := g.fitHyper(opts, rng)
	if err != nil {
		return nil, err
	}
	if err := g.setTheta(theta); err != nil {
		return nil, err
	}
	return g, nil
}

// fitHyper runs the multi-start maximisation of log p(y|θ) + log p(θ).
func (g *GP) fitHyper(opts GPOptions, rng *rand.Rand) ([]float64, error) {
	p := &g.priors
	restarts := orDefault(opts.Restarts, 4)
	maxIter := orDefault(opts.MaxIter, 60)
	starts := make([][]float64, 0, restarts)
	starts = append(starts, append([]float64(nil), p.mean...))
	if opts.WarmStart != nil && len(opts.WarmStart) == len(p.mean) {
		starts = append(starts, append([]float64(nil), opts.WarmStart...))
	}
	for len(starts) < restarts {
		t := make([]float64, len(p.mean))
		for i := range t {
			t[i] = clamp(p.mean[i]+p.sd[i]*rng.NormFloat64()*0.7, p.lo[i], p.hi[i])
		}
		starts = append(starts, t)
	}
	negLogPost := func(theta, grad []float64) (float64, error) {
		lml, err := g.prob.logMarginalLikelihood(theta, grad)
		if err != nil {
			return 0, err
		}
		lp := p.logPrior(theta, grad)
		for i := range grad {
			grad[i] = -grad[i]
		}
		return -(lml + lp), nil
	}
	type result struct {
		theta []float64
		f     float64
		err   error
	}
	results := make([]result, len(starts))
	// The restarts run on the project's one worker pool; each writes its own
	// slot, and the best is chosen in start order, so the fit is the same
	// whatever the scheduling.
	kernels.Default().For(len(starts), 1, kernels.TaskFunc(func(lo, hi, _ int) {
		for i := lo; i < hi; i++ {
			th, f, err := minimizeBox(negLogPost, starts[i], p.lo, p.hi, minimizeOptions{maxIter: maxIter, gradTol: 1e-5})
			results[i] = result{th, f, err}
		}
	}))
	best := -1
	for i, r := range results {
		if r.err == nil && (best < 0 || r.f < results[best].f) {
			best = i
		}
	}
	if best < 0 {
		return nil, fmt.Errorf("bo: FitGP: no hyper-parameter start could be evaluated: %v", results[0].err)
	}
	g.logPosterior = -results[best].f
	return results[best].theta, nil
}

// setTheta installs hyper-parameters and factorises the covariance.
func (g *GP) setTheta(theta []float64) error {
	d := g.prob.d
	g.theta = append([]float64(nil), theta...)
	cov, k := g.prob.covariance(theta, nil)
	l, _, err := choleskyJitter(cov, g.prob.n)
	if err != nil {
		return fmt.Errorf("bo: GP covariance: %w", err)
	}
	g.kern, g.chol = k, l
	g.noise = math.Exp(theta[d+1])
	g.c = theta[d+2]
	g.alpha = make([]float64, g.prob.n)
	for i, v := range g.prob.y {
		g.alpha[i] = v - g.c
	}
	cholSolve(l, g.prob.n, g.alpha)
	return nil
}

// Theta returns a copy of the fitted hyper-parameters in optimisation
// coordinates (log length-scales, log signal variance, log noise, mean).
func (g *GP) Theta() []float64 { return append([]float64(nil), g.theta...) }

// Hyper describes fitted hyper-parameters in natural, standardised units.
type Hyper struct {
	Lengthscales   []float64 // per input dimension, in unit-cube units
	SignalVariance float64   // of the standardised output
	NoiseVariance  float64   // of the standardised output
	Mean           float64   // constant mean of the standardised output
}

// Hyperparameters reports the fitted hyper-parameters.
func (g *GP) Hyperparameters() Hyper {
	d := g.prob.d
	h := Hyper{Lengthscales: make([]float64, d), SignalVariance: g.kern.variance, NoiseVariance: g.noise, Mean: g.c}
	for i := range h.Lengthscales {
		h.Lengthscales[i] = math.Exp(g.theta[i])
	}
	return h
}

// NumObservations is the number of points the model conditions on.
func (g *GP) NumObservations() int { return g.prob.n }

// Dim is the input dimension.
func (g *GP) Dim() int { return g.prob.d }

// scale maps a caller input to the unit cube.
func (g *GP) scale(x []float64, dst []float64) {
	for i := range dst {
		dst[i] = (x[i] - g.lo[i]) / g.span[i]
	}
}

// minVarFrac floors the standardised posterior variance so log-EI and its
// gradient stay finite at observed points.
const minVarFrac = 1e-12

// Predict returns the posterior mean and variance of the latent function at x
// (the variance excludes observation noise), in the caller's output units.
func (g *GP) Predict(x []float64) (mean, variance float64) {
	return g.PredictGrad(x, nil, nil)
}

// PredictGrad is Predict that also writes ∂mean/∂x into dMean and ∂variance/∂x
// into dVar when they are non-nil.
func (g *GP) PredictGrad(x []float64, dMean, dVar []float64) (mean, variance float64) {
	n, d := g.prob.n, g.prob.d
	xs := make([]float64, d)
	g.scale(x, xs)
	ks := make([]float64, n)
	for i := 0; i < n; i++ {
		ks[i] = g.kern.eval(xs, g.prob.row(i))
	}
	mu := g.c + dot(ks, g.alpha)
	v := append([]float64(nil), ks...)
	solveLower(g.chol, n, v)
	vs := g.kern.variance - dot(v, v)
	floor := minVarFrac * g.kern.variance
	clamped := vs < floor
	if clamped {
		vs = floor
	}
	if dMean != nil || dVar != nil {
		gm := make([]float64, d)
		gv := make([]float64, d)
		var w []float64
		if dVar != nil && !clamped {
			w = v
			solveUpperT(g.chol, n, w) // w = K⁻¹k*
		}
		for i := 0; i < n; i++ {
			wi := 0.0
			if w != nil {
				wi = -2 * w[i]
			}
			// ∂k(x,x_i)/∂x once, weighted for mean and variance.
			accumKernelGrad(&g.kern, xs, g.prob.row(i), g.alpha[i], wi, gm, gv)
		}
		for j := 0; j < d; j++ {
			if dMean != nil {
				dMean[j] = gm[j] * g.yStd / g.span[j]
			}
			if dVar != nil {
				dVar[j] = gv[j] * g.yStd * g.yStd / g.span[j]
			}
		}
	}
	return g.yMean + g.yStd*mu, vs * g.yStd * g.yStd
}

// accumKernelGrad adds wm·∂k/∂x to gm and wv·∂k/∂x to gv for k = k(x, y).
func accumKernelGrad(k *kernel, x, y []float64, wm, wv float64, gm, gv []float64) {
	_, s := k.valueAndSlope(k.r2(x, y))
	for j, il := range k.invL2 {
		dk := -s * (x[j] - y[j]) * il
		gm[j] += wm * dk
		gv[j] += wv * dk
	}
}

// Condition returns a copy of the model that also observes (x, y), keeping the
// hyper-parameters and output standardisation fixed. The Cholesky factor is
// extended by one row in O(n²). Batch acquisition uses it for fantasies
// (Kriging believer, constant liar).
func (g *GP) Condition(x []float64, y float64) (*GP, error) {
	n, d := g.prob.n, g.prob.d
	if len(x) != d {
		return nil, fmt.Errorf("bo: Condition: point has %d dimensions, want %d", len(x), d)
	}
	ng := *g
	xs := make([]float64, d)
	g.scale(x, xs)
	ng.prob.x = append(append(make([]float64, 0, (n+1)*d), g.prob.x...), xs...)
	ng.prob.y = append(append(make([]float64, 0, n+1), g.prob.y...), (y-g.yMean)/g.yStd)
	ng.prob.n = n + 1
	ng.prob.sqDiff = nil // pairwise cache is for the fitted data only
	row := make([]float64, n)
	for i := 0; i < n; i++ {
		row[i] = g.kern.eval(xs, g.prob.row(i))
	}
	solveLower(g.chol, n, row)
	diag := g.kern.variance + g.noise - dot(row, row)
	if floor := 1e-10 * g.kern.variance; diag < floor {
		diag = floor // a repeated point: the jitter a refactorisation would add
	}
	m := n + 1
	l := make([]float64, m*m)
	for i := 0; i < n; i++ {
		copy(l[i*m:i*m+i+1], g.chol[i*n:i*n+i+1])
	}
	copy(l[n*m:n*m+n], row)
	l[n*m+n] = math.Sqrt(diag)
	ng.chol = l
	ng.alpha = make([]float64, m)
	for i, v := range ng.prob.y {
		ng.alpha[i] = v - g.c
	}
	cholSolve(l, m, ng.alpha)
	return &ng, nil
}
