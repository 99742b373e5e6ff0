package bo

import (
	"fmt"
	"math"
)

// KernelKind selects the covariance function of the Gaussian process.
type KernelKind int

const (
	// Matern52 is the ARD Matérn-5/2 kernel, the usual choice for BO because its
	// sample paths are twice differentiable but not unrealistically smooth.
	Matern52 KernelKind = iota
	// RBF is the ARD squared-exponential kernel.
	RBF
)

// String names the kernel.
func (k KernelKind) String() string {
	switch k {
	case Matern52:
		return "matern52"
	case RBF:
		return "rbf"
	}
	return fmt.Sprintf("KernelKind(%d)", int(k))
}

var sqrt5 = math.Sqrt(5)

// kernel is a stationary ARD kernel k(x,y) = s²·f(r) with
// r² = Σ_i (x_i−y_i)²/ℓ_i². Parameters are held as precomputed 1/ℓ_i² and s².
type kernel struct {
	kind     KernelKind
	invL2    []float64 // 1/ℓ_i²
	variance float64   // s²
}

func newKernel(kind KernelKind, logLengthscales []float64, logVariance float64) kernel {
	inv := make([]float64, len(logLengthscales))
	for i, ll := range logLengthscales {
		inv[i] = math.Exp(-2 * ll)
	}
	return kernel{kind: kind, invL2: inv, variance: math.Exp(logVariance)}
}

// r2 is the scaled squared distance between x and y.
func (k *kernel) r2(x, y []float64) float64 {
	s := 0.0
	for i, w := range k.invL2 {
		d := x[i] - y[i]
		s += d * d * w
	}
	return s
}

// valueAndSlope returns k(r) and g(r) where g is defined so that
// ∂k/∂log ℓ_i = g·(x_i−y_i)²/ℓ_i² and ∂k/∂x_i = −g·(x_i−y_i)/ℓ_i².
// Writing the derivatives through g avoids dividing by r at r = 0.
func (k *kernel) valueAndSlope(r2 float64) (val, g float64) {
	switch k.kind {
	case RBF:
		val = k.variance * math.Exp(-0.5*r2)
		return val, val
	default: // Matern52
		r := math.Sqrt(r2)
		e := math.Exp(-sqrt5 * r)
		val = k.variance * (1 + sqrt5*r + 5.0/3.0*r2) * e
		g = k.variance * 5.0 / 3.0 * (1 + sqrt5*r) * e
		return val, g
	}
}

// eval returns k(x, y).
func (k *kernel) eval(x, y []float64) float64 {
	v, _ := k.valueAndSlope(k.r2(x, y))
	return v
}

// gradX adds ∂k(x,y)/∂x to grad (scaled by w) and returns k(x,y).
func (k *kernel) gradX(x, y []float64, w float64, grad []float64) float64 {
	v, g := k.valueAndSlope(k.r2(x, y))
	c := -g * w
	for i, il := range k.invL2 {
		grad[i] += c * (x[i] - y[i]) * il
	}
	return v
}

// gradHyper writes ∂k(x,y)/∂θ into grad for θ = (log ℓ_1..log ℓ_d, log s²)
// and returns k(x,y).
func (k *kernel) gradHyper(x, y []float64, grad []float64) float64 {
	v, g := k.valueAndSlope(k.r2(x, y))
	for i, il := range k.invL2 {
		d := x[i] - y[i]
		grad[i] = g * d * d * il
	}
	grad[len(k.invL2)] = v
	return v
}
