package optim

import (
	"math"
	"testing"
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
	if err := o.Update(p, 0.1); err != nil {
		t.Fatal(err)
	}
	if math.Abs(float64(p[0].Value[0])-0.899) > 1e-6 {
		t.Fatalf("after step 1: %v, want 0.899", p[0].Value[0])
	}
	p[0].Grad[0] = -0.25
	if err := o.Update(p, 0.1); err != nil {
		t.Fatal(err)
	}
	mh := 0.02 / 0.19
	vh := 0.00031225 / (1 - 0.999*0.999)
	want := 0.899 - 0.1*(mh/(math.Sqrt(vh)+1e-8)+0.01*0.899)
	if math.Abs(want-0.8714673) > 1e-6 {
		t.Fatalf("hand value %v disagrees with the formula's %v", 0.8714673, want)
	}
	if math.Abs(float64(p[0].Value[0])-want) > 1e-6 {
		t.Fatalf("after step 2: %v, want %v", p[0].Value[0], want)
	}
}

// TestAdamWZeroGradDecays: with no gradient only the decoupled decay acts.
func TestAdamWZeroGradDecays(t *testing.T) {
	p := []Param{{Name: "w", Value: []float32{2, -4}, Grad: []float32{0, 0}}}
	o := NewAdamW(p, 0.1)
	o.Update(p, 0.5)
	if p[0].Value[0] != 2-0.5*0.1*2 || p[0].Value[1] != -4+0.5*0.1*4 {
		t.Fatalf("decay only: %v", p[0].Value)
	}
}

func TestAdamWRejectsOtherParams(t *testing.T) {
	o := NewAdamW([]Param{{Value: make([]float32, 2), Grad: make([]float32, 2)}}, 0)
	if err := o.Update(nil, 0.1); err == nil {
		t.Fatal("no error for a different parameter list")
	}
}

func TestScheduleWarmupCosine(t *testing.T) {
	s := Schedule{Peak: 1, Min: 0.1, Warmup: 4, Total: 14}
	cases := map[int]float64{0: 0.25, 3: 1, 4: 1, 9: 0.55, 14: 0.1, 20: 0.1}
	for step, want := range cases {
		if got := s.At(step); math.Abs(got-want) > 1e-12 {
			t.Errorf("step %d: %v, want %v", step, got, want)
		}
	}
}

func TestClipGradNorm(t *testing.T) {
	p := []Param{{Grad: []float32{3, 0}}, {Grad: []float32{4}}}
	if n := ClipGradNorm(p, 1); n != 5 {
		t.Fatalf("norm %v, want 5", n)
	}
	if math.Abs(GradNorm(p)-1) > 1e-6 || math.Abs(float64(p[0].Grad[0])-0.6) > 1e-6 {
		t.Fatalf("after clipping: %v %v", p[0].Grad, p[1].Grad)
	}
	ClipGradNorm(p, 10) // under the limit: unchanged
	if math.Abs(GradNorm(p)-1) > 1e-6 {
		t.Fatal("clipping changed gradients under the limit")
	}
}
