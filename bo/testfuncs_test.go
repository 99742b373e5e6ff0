package bo

import (
	"math"
	"testing"
)

func TestTestFunctionOptima(t *testing.T) {
	for _, name := range TestFunctionNames {
		f, err := NewTestFunction(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Space.Validate(f.Argmin); err != nil {
			t.Fatalf("%s: argmin invalid: %v", name, err)
		}
		assertClose(t, name+" at its argmin", f.Eval(f.Argmin), f.Optimum, 1e-6)
	}
	// All three Branin minimisers.
	for _, p := range [][2]float64{{-math.Pi, 12.275}, {math.Pi, 2.275}, {9.42478, 2.475}} {
		assertClose(t, "branin", BraninValue(p[0], p[1]), 0.397887, 1e-6)
	}
	assertClose(t, "hartmann6 at origin", Hartmann6Value(make([]float64, 6)), -0.00166, 0.01)
	assertClose(t, "ackley at (1,…,1)", AckleyValue([]float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}), 3.6253849384, 1e-9)
	if _, err := NewTestFunction("rosenbrock"); err == nil {
		t.Fatal("unknown function accepted")
	}
}

// The stated optimum of the mixed function is checked by brute force over all
// 2^12 · 32 · 4 configurations.
func TestMixedOptimumByBruteForce(t *testing.T) {
	best, count := math.Inf(1), 0
	var arg struct {
		flags uint
		k     int
		c     string
	}
	flags := make([]bool, 12)
	for m := uint(0); m < 1<<12; m++ {
		for i := range flags {
			flags[i] = m>>i&1 == 1
		}
		for k := 1; k <= 32; k++ {
			for _, c := range mixedChoices {
				v := MixedValue(flags, k, c)
				if v < best-1e-12 {
					best, count = v, 1
					arg.flags, arg.k, arg.c = m, k, c
				} else if math.Abs(v-best) <= 1e-12 {
					count++
				}
			}
		}
	}
	if best != 0 || count != 1 || arg.k != 8 || arg.c != "adam" {
		t.Fatalf("brute-force minimum %g (×%d) at k=%d %s", best, count, arg.k, arg.c)
	}
	for i, want := range mixedTarget {
		if (arg.flags>>i&1 == 1) != want {
			t.Fatalf("brute-force flags differ at %d", i)
		}
	}
}
