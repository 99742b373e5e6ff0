package lora

import (
	"math"
	"testing"
)

// TestUseHalvesCloseToF32: an adapter reading its factors in halves gives
// logits within half precision's rounding of the float32 adapter's
// (relative to what the adapter changes), not the same ones (the halves
// were read), and generation with it still allocates nothing.
func TestUseHalvesCloseToF32(t *testing.T) {
	m := defaultModel(t)
	a := randomSet(t, m).Fold()
	base := logitsWith(t, m, prompt)
	want := logitsWith(t, m, prompt, a)
	a.UseHalves()
	a.UseHalves() // twice is once
	got := logitsWith(t, m, prompt, a)
	var diff, effect float64
	for i := range want {
		diff = math.Max(diff, math.Abs(float64(got[i]-want[i])))
		effect = math.Max(effect, math.Abs(float64(want[i]-base[i])))
	}
	t.Logf("halves move the logits by %.2e; the adapter moves them by %.2f", diff, effect)
	if diff == 0 || diff > 4e-3*effect {
		t.Fatalf("halves move the logits by %g, against the adapter's %g", diff, effect)
	}

	noAllocsPerToken(t, m, a)
}
