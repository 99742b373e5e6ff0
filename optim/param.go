package optim

import "math"

// Param is one trainable array and its gradient (same length).
type Param struct {
	Name  string
	Value []float32
	Grad  []float32
}

// ZeroGrads clears every gradient, after a step.
func ZeroGrads(ps []Param) {
	for _, p := range ps {
		clear(p.Grad)
	}
}

// GradNorm is the L2 norm of all the gradients together.
func GradNorm(ps []Param) float64 {
	var ss float64
	for _, p := range ps {
		for _, g := range p.Grad {
			ss += float64(g) * float64(g)
		}
	}
	return math.Sqrt(ss)
}

// ClipGradNorm scales all gradients down together so that their global norm
// is at most maxNorm (≤ 0: no clipping). It returns the norm before clipping.
func ClipGradNorm(ps []Param, maxNorm float64) float64 {
	n := GradNorm(ps)
	if maxNorm > 0 && n > maxNorm {
		s := float32(maxNorm / n)
		for _, p := range ps {
			for i := range p.Grad {
				p.Grad[i] *= s
			}
		}
	}
	return n
}
