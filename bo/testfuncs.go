package bo

import (
	"fmt"
	"math"
	"slices"
)

// TestFunction is a benchmark objective to be minimised over its space, with
// its known global minimum.
type TestFunction struct {
	Name    string
	Space   *Space
	Eval    func(Config) float64
	Optimum float64 // global minimum value
	// Argmin is one configuration attaining Optimum.
	Argmin Config
}

// TestFunctionNames lists the built-in test functions in benchmark order.
var TestFunctionNames = []string{"branin", "hartmann6", "ackley10", "mixed"}

// NewTestFunction returns a built-in test function by name.
func NewTestFunction(name string) (*TestFunction, error) {
	switch name {
	case "branin":
		return branin(), nil
	case "hartmann6":
		return hartmann6(), nil
	case "ackley10":
		return ackley(10), nil
	case "mixed":
		return mixed(), nil
	}
	return nil, fmt.Errorf("bo: unknown test function %q (have %v)", name, TestFunctionNames)
}

func mustSpace(params ...Param) *Space {
	s, err := NewSpace(params...)
	if err != nil {
		panic(err) // only called with the fixed, valid spaces below
	}
	return s
}

// BraninValue is the Branin–Hoo function on x1 ∈ [−5,10], x2 ∈ [0,15]; its
// minimum 0.397887… is attained at (−π, 12.275), (π, 2.275) and (9.42478, 2.475).
func BraninValue(x1, x2 float64) float64 {
	const a, r, s = 1.0, 6.0, 10.0
	b := 5.1 / (4 * math.Pi * math.Pi)
	c := 5 / math.Pi
	t := 1 / (8 * math.Pi)
	u := x2 - b*x1*x1 + c*x1 - r
	return a*u*u + s*(1-t)*math.Cos(x1) + s
}

func branin() *TestFunction {
	return &TestFunction{
		Name:    "branin",
		Space:   mustSpace(Float("x1", -5, 10, false), Float("x2", 0, 15, false)),
		Eval:    func(c Config) float64 { return BraninValue(c.Float("x1"), c.Float("x2")) },
		Optimum: 0.39788735772973816,
		Argmin:  Config{"x1": math.Pi, "x2": 2.275},
	}
}

var (
	hartmannAlpha = [4]float64{1.0, 1.2, 3.0, 3.2}
	hartmannA     = [4][6]float64{
		{10, 3, 17, 3.5, 1.7, 8},
		{0.05, 10, 17, 0.1, 8, 14},
		{3, 3.5, 1.7, 10, 17, 8},
		{17, 8, 0.05, 10, 0.1, 14},
	}
	hartmannP = [4][6]float64{
		{1312, 1696, 5569, 124, 8283, 5886},
		{2329, 4135, 8307, 3736, 1004, 9991},
		{2348, 1451, 3522, 2883, 3047, 6650},
		{4047, 8828, 8732, 5743, 1091, 381},
	}
)

// Hartmann6Value is the six-dimensional Hartmann function on [0,1]^6; its
// minimum is −3.32237 near (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573).
func Hartmann6Value(x []float64) float64 {
	s := 0.0
	for i := 0; i < 4; i++ {
		e := 0.0
		for j := 0; j < 6; j++ {
			d := x[j] - hartmannP[i][j]*1e-4
			e += hartmannA[i][j] * d * d
		}
		s += hartmannAlpha[i] * math.Exp(-e)
	}
	return -s
}

func hartmann6() *TestFunction {
	params := make([]Param, 6)
	names := make([]string, 6)
	for j := range params {
		names[j] = fmt.Sprintf("x%d", j+1)
		params[j] = Float(names[j], 0, 1, false)
	}
	arg := Config{}
	for j, v := range []float64{0.20168952, 0.15001069, 0.47687398, 0.27533243, 0.31165162, 0.65730054} {
		arg[names[j]] = v
	}
	return &TestFunction{
		Name:  "hartmann6",
		Space: mustSpace(params...),
		Eval: func(c Config) float64 {
			x := make([]float64, 6)
			for j := range x {
				x[j] = c.Float(names[j])
			}
			return Hartmann6Value(x)
		},
		Optimum: -3.322368011415515,
		Argmin:  arg,
	}
}

// AckleyValue is the Ackley function (a = 20, b = 0.2, c = 2π); minimum 0 at 0.
func AckleyValue(x []float64) float64 {
	d := float64(len(x))
	sq, cs := 0.0, 0.0
	for _, v := range x {
		sq += v * v
		cs += math.Cos(2 * math.Pi * v)
	}
	return -20*math.Exp(-0.2*math.Sqrt(sq/d)) - math.Exp(cs/d) + 20 + math.E
}

func ackley(d int) *TestFunction {
	params := make([]Param, d)
	names := make([]string, d)
	arg := Config{}
	for j := range params {
		names[j] = fmt.Sprintf("x%d", j+1)
		params[j] = Float(names[j], -32.768, 32.768, false)
		arg[names[j]] = 0.0
	}
	return &TestFunction{
		Name:  fmt.Sprintf("ackley%d", d),
		Space: mustSpace(params...),
		Eval: func(c Config) float64 {
			x := make([]float64, d)
			for j := range x {
				x[j] = c.Float(names[j])
			}
			return AckleyValue(x)
		},
		Optimum: 0,
		Argmin:  arg,
	}
}

// The mixed test function: 12 flags, an integer k in 1..32 on a log scale and a
// 4-way category. Flags pay a weighted penalty for disagreeing with a target
// pattern plus one pairwise interaction; log2(k) sits in a category-dependent
// quadratic bowl with a category-dependent offset. The unique minimum 0 is the
// target pattern with optimizer "adam" and k = 8 (a brute-force test over all
// 524 288 configurations confirms it).
var (
	mixedTarget  = [12]bool{true, false, true, true, false, false, true, false, true, false, false, true}
	mixedChoices = []string{"adam", "sgd", "lion", "adagrad"}
	mixedCenter  = [4]float64{3, 1.5, 4, 2}        // best log2(k) per category
	mixedCurve   = [4]float64{0.3, 0.2, 0.4, 0.25} // bowl curvature per category
	mixedOffset  = [4]float64{0, 0.5, 0.25, 0.75}  // category penalty
)

// MixedValue evaluates the mixed test function.
func MixedValue(flags []bool, k int, category string) float64 {
	f := 0.0
	for i, b := range flags {
		if b != mixedTarget[i] {
			f += 0.4 + 0.1*float64(i)
		}
	}
	// Interaction: flags 2 and 3 are worth more together than apart.
	if flags[2] != flags[3] {
		f += 0.5
	}
	ci := 0
	for i, c := range mixedChoices {
		if c == category {
			ci = i
		}
	}
	u := math.Log2(float64(k)) - mixedCenter[ci]
	return f + mixedCurve[ci]*u*u + mixedOffset[ci]
}

func mixed() *TestFunction {
	return &TestFunction{
		Name: "mixed",
		Space: mustSpace(
			BoolVector("flags", 12, 0),
			Int("k", 1, 32, true),
			Categorical("optimizer", mixedChoices...),
		),
		Eval: func(c Config) float64 {
			return MixedValue(c.Bools("flags"), c.Int("k"), c.String("optimizer"))
		},
		Optimum: 0,
		Argmin:  Config{"flags": slices.Clone(mixedTarget[:]), "k": 8, "optimizer": "adam"},
	}
}
