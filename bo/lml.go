package bo

import (
	"math"
)

// Hyper-parameter vector layout, all in unconstrained coordinates:
//
//	θ[0:d]  log ℓ_i   (length-scales, inputs in the unit cube)
//	θ[d]    log s²    (signal variance, outputs standardised)
//	θ[d+1]  log σ²_n  (noise variance)
//	θ[d+2]  c         (constant mean)
//
// Each has a box bound and a Gaussian prior in these coordinates. The priors
// keep the fit from collapsing (ℓ → 0 interpolating everything, or s² → ∞ with
// ℓ → ∞) on the handful of points BO typically has.

// hyperPriors holds per-coordinate Gaussian priors (mean, sd) and bounds.
type hyperPriors struct {
	mean, sd []float64
	lo, hi   []float64
}

// defaultHyperPriors returns the priors for d input dimensions. The length-scale
// prior is the dimension-scaled log-normal of Hvarfner, Hellsten & Nardi (2024),
// LogNormal(√2 + ½·log d, √3), which lets length-scales grow with dimension so
// the model does not become a needle-in-a-haystack in 10-D and above.
func defaultHyperPriors(d int) hyperPriors {
	p := hyperPriors{
		mean: make([]float64, d+3), sd: make([]float64, d+3),
		lo: make([]float64, d+3), hi: make([]float64, d+3),
	}
	for i := 0; i < d; i++ {
		p.mean[i] = math.Sqrt2 + 0.5*math.Log(float64(d))
		p.sd[i] = math.Sqrt(3)
		p.lo[i] = math.Log(0.01)
		p.hi[i] = math.Log(100)
	}
	// Signal variance around 1, because outputs are standardised.
	p.mean[d], p.sd[d], p.lo[d], p.hi[d] = 0, 1.5, math.Log(0.05), math.Log(20)
	// Noise: most BO objectives here are deterministic or nearly so; the prior
	// leans small but leaves room for real noise.
	p.mean[d+1], p.sd[d+1], p.lo[d+1], p.hi[d+1] = math.Log(1e-4), 3, math.Log(1e-8), math.Log(1)
	// Constant mean near the standardised data mean.
	p.mean[d+2], p.sd[d+2], p.lo[d+2], p.hi[d+2] = 0, 1, -5, 5
	return p
}

// logPrior returns Σ log N(θ_i; mean_i, sd_i) (up to a constant) and adds its
// gradient to grad when grad is non-nil.
func (p *hyperPriors) logPrior(theta, grad []float64) float64 {
	s := 0.0
	for i, t := range theta {
		z := (t - p.mean[i]) / p.sd[i]
		s -= 0.5 * z * z
		if grad != nil {
			grad[i] -= z / p.sd[i]
		}
	}
	return s
}

// lmlProblem is the data a hyper-parameter fit works on: unit-cube inputs
// (row-major n×d) and standardised outputs.
type lmlProblem struct {
	kind KernelKind
	x    []float64
	y    []float64
	n, d int
	// sqDiff[p*d+h] = (x_ih − x_jh)² for the p-th pair i > j (row-major lower
	// triangle). It does not depend on θ, so it is computed once per fit.
	sqDiff []float64
}

// precompute fills sqDiff; call it before sharing the problem across goroutines.
func (p *lmlProblem) precompute() {
	n, d := p.n, p.d
	p.sqDiff = make([]float64, 0, n*(n-1)/2*d)
	for i := 0; i < n; i++ {
		xi := p.row(i)
		for j := 0; j < i; j++ {
			xj := p.row(j)
			for h := 0; h < d; h++ {
				e := xi[h] - xj[h]
				p.sqDiff = append(p.sqDiff, e*e)
			}
		}
	}
}

// row returns observation i.
func (p *lmlProblem) row(i int) []float64 { return p.x[i*p.d : (i+1)*p.d] }

// covariance builds K = Kf + σ²_n·I for θ. With slopes non-nil (and sqDiff
// precomputed) it also stores each pair's g(r) from kernel.valueAndSlope,
// indexed like sqDiff, for the gradient.
func (p *lmlProblem) covariance(theta []float64, slopes []float64) ([]float64, kernel) {
	n, d := p.n, p.d
	k := newKernel(p.kind, theta[:d], theta[d])
	noise := math.Exp(theta[d+1])
	cov := make([]float64, n*n)
	pair := 0
	for i := 0; i < n; i++ {
		xi := p.row(i)
		for j := 0; j < i; j++ {
			var r2 float64
			if p.sqDiff != nil {
				r2 = dot(p.sqDiff[pair*d:pair*d+d], k.invL2)
			} else {
				r2 = k.r2(xi, p.row(j))
			}
			v, g := k.valueAndSlope(r2)
			if slopes != nil {
				slopes[pair] = g
			}
			cov[i*n+j] = v
			cov[j*n+i] = v
			pair++
		}
		cov[i*n+i] = k.variance + noise
	}
	return cov, k
}

// logMarginalLikelihood returns log p(y | X, θ) and, when grad is non-nil,
// writes its analytic gradient with respect to θ:
//
//	∂/∂θ_j = ½·tr((ααᵀ − K⁻¹)·∂K/∂θ_j),  α = K⁻¹(y − c),  ∂/∂c = Σ α.
func (p *lmlProblem) logMarginalLikelihood(theta, grad []float64) (float64, error) {
	n, d := p.n, p.d
	if p.sqDiff == nil {
		p.precompute()
	}
	var slopes []float64
	if grad != nil {
		slopes = make([]float64, n*(n-1)/2)
	}
	cov, k := p.covariance(theta, slopes)
	l, _, err := choleskyJitter(cov, n)
	if err != nil {
		return 0, err
	}
	c := theta[d+2]
	alpha := make([]float64, n)
	for i := range alpha {
		alpha[i] = p.y[i] - c
	}
	quad := 0.0
	{
		tmp := append([]float64(nil), alpha...)
		solveLower(l, n, tmp)
		quad = dot(tmp, tmp)
		solveUpperT(l, n, tmp)
		alpha = tmp
	}
	lml := -0.5*quad - 0.5*logDetChol(l, n) - 0.5*float64(n)*math.Log(2*math.Pi)
	if grad == nil {
		return lml, nil
	}
	for i := range grad {
		grad[i] = 0
	}
	inv := cholInverse(l, n)
	noise := math.Exp(theta[d+1])
	// ∂k/∂log ℓ_h = g·(x_ih−x_jh)²/ℓ_h² and ∂k/∂log s² = k for each pair, so
	// the trace reduces to sums over pairs of W_ij·g_ij·sqDiff_ij.
	acc := make([]float64, d)
	traceW := 0.0
	pair := 0
	for i := 0; i < n; i++ {
		wii := alpha[i]*alpha[i] - inv[i*n+i]
		traceW += wii
		// Diagonal: only the signal variance moves k(x,x) = s².
		grad[d] += 0.5 * wii * k.variance
		for j := 0; j < i; j++ {
			wij := alpha[i]*alpha[j] - inv[i*n+j]
			// Off-diagonal pairs appear twice in the trace: ½·2 = 1.
			grad[d] += wij * cov[i*n+j]
			axpy(wij*slopes[pair], p.sqDiff[pair*d:pair*d+d], acc)
			pair++
		}
	}
	for h := 0; h < d; h++ {
		grad[h] = acc[h] * k.invL2[h]
	}
	grad[d+1] = 0.5 * traceW * noise
	sumAlpha := 0.0
	for _, a := range alpha {
		sumAlpha += a
	}
	grad[d+2] = sumAlpha
	return lml, nil
}
