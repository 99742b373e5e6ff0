package chart

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

// isNiceStep reports whether step is 1, 2 or 5 times a power of ten.
func isNiceStep(step float64) bool {
	mantissa := step / math.Pow(10, math.Floor(math.Log10(step)+tolerance))
	for _, m := range []float64{1, 2, 5} {
		if math.Abs(mantissa-m) < 1e-6 {
			return true
		}
	}
	return false
}

func TestLinearTicksAreNiceNumbers(t *testing.T) {
	for _, r := range [][2]float64{
		{0.0123, 0.0567}, // gave 0.016, 0.028, 0.04, 0.056 before
		{0, 0.1},
		{0.06, 0.16},
		{-3.7, 12.2},
		{0.3, 0.3}, // one value
		{0, 0},
		{1, 60},
		{1e-5, 3e-5},
		{1234, 98765},
	} {
		lo, hi, step := niceRange(r[0], r[1], false)
		if lo > r[0] || hi < r[1] || !(hi > lo) {
			t.Errorf("range %v widened to [%g, %g], which does not hold it", r, lo, hi)
		}
		if !isNiceStep(step) {
			t.Errorf("range %v: step %g is not 1, 2 or 5 × 10^k", r, step)
		}
		ticks := linearTicks{step}.Ticks(lo, hi)
		if len(ticks) < 3 || len(ticks) > 11 {
			t.Errorf("range %v: %d ticks", r, len(ticks))
		}
		prev := math.Inf(-1)
		for _, tk := range ticks {
			v, err := strconv.ParseFloat(tk.Label, 64)
			if err != nil || math.Abs(v-tk.Value) > step*1e-6 {
				t.Fatalf("range %v: tick at %g labelled %q", r, tk.Value, tk.Label)
			}
			if k := v / step; math.Abs(k-math.Round(k)) > 1e-6 || v <= prev {
				t.Errorf("range %v: label %q is not the next multiple of %g", r, tk.Label, step)
			}
			// No rounding noise: no more decimals than the step has.
			if _, frac, ok := strings.Cut(tk.Label, "."); ok && float64(len(frac)) > -math.Floor(math.Log10(step)+tolerance) {
				t.Errorf("range %v: label %q has more decimals than step %g", r, tk.Label, step)
			}
			prev = v
		}
	}
}

func TestIntegerTicksAreWhole(t *testing.T) {
	lo, hi, step := niceRange(0, 3, true)
	if step != 1 {
		t.Fatalf("step %g over [0, 3] of whole numbers", step)
	}
	for _, tk := range (linearTicks{step}).Ticks(lo, hi) {
		if tk.Label != strconv.Itoa(int(tk.Value)) {
			t.Errorf("tick %q on a whole-number axis", tk.Label)
		}
	}
}

func TestDecadeTicks(t *testing.T) {
	for _, r := range [][2]float64{{1e-8, 1e3}, {1, 10}, {0.01, 1}, {1e-3, 1e2}} {
		lo, hi := decadeRange(r[0]*1.5, r[1]*0.9)
		if lo != r[0] || hi != r[1] {
			t.Errorf("decadeRange of %v gave [%g, %g]", r, lo, hi)
		}
		labelled := 0
		for _, tk := range (decadeTicks{}).Ticks(lo, hi) {
			if tk.Label == "" {
				continue
			}
			labelled++
			v, err := strconv.ParseFloat(tk.Label, 64)
			if err != nil || math.Abs(v-tk.Value) > tk.Value*1e-9 || !isNiceStep(v) {
				t.Errorf("range %v: tick at %g labelled %q", r, tk.Value, tk.Label)
			}
		}
		if labelled < 2 || labelled > 9 {
			t.Errorf("range %v: %d labelled ticks", r, labelled)
		}
	}
}
