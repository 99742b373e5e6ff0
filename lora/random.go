package lora

import (
	"math/rand/v2"

	"github.com/milp-lite/milp-lite/nn"
)

// Random is an adapter placed as cfg says with random factors: A as New
// draws it, B normal with standard deviation scale. Its cost in a forward
// pass is a trained adapter's, so benchmarks and tests of serving use it.
func Random(m *nn.Model, cfg Config, scale float64, rng *rand.Rand) (*Adapter, error) {
	set, err := New(m, cfg, rng)
	if err != nil {
		return nil, err
	}
	for _, sm := range set.Sites {
		for _, mod := range sm.Modules {
			for i := range mod.B {
				mod.B[i] = float32(rng.NormFloat64() * scale)
			}
		}
	}
	return set.Fold(), nil
}
