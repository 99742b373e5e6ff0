package chart

import (
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// targetTicks is about how many labelled ticks a linear axis gets.
const targetTicks = 5

// tolerance absorbs the rounding in dividing by a step such as 0.1.
const tolerance = 1e-9

// niceStep is the smallest of 1, 2 or 5 times a power of ten that is at
// least raw.
func niceStep(raw float64) float64 {
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5} {
		if m*mag >= raw*(1-tolerance) {
			return m * mag
		}
	}
	return 10 * mag
}

// niceRange widens [lo, hi] to whole multiples of a nice step, about
// targetTicks of them; a step of at least one when integer is set. An empty
// range is widened around its value first.
func niceRange(lo, hi float64, integer bool) (min, max, step float64) {
	if !(hi > lo) {
		half := math.Abs(lo) / 2
		if half == 0 {
			half = 0.5
		}
		v := lo
		lo, hi = lo-half, hi+half
		if v >= 0 {
			lo = math.Max(lo, 0) // non-negative data keeps a non-negative axis
		}
	}
	step = niceStep((hi - lo) / targetTicks)
	if integer {
		step = math.Max(step, 1)
	}
	min = math.Min(lo, math.Floor(lo/step+tolerance)*step) // k·step may round inwards
	max = math.Max(hi, math.Ceil(hi/step-tolerance)*step)
	return min, max, step
}

// linearTicks labels the multiples of step with as many decimals as step
// needs, so labels read 0.05, 0.1, 0.15 rather than 0.016, 0.056.
type linearTicks struct{ step float64 }

func (t linearTicks) Ticks(lo, hi float64) []plot.Tick {
	decimals := max(0, int(-math.Floor(math.Log10(t.step)+tolerance)))
	var ticks []plot.Tick
	for k := math.Ceil(lo/t.step - tolerance); k <= math.Floor(hi/t.step+tolerance); k++ {
		v := k * t.step
		label := strconv.FormatFloat(v, 'f', decimals, 64)
		if k == 0 {
			label = "0" // not "-0"
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: label})
	}
	return ticks
}

// decadeRange widens [lo, hi], both positive, to whole powers of ten.
func decadeRange(lo, hi float64) (min, max float64) {
	a, b := math.Floor(math.Log10(lo)+tolerance), math.Ceil(math.Log10(hi)-tolerance)
	if b <= a {
		b = a + 1
	}
	return math.Pow(10, a), math.Pow(10, b)
}

// decadeTicks marks the powers of ten on a logarithmic axis, labelling
// every one when there are few and every second or third when many; across
// at most two decades 2 and 5 times each are labelled too, and across at
// most four the other multiples get unlabelled ticks.
type decadeTicks struct{}

func (decadeTicks) Ticks(lo, hi float64) []plot.Tick {
	a, b := math.Floor(math.Log10(lo)+tolerance), math.Ceil(math.Log10(hi)-tolerance)
	every := math.Max(1, math.Ceil((b-a)/(targetTicks+1)))
	var ticks []plot.Tick
	for d := a; d <= b; d++ {
		for m := 1; m <= 9; m++ {
			v := float64(m) * math.Pow(10, d)
			if v < lo*(1-tolerance) || v > hi*(1+tolerance) {
				continue
			}
			t := plot.Tick{Value: v}
			switch {
			case m == 1 && math.Mod(d, every) == 0, b-a <= 2 && (m == 2 || m == 5):
				t.Label = logLabel(m, int(d))
			case m > 1 && b-a > 4:
				continue
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// logLabel writes m×10^d plainly near 1 (0.002, 50) and as 2e-5 further out.
func logLabel(m, d int) string {
	if d >= -3 && d <= 3 {
		return strconv.FormatFloat(float64(m)*math.Pow(10, float64(d)), 'f', -1, 64)
	}
	return fmt.Sprintf("%de%d", m, d)
}
