package bo

import (
	"errors"
	"math"
	"math/rand/v2"
	"sort"
)

// BatchStrategy chooses how a batch of q points is built one point at a time.
type BatchStrategy int

const (
	// KrigingBeliever conditions the model on each chosen point with its
	// posterior mean as if it had been observed.
	KrigingBeliever BatchStrategy = iota
	// ConstantLiar conditions on each chosen point with the incumbent value.
	ConstantLiar
)

// acqSearch optimises an acquisition function over a mixed space: many random
// candidates plus perturbations of the best observations, then local search
// from the most promising ones (L-BFGS on float features with the rest held,
// alternating with neighbour moves on discrete parameters).
type acqSearch struct {
	space       *Space
	candidates  int
	localStarts int
	// exclude holds keys of configurations already evaluated or pending.
	exclude map[string]bool
	// incumbents are good observed configurations to perturb.
	incumbents []Config
}

type scored struct {
	cfg  Config
	feat []float64
	val  float64
}

// errNoCandidate is returned when every candidate is excluded or infeasible.
var errNoCandidate = errors.New("bo: acquisition search found no new feasible configuration")

// best returns the configuration maximising acq.
func (a *acqSearch) best(g *GP, acq Acquisition, rng *rand.Rand) (Config, float64, error) {
	sp := a.space
	score := func(c Config) (scored, bool) {
		if a.exclude[c.key()] || !sp.feasible(c) {
			return scored{}, false
		}
		f, err := sp.Encode(c)
		if err != nil {
			return scored{}, false
		}
		v := acq.Value(g, f, nil)
		if math.IsNaN(v) {
			return scored{}, false
		}
		return scored{c, f, v}, true
	}
	var pool []scored
	seen := map[string]bool{}
	consider := func(c Config) {
		k := c.key()
		if seen[k] {
			return
		}
		seen[k] = true
		if s, ok := score(c); ok {
			pool = append(pool, s)
		}
	}
	for i := 0; i < a.candidates; i++ {
		c, err := sp.Sample(rng)
		if err != nil {
			return nil, 0, err
		}
		consider(c)
	}
	// Local perturbations of the incumbents: all neighbours, and random
	// multi-coordinate jitters, which matter in higher dimensions where uniform
	// samples rarely land near the best region.
	for _, inc := range a.incumbents {
		for _, n := range sp.Neighbors(inc) {
			consider(n)
		}
		f, err := sp.Encode(inc)
		if err != nil {
			continue
		}
		for j := 0; j < a.candidates/(4*max(1, len(a.incumbents))); j++ {
			p := make([]float64, len(f))
			scale := []float64{0.01, 0.05, 0.15}[j%3]
			for i := range p {
				p[i] = f[i]
				if rng.Float64() < math.Max(0.2, 3/float64(len(f))) {
					p[i] = clamp(f[i]+scale*rng.NormFloat64(), 0, 1)
					if !isContinuousFeature(sp, i) && rng.Float64() < 0.5 {
						p[i] = 1 - f[i] // a discrete flip
					}
				}
			}
			consider(sp.Decode(p))
		}
	}
	if len(pool) == 0 {
		return nil, 0, errNoCandidate
	}
	sort.SliceStable(pool, func(i, j int) bool { return pool[i].val > pool[j].val })
	bestS := pool[0]
	for i := 0; i < min(a.localStarts, len(pool)); i++ {
		s := a.localSearch(g, acq, pool[i], score)
		if s.val > bestS.val {
			bestS = s
		}
	}
	return bestS.cfg, bestS.val, nil
}

func isContinuousFeature(sp *Space, feature int) bool {
	for i, p := range sp.params {
		if sp.offsets[i] == feature {
			return p.Kind == KindFloat
		}
	}
	return false
}

// localSearch alternates gradient ascent on the float features with
// best-improvement neighbour moves until neither improves.
func (a *acqSearch) localSearch(g *GP, acq Acquisition, start scored, score func(Config) (scored, bool)) scored {
	sp := a.space
	mask := sp.continuousMask()
	var contIdx []int
	for i, m := range mask {
		if m {
			contIdx = append(contIdx, i)
		}
	}
	cur := start
	for round := 0; round < 20; round++ {
		improved := false
		if len(contIdx) > 0 {
			if s, ok := a.gradientStep(g, acq, cur, contIdx, score); ok && s.val > cur.val+1e-12*math.Abs(cur.val) {
				cur, improved = s, true
			}
		}
		if len(contIdx) < sp.dim {
			bestN := cur
			for _, n := range sp.Neighbors(cur.cfg) {
				if s, ok := score(n); ok && s.val > bestN.val {
					bestN = s
				}
			}
			if bestN.val > cur.val {
				cur, improved = bestN, true
			}
		}
		if !improved {
			break
		}
	}
	return cur
}

// gradientStep maximises acq over the float features of cur with the other
// features fixed.
func (a *acqSearch) gradientStep(g *GP, acq Acquisition, cur scored, contIdx []int, score func(Config) (scored, bool)) (scored, bool) {
	full := append([]float64(nil), cur.feat...)
	gradFull := make([]float64, len(full))
	x0 := make([]float64, len(contIdx))
	lo := make([]float64, len(contIdx))
	hi := make([]float64, len(contIdx))
	for k, i := range contIdx {
		x0[k] = full[i]
		hi[k] = 1
	}
	obj := func(x, grad []float64) (float64, error) {
		for k, i := range contIdx {
			full[i] = x[k]
		}
		v := acq.Value(g, full, gradFull)
		for k, i := range contIdx {
			grad[k] = -gradFull[i]
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, errNoStart
		}
		return -v, nil
	}
	x, _, err := minimizeBox(obj, x0, lo, hi, minimizeOptions{maxIter: 40, gradTol: 1e-7})
	if err != nil {
		return scored{}, false
	}
	for k, i := range contIdx {
		full[i] = x[k]
	}
	return score(a.space.Decode(full))
}
