package optim

import "math"

// Schedule is a learning rate that rises linearly over Warmup steps, then
// follows a half cosine from Peak down to Min at step Total.
type Schedule struct {
	Peak, Min     float64
	Warmup, Total int
}

// At is the learning rate of step (0-based).
func (s Schedule) At(step int) float64 {
	if step < s.Warmup {
		return s.Peak * float64(step+1) / float64(s.Warmup)
	}
	if s.Total <= s.Warmup {
		return s.Peak
	}
	frac := math.Min(1, float64(step-s.Warmup)/float64(s.Total-s.Warmup))
	return s.Min + (s.Peak-s.Min)*0.5*(1+math.Cos(math.Pi*frac))
}
