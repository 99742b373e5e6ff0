package optim

import (
	"fmt"
	"math"
)

// AdamW is Adam with decoupled weight decay (Loshchilov & Hutter): the decay
// shrinks the weights directly, lr·wd·θ, instead of being added to the
// gradient where Adam's normalisation would rescale it.
type AdamW struct {
	Beta1, Beta2 float64
	Eps          float64
	WeightDecay  float64
	Step         int         // steps taken so far
	M, V         [][]float32 // first and second moments, one per parameter
}

// NewAdamW prepares moments for ps with the usual defaults (β1 0.9, β2 0.999,
// ε 1e-8) and the given weight decay.
func NewAdamW(ps []Param, weightDecay float64) *AdamW {
	o := &AdamW{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: weightDecay}
	for _, p := range ps {
		o.M = append(o.M, make([]float32, len(p.Value)))
		o.V = append(o.V, make([]float32, len(p.Value)))
	}
	return o
}

// Update applies one step of learning rate lr to ps (the same parameters, in
// the same order, as the optimizer was made for):
//
//	m = β1·m + (1−β1)·g,  v = β2·v + (1−β2)·g²
//	θ -= lr·( m/(1−β1ᵗ) / (√(v/(1−β2ᵗ)) + ε) + wd·θ )
func (o *AdamW) Update(ps []Param, lr float64) error {
	if len(ps) != len(o.M) {
		return fmt.Errorf("adamw: %d parameters, the optimizer holds moments for %d", len(ps), len(o.M))
	}
	o.Step++
	c1 := 1 - math.Pow(o.Beta1, float64(o.Step))
	c2 := 1 - math.Pow(o.Beta2, float64(o.Step))
	b1, b2 := float32(o.Beta1), float32(o.Beta2)
	for k, p := range ps {
		m, v := o.M[k], o.V[k]
		if len(m) != len(p.Value) {
			return fmt.Errorf("adamw: parameter %s has %d values, its moments %d", p.Name, len(p.Value), len(m))
		}
		for i, g := range p.Grad {
			m[i] = b1*m[i] + (1-b1)*g
			v[i] = b2*v[i] + (1-b2)*g*g
			mh := float64(m[i]) / c1
			vh := float64(v[i]) / c2
			p.Value[i] -= float32(lr * (mh/(math.Sqrt(vh)+o.Eps) + o.WeightDecay*float64(p.Value[i])))
		}
	}
	return nil
}
