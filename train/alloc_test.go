package train

import (
	"math/rand/v2"
	"testing"
)

// TestStepAllocatesNothing: once its buffers exist, a decoder's forward and
// backward pass over a sequence longer than one attention block allocates
// nothing (the hot loop of every fit).
func TestStepAllocatesNothing(t *testing.T) {
	m := defaultModel(t)
	set := allSitesSet(t, m, 3)
	const n = 130
	dec, err := NewDecoder(m, set, n)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(4, 4))
	in, targets, weights := make([]int32, n), make([]int32, n), make([]float32, n)
	for i := range in {
		in[i], targets[i], weights[i] = int32(rng.IntN(m.Config.VocabSize)), int32(rng.IntN(m.Config.VocabSize)), 1
	}
	step := func() {
		if _, err := dec.Forward(in, targets, weights, nil); err != nil {
			t.Fatal(err)
		}
		dec.Backward()
	}
	step() // grow the kernels' packing buffers
	if allocs := testing.AllocsPerRun(5, step); allocs != 0 {
		t.Fatalf("a training step allocates %v times", allocs)
	}
}
