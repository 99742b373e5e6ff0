package bo

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
)

// Kind is the type of a search-space parameter.
type Kind int

const (
	// KindFloat is a real number in [Lo, Hi], on a linear or log scale.
	KindFloat Kind = iota
	// KindInt is an integer in [Lo, Hi], on a linear or log scale.
	KindInt
	// KindCategorical is one of Choices, one-hot encoded.
	KindCategorical
	// KindBoolVector is N flags (such as "inject into layer i") with at least
	// MinTrue of them set.
	KindBoolVector
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case KindFloat:
		return "float"
	case KindInt:
		return "int"
	case KindCategorical:
		return "categorical"
	case KindBoolVector:
		return "boolvector"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// MarshalText writes the kind's name, so journals stay readable.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText parses a kind name.
func (k *Kind) UnmarshalText(b []byte) error {
	for _, c := range []Kind{KindFloat, KindInt, KindCategorical, KindBoolVector} {
		if c.String() == string(b) {
			*k = c
			return nil
		}
	}
	return fmt.Errorf("bo: unknown parameter kind %q", b)
}

// Param is one dimension of a search space. Build it with Float, Int,
// Categorical or BoolVector.
type Param struct {
	Name    string   `json:"name"`
	Kind    Kind     `json:"kind"`
	Lo      float64  `json:"lo,omitempty"`       // KindFloat, KindInt
	Hi      float64  `json:"hi,omitempty"`       // KindFloat, KindInt
	Log     bool     `json:"log,omitempty"`      // KindFloat, KindInt: search on a log scale
	Choices []string `json:"choices,omitempty"`  // KindCategorical
	N       int      `json:"n,omitempty"`        // KindBoolVector: number of flags
	MinTrue int      `json:"min_true,omitempty"` // KindBoolVector: constraint "at least MinTrue set"
}

// Float is a real parameter in [lo, hi]; log searches on a log scale (lo > 0).
func Float(name string, lo, hi float64, log bool) Param {
	return Param{Name: name, Kind: KindFloat, Lo: lo, Hi: hi, Log: log}
}

// Int is an integer parameter in [lo, hi]; log searches on a log scale (lo ≥ 1).
func Int(name string, lo, hi int, log bool) Param {
	return Param{Name: name, Kind: KindInt, Lo: float64(lo), Hi: float64(hi), Log: log}
}

// Categorical is a choice among named options.
func Categorical(name string, choices ...string) Param {
	return Param{Name: name, Kind: KindCategorical, Choices: slices.Clone(choices)}
}

// BoolVector is n flags of which at least minTrue must be set.
func BoolVector(name string, n, minTrue int) Param {
	return Param{Name: name, Kind: KindBoolVector, N: n, MinTrue: minTrue}
}

// width is the number of unit-cube features the parameter encodes to.
func (p *Param) width() int {
	switch p.Kind {
	case KindCategorical:
		return len(p.Choices)
	case KindBoolVector:
		return p.N
	}
	return 1
}

// designWidth is the number of coordinates the parameter takes in the initial
// design cube: one per scalar, one for a categorical, one per flag.
func (p *Param) designWidth() int {
	if p.Kind == KindBoolVector {
		return p.N
	}
	return 1
}

func (p *Param) validate() error {
	if p.Name == "" {
		return errors.New("bo: parameter with an empty name")
	}
	switch p.Kind {
	case KindFloat, KindInt:
		if math.IsNaN(p.Lo) || math.IsNaN(p.Hi) || math.IsInf(p.Lo, 0) || math.IsInf(p.Hi, 0) || !(p.Lo <= p.Hi) {
			return fmt.Errorf("bo: parameter %q: bad range [%g, %g]", p.Name, p.Lo, p.Hi)
		}
		if p.Kind == KindInt && (p.Lo != math.Trunc(p.Lo) || p.Hi != math.Trunc(p.Hi)) {
			return fmt.Errorf("bo: parameter %q: integer range [%g, %g] is not integral", p.Name, p.Lo, p.Hi)
		}
		if p.Log && !(p.Lo > 0) {
			return fmt.Errorf("bo: parameter %q: log scale needs a positive lower bound, got %g", p.Name, p.Lo)
		}
	case KindCategorical:
		if len(p.Choices) == 0 {
			return fmt.Errorf("bo: parameter %q: no choices", p.Name)
		}
		seen := map[string]bool{}
		for _, c := range p.Choices {
			if seen[c] {
				return fmt.Errorf("bo: parameter %q: duplicate choice %q", p.Name, c)
			}
			seen[c] = true
		}
	case KindBoolVector:
		if p.N <= 0 || p.MinTrue < 0 || p.MinTrue > p.N {
			return fmt.Errorf("bo: parameter %q: bad bool vector (n=%d, at least %d set)", p.Name, p.N, p.MinTrue)
		}
	default:
		return fmt.Errorf("bo: parameter %q: unknown kind %d", p.Name, int(p.Kind))
	}
	return nil
}

// toUnit maps a Float/Int value to [0,1].
func (p *Param) toUnit(v float64) float64 {
	if p.Hi == p.Lo {
		return 0.5
	}
	if p.Log {
		return (math.Log(v) - math.Log(p.Lo)) / (math.Log(p.Hi) - math.Log(p.Lo))
	}
	return (v - p.Lo) / (p.Hi - p.Lo)
}

// fromUnit maps [0,1] to a Float/Int value (rounded and clamped for Int).
func (p *Param) fromUnit(u float64) float64 {
	u = clamp(u, 0, 1)
	var v float64
	if p.Log {
		v = math.Exp(math.Log(p.Lo) + u*(math.Log(p.Hi)-math.Log(p.Lo)))
	} else {
		v = p.Lo + u*(p.Hi-p.Lo)
	}
	if p.Kind == KindInt {
		v = math.Round(v)
	}
	return clamp(v, p.Lo, p.Hi)
}

// Constraint is an extra feasibility rule on whole configurations.
type Constraint struct {
	Name string
	OK   func(Config) bool
}

// Space is a mixed search space with a unit-cube feature encoding: floats and
// integers take one feature each (scaled linearly or logarithmically),
// categoricals one-hot, bool vectors one feature per flag.
type Space struct {
	params      []Param
	offsets     []int
	dim         int
	designDim   int
	constraints []Constraint
}

// NewSpace validates the parameters and builds a space.
func NewSpace(params ...Param) (*Space, error) {
	if len(params) == 0 {
		return nil, errors.New("bo: a search space needs at least one parameter")
	}
	s := &Space{}
	names := map[string]bool{}
	for _, p := range params {
		if err := p.validate(); err != nil {
			return nil, err
		}
		if names[p.Name] {
			return nil, fmt.Errorf("bo: duplicate parameter name %q", p.Name)
		}
		names[p.Name] = true
		p.Choices = slices.Clone(p.Choices)
		s.params = append(s.params, p)
		s.offsets = append(s.offsets, s.dim)
		s.dim += p.width()
		s.designDim += p.designWidth()
	}
	return s, nil
}

// AddConstraint adds a feasibility rule; sampling, neighbour moves and the
// acquisition search only return configurations that satisfy every rule.
func (s *Space) AddConstraint(name string, ok func(Config) bool) {
	s.constraints = append(s.constraints, Constraint{Name: name, OK: ok})
}

// Params returns the parameters (a copy).
func (s *Space) Params() []Param { return slices.Clone(s.params) }

// Dim is the number of unit-cube features.
func (s *Space) Dim() int { return s.dim }

// DesignDim is the dimension of the initial-design cube (see FromDesign).
func (s *Space) DesignDim() int { return s.designDim }

// continuousMask marks the features that local search moves by gradient steps
// (those of Float parameters).
func (s *Space) continuousMask() []bool {
	m := make([]bool, s.dim)
	for i, p := range s.params {
		if p.Kind == KindFloat {
			m[s.offsets[i]] = true
		}
	}
	return m
}

// Validate reports whether c assigns every parameter a legal value and meets
// every constraint.
func (s *Space) Validate(c Config) error {
	for _, p := range s.params {
		v, ok := c[p.Name]
		if !ok {
			return fmt.Errorf("bo: configuration lacks parameter %q", p.Name)
		}
		switch p.Kind {
		case KindFloat:
			f, ok := v.(float64)
			if !ok || !(f >= p.Lo && f <= p.Hi) {
				return fmt.Errorf("bo: parameter %q: %v is not a float in [%g, %g]", p.Name, v, p.Lo, p.Hi)
			}
		case KindInt:
			n, ok := v.(int)
			if !ok || float64(n) < p.Lo || float64(n) > p.Hi {
				return fmt.Errorf("bo: parameter %q: %v is not an int in [%g, %g]", p.Name, v, p.Lo, p.Hi)
			}
		case KindCategorical:
			str, ok := v.(string)
			if !ok || !slices.Contains(p.Choices, str) {
				return fmt.Errorf("bo: parameter %q: %v is not one of %q", p.Name, v, p.Choices)
			}
		case KindBoolVector:
			b, ok := v.([]bool)
			if !ok || len(b) != p.N {
				return fmt.Errorf("bo: parameter %q: %v is not %d flags", p.Name, v, p.N)
			}
			if countTrue(b) < p.MinTrue {
				return fmt.Errorf("bo: parameter %q: %d flags set, need at least %d", p.Name, countTrue(b), p.MinTrue)
			}
		}
	}
	for _, con := range s.constraints {
		if !con.OK(c) {
			return fmt.Errorf("bo: constraint %q violated", con.Name)
		}
	}
	return nil
}

// Encode maps a configuration to its unit-cube features.
func (s *Space) Encode(c Config) ([]float64, error) {
	f := make([]float64, s.dim)
	for i, p := range s.params {
		off := s.offsets[i]
		v, ok := c[p.Name]
		if !ok {
			return nil, fmt.Errorf("bo: Encode: configuration lacks parameter %q", p.Name)
		}
		switch p.Kind {
		case KindFloat:
			x, ok := v.(float64)
			if !ok {
				return nil, fmt.Errorf("bo: Encode: parameter %q: %v is not a float", p.Name, v)
			}
			f[off] = p.toUnit(x)
		case KindInt:
			x, ok := v.(int)
			if !ok {
				return nil, fmt.Errorf("bo: Encode: parameter %q: %v is not an int", p.Name, v)
			}
			f[off] = p.toUnit(float64(x))
		case KindCategorical:
			str, _ := v.(string)
			k := slices.Index(p.Choices, str)
			if k < 0 {
				return nil, fmt.Errorf("bo: Encode: parameter %q: %v is not a choice", p.Name, v)
			}
			f[off+k] = 1
		case KindBoolVector:
			b, ok := v.([]bool)
			if !ok || len(b) != p.N {
				return nil, fmt.Errorf("bo: Encode: parameter %q: %v is not %d flags", p.Name, v, p.N)
			}
			for j, on := range b {
				if on {
					f[off+j] = 1
				}
			}
		}
	}
	return f, nil
}

// Decode maps unit-cube features to the nearest legal configuration: floats
// clamp, integers round, a categorical takes its largest feature, flags are set
// above ½, and a bool vector short of MinTrue is repaired by also setting its
// largest remaining features. Extra constraints are not enforced here.
func (s *Space) Decode(f []float64) Config {
	c := make(Config, len(s.params))
	for i, p := range s.params {
		off := s.offsets[i]
		switch p.Kind {
		case KindFloat:
			c[p.Name] = p.fromUnit(f[off])
		case KindInt:
			c[p.Name] = int(p.fromUnit(f[off]))
		case KindCategorical:
			best := 0
			for k := range p.Choices {
				if f[off+k] > f[off+best] {
					best = k
				}
			}
			c[p.Name] = p.Choices[best]
		case KindBoolVector:
			feat := f[off : off+p.N]
			b := make([]bool, p.N)
			for j, v := range feat {
				b[j] = v > 0.5
			}
			repairBools(b, p.MinTrue, feat)
			c[p.Name] = b
		}
	}
	return c
}

// repairBools sets the highest-scoring unset flags until minTrue are set.
func repairBools(b []bool, minTrue int, score []float64) {
	need := minTrue - countTrue(b)
	if need <= 0 {
		return
	}
	idx := make([]int, 0, len(b))
	for j, on := range b {
		if !on {
			idx = append(idx, j)
		}
	}
	sort.SliceStable(idx, func(a, c int) bool { return score[idx[a]] > score[idx[c]] })
	for _, j := range idx[:need] {
		b[j] = true
	}
}

// Repair returns c with every bool vector brought up to its MinTrue by setting
// randomly chosen flags (the "at least one layer" rule). Other values are kept.
func (s *Space) Repair(c Config, rng *rand.Rand) Config {
	out := c.Clone()
	for _, p := range s.params {
		if p.Kind != KindBoolVector {
			continue
		}
		b, ok := out[p.Name].([]bool)
		if !ok || len(b) != p.N {
			continue
		}
		score := make([]float64, p.N)
		for j := range score {
			score[j] = rng.Float64()
		}
		repairBools(b, p.MinTrue, score)
	}
	return out
}

// FromDesign maps a point of the design cube [0,1)^DesignDim (for example a
// Sobol point) to a configuration: one coordinate per float, int or
// categorical, one per flag. Bool vectors short of MinTrue are repaired by
// setting the flags whose coordinates are largest.
func (s *Space) FromDesign(u []float64) Config {
	c := make(Config, len(s.params))
	k := 0
	for _, p := range s.params {
		switch p.Kind {
		case KindFloat:
			c[p.Name] = p.fromUnit(u[k])
		case KindInt:
			// Equal-probability integer cells, so the design stratifies values.
			c[p.Name] = int(intCell(&p, u[k]))
		case KindCategorical:
			c[p.Name] = p.Choices[min(int(u[k]*float64(len(p.Choices))), len(p.Choices)-1)]
		case KindBoolVector:
			b := make([]bool, p.N)
			for j := range b {
				b[j] = u[k+j] >= 0.5
			}
			repairBools(b, p.MinTrue, u[k:k+p.N])
			c[p.Name] = b
		}
		k += p.designWidth()
	}
	return c
}

// intCell maps u ∈ [0,1) to an integer, each cell of the scale having the same
// width in the (linear or log) search coordinate.
func intCell(p *Param, u float64) float64 {
	lo, hi := p.Lo-0.5, p.Hi+0.5
	var v float64
	if p.Log {
		lo, hi = math.Max(p.Lo-0.5, p.Lo*0.5), p.Hi+0.5
		v = math.Exp(math.Log(lo) + u*(math.Log(hi)-math.Log(lo)))
	} else {
		v = lo + u*(hi-lo)
	}
	return clamp(math.Round(v), p.Lo, p.Hi)
}

// Sample draws a uniformly random legal configuration (in the search
// coordinates: log-uniform for log-scale parameters). Extra constraints are met
// by rejection; after 10 000 rejections it reports an error.
func (s *Space) Sample(rng *rand.Rand) (Config, error) {
	u := make([]float64, s.designDim)
	for try := 0; try < 10000; try++ {
		for i := range u {
			u[i] = rng.Float64()
		}
		c := s.FromDesign(u)
		// Bool vectors: flags uniform subject to MinTrue (repair picks random flags).
		if s.feasible(c) {
			return c, nil
		}
	}
	return nil, errors.New("bo: Sample: no configuration met the constraints in 10000 draws")
}

// feasible checks the extra constraints (the built-in ones hold by construction).
func (s *Space) feasible(c Config) bool {
	for _, con := range s.constraints {
		if !con.OK(c) {
			return false
		}
	}
	return true
}

// Neighbors lists the legal configurations one move away from c: flip one flag
// (keeping MinTrue), step an integer up or down by one and by a larger stride,
// switch a categorical to each other choice, and nudge a float by ±5% of its
// search range. Moves that break a constraint are left out.
func (s *Space) Neighbors(c Config) []Config {
	var out []Config
	add := func(n Config) {
		if s.feasible(n) {
			out = append(out, n)
		}
	}
	for _, p := range s.params {
		switch p.Kind {
		case KindFloat:
			v := c[p.Name].(float64)
			for _, du := range []float64{-0.05, 0.05} {
				nv := p.fromUnit(p.toUnit(v) + du)
				if nv != v {
					n := c.Clone()
					n[p.Name] = nv
					add(n)
				}
			}
		case KindInt:
			v := c[p.Name].(int)
			seen := map[int]bool{v: true}
			for _, nv := range intSteps(&p, v) {
				if float64(nv) < p.Lo || float64(nv) > p.Hi || seen[nv] {
					continue
				}
				seen[nv] = true
				n := c.Clone()
				n[p.Name] = nv
				add(n)
			}
		case KindCategorical:
			v := c[p.Name].(string)
			for _, ch := range p.Choices {
				if ch != v {
					n := c.Clone()
					n[p.Name] = ch
					add(n)
				}
			}
		case KindBoolVector:
			b := c[p.Name].([]bool)
			set := countTrue(b)
			for j := range b {
				if b[j] && set-1 < p.MinTrue {
					continue
				}
				n := c.Clone()
				nb := n[p.Name].([]bool)
				nb[j] = !nb[j]
				add(n)
			}
		}
	}
	return out
}

// intSteps proposes integer moves: ±1 and a stride of about an eighth of the
// range (a doubling/halving on a log scale).
func intSteps(p *Param, v int) []int {
	if p.Log {
		return []int{v - 1, v + 1, int(math.Round(float64(v) / 2)), v * 2}
	}
	stride := max(2, int((p.Hi-p.Lo)/8))
	return []int{v - 1, v + 1, v - stride, v + stride}
}

func countTrue(b []bool) int {
	n := 0
	for _, v := range b {
		if v {
			n++
		}
	}
	return n
}
