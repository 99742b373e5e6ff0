package bo

import (
	"fmt"
	"math"
)

// AcquisitionKind selects the acquisition function.
type AcquisitionKind int

const (
	// LogEI is the logarithm of expected improvement, computed stably so that
	// it keeps a useful gradient far from the incumbent (Ament et al., 2023,
	// "Unexpected Improvements to Expected Improvement for Bayesian
	// Optimization").
	LogEI AcquisitionKind = iota
	// UCB is the upper confidence bound μ + √β·σ (lower bound when minimising).
	UCB
)

// String names the acquisition function.
func (a AcquisitionKind) String() string {
	switch a {
	case LogEI:
		return "logei"
	case UCB:
		return "ucb"
	}
	return fmt.Sprintf("AcquisitionKind(%d)", int(a))
}

// Acquisition scores candidate points under a GP posterior. Larger is better
// in both directions: when minimising, improvement means going below Best.
type Acquisition struct {
	Kind     AcquisitionKind
	Maximize bool
	// Best is the incumbent objective value (the best observation).
	Best float64
	// Beta is UCB's exploration weight (default 4 when zero).
	Beta float64
}

// Value returns the acquisition value at x and, when grad is non-nil, writes
// its gradient with respect to x.
func (a Acquisition) Value(g *GP, x []float64, grad []float64) float64 {
	var dMean, dVar []float64
	if grad != nil {
		dMean = make([]float64, len(x))
		dVar = make([]float64, len(x))
	}
	mu, v := g.PredictGrad(x, dMean, dVar)
	sigma := math.Sqrt(v)
	sign := -1.0
	if a.Maximize {
		sign = 1
	}
	switch a.Kind {
	case UCB:
		sb := math.Sqrt(orDefault(a.Beta, 4))
		if grad != nil {
			for i := range grad {
				grad[i] = sign*dMean[i] + sb*dVar[i]/(2*sigma)
			}
		}
		return sign*mu + sb*sigma
	default:
		u := sign * (mu - a.Best) // improvement of the mean over the incumbent
		z := u / sigma
		val := math.Log(sigma) + logH(z)
		if grad != nil {
			dlh := dLogH(z)
			for i := range grad {
				ds := dVar[i] / (2 * sigma)
				dz := sign*dMean[i]/sigma - u*ds/(sigma*sigma)
				grad[i] = ds/sigma + dlh*dz
			}
		}
		return val
	}
}

// ExpectedImprovement is the textbook EI σ·(φ(z) + z·Φ(z)) for maximisation
// with z = (μ − best)/σ. It underflows to 0 for z below about −38; LogEIValue is
// the stable form.
func ExpectedImprovement(mean, sigma, best float64) float64 {
	z := (mean - best) / sigma
	return sigma * (normPDF(z) + z*normCDF(z))
}

// LogEIValue is log ExpectedImprovement(mean, sigma, best), finite for every
// finite z.
func LogEIValue(mean, sigma, best float64) float64 {
	return math.Log(sigma) + logH((mean-best)/sigma)
}

var (
	log2Pi       = math.Log(2 * math.Pi)
	logSqrtPiBy2 = 0.5 * math.Log(math.Pi/2)
	invSqrtEps   = 1 / math.Sqrt(0x1p-52)
)

// logH returns log(φ(z) + z·Φ(z)). For z ≤ −1 it uses
// h(z) = φ(z)·(1 − |z|·√(π/2)·erfcx(|z|/√2)), which avoids the cancellation
// between φ and z·Φ, and for |z| beyond 1/√ε the asymptote h ≈ φ(z)/z².
func logH(z float64) float64 {
	if z > -1 {
		return math.Log(normPDF(z) + z*normCDF(z))
	}
	if z > -invSqrtEps {
		a := math.Log(erfcx(-z/math.Sqrt2)*-z) + logSqrtPiBy2
		return -0.5*z*z - 0.5*log2Pi + log1mexp(a)
	}
	return -0.5*z*z - 0.5*log2Pi - 2*math.Log(-z)
}

// dLogH returns d log h/dz = Φ(z)/h(z), in log space for z ≤ −1.
func dLogH(z float64) float64 {
	if z > -1 {
		return normCDF(z) / (normPDF(z) + z*normCDF(z))
	}
	return math.Exp(logNormCDF(z) - logH(z))
}

// logNormCDF is log Φ(z), accurate in the far lower tail.
func logNormCDF(z float64) float64 {
	if z > -1 {
		return math.Log(normCDF(z))
	}
	return math.Log(0.5*erfcx(-z/math.Sqrt2)) - 0.5*z*z
}

func normPDF(z float64) float64 { return math.Exp(-0.5*z*z - 0.5*log2Pi) }

func normCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

// erfcx is the scaled complementary error function exp(x²)·erfc(x) for x ≥ 0.
// Below 26 the direct product is accurate (erfc stays a normal float); above,
// the asymptotic series, whose truncation error there is below 1e-11.
func erfcx(x float64) float64 {
	if x < 26 {
		return math.Exp(x*x) * math.Erfc(x)
	}
	t := 1 / (2 * x * x)
	return (1 - t + 3*t*t - 15*t*t*t) / (x * math.Sqrt(math.Pi))
}

// log1mexp is log(1 − eᵃ) for a < 0, switching forms at −ln 2 (Mächler 2012).
func log1mexp(a float64) float64 {
	if a > -math.Ln2 {
		return math.Log(-math.Expm1(a))
	}
	return math.Log1p(-math.Exp(a))
}
