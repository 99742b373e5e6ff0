package optim

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAdamWHandComputed: two steps on one weight, worked out by hand.
//
// θ0 = 1, g = 0.5 then −0.25, lr 0.1, wd 0.01, β1 0.9, β2 0.999, ε 1e-8.
// Step 1: m = 0.05, v = 0.00025; m̂ = 0.5, v̂ = 0.25 → m̂/√v̂ = 1;
//
//	θ1 = 1 − 0.1·(1 + 0.01·1) = 0.899.
//
// Step 2: m = 0.045 − 0.025 = 0.02, v = 0.00024975 + 0.0000625 = 0.00031225;
//
//	m̂ = 0.02/0.19 = 0.105263…, v̂ = 0.00031225/0.001999 = 0.156203…;
//	√v̂ = 0.395226…, m̂/√v̂ = 0.266337…;
//	θ2 = 0.899 − 0.1·(0.266337 + 0.01·0.899) = 0.8714673…
func TestAdamWHandComputed(t *testing.T) {
	p := []Param{{Name: "w", Value: []float32{1}, Grad: []float32{0.5}}}
	o := NewAdamW(p, 0.01)
	require.NoError(t, o.Update(p, 0.1))
	require.InDelta(t, 0.899, p[0].Value[0], 1e-6, "after step 1")
	p[0].Grad[0] = -0.25
	require.NoError(t, o.Update(p, 0.1))
	mh := 0.02 / 0.19
	vh := 0.00031225 / (1 - 0.999*0.999)
	want := 0.899 - 0.1*(mh/(math.Sqrt(vh)+1e-8)+0.01*0.899)
	require.InDelta(t, 0.8714673, want, 1e-6, "the hand value against the formula's")
	assert.InDelta(t, want, p[0].Value[0], 1e-6, "after step 2")
}

// TestAdamWZeroGradDecays: with no gradient only the decoupled decay acts.
func TestAdamWZeroGradDecays(t *testing.T) {
	p := []Param{{Name: "w", Value: []float32{2, -4}, Grad: []float32{0, 0}}}
	o := NewAdamW(p, 0.1)
	require.NoError(t, o.Update(p, 0.5))
	assert.Equal(t, []float32{2 - 0.5*0.1*2, -4 + 0.5*0.1*4}, p[0].Value, "decay only")
}

func TestAdamWRejectsOtherParams(t *testing.T) {
	o := NewAdamW([]Param{{Value: make([]float32, 2), Grad: make([]float32, 2)}}, 0)
	assert.Error(t, o.Update(nil, 0.1), "no error for a different parameter list")
}

func TestScheduleWarmupCosine(t *testing.T) {
	s := Schedule{Peak: 1, Min: 0.1, Warmup: 4, Total: 14}
	cases := map[int]float64{0: 0.25, 3: 1, 4: 1, 9: 0.55, 14: 0.1, 20: 0.1}
	for step, want := range cases {
		assert.InDelta(t, want, s.At(step), 1e-12, "step %d", step)
	}
}

func TestClipGradNorm(t *testing.T) {
	p := []Param{{Grad: []float32{3, 0}}, {Grad: []float32{4}}}
	require.Equal(t, 5.0, ClipGradNorm(p, 1), "norm before clipping")
	assert.InDelta(t, 1, GradNorm(p), 1e-6, "norm after clipping")
	assert.InDeltaSlice(t, []float32{0.6, 0}, p[0].Grad, 1e-6, "after clipping")
	assert.InDeltaSlice(t, []float32{0.8}, p[1].Grad, 1e-6, "after clipping")
	ClipGradNorm(p, 10) // under the limit: unchanged
	assert.InDelta(t, 1, GradNorm(p), 1e-6, "clipping changed gradients under the limit")
}
