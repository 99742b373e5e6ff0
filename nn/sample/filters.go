package sample

import (
	"math"
	"slices"
)

// better reports whether a ranks above b: higher logit, then lower id, so
// every ordering in this package is deterministic.
func better(a, b candidate) bool {
	return a.logit > b.logit || (a.logit == b.logit && a.id < b.id)
}

// compareDescending orders candidates best first for slices.SortFunc. It is a
// top-level function (not a closure) so sorting does not allocate.
func compareDescending(a, b candidate) int {
	switch {
	case better(a, b):
		return -1
	case better(b, a):
		return 1
	}
	return 0
}

func sortDescending(c []candidate) { slices.SortFunc(c, compareDescending) }

// topK keeps the k best candidates, returned sorted best first. It selects
// with a size-k min-heap (worst at the root) in O(n log k) and sorts only the
// k survivors, instead of sorting the whole vocabulary.
func topK(c []candidate, k int) []candidate {
	h := c[:k]
	for i := k/2 - 1; i >= 0; i-- {
		siftDown(h, i)
	}
	for _, x := range c[k:] {
		if better(x, h[0]) {
			h[0] = x
			siftDown(h, 0)
		}
	}
	sortDescending(h)
	return h
}

// siftDown restores the min-heap (by "better") below index i.
func siftDown(h []candidate, i int) {
	for {
		worst := i
		l, r := 2*i+1, 2*i+2
		if l < len(h) && better(h[worst], h[l]) {
			worst = l
		}
		if r < len(h) && better(h[worst], h[r]) {
			worst = r
		}
		if worst == i {
			return
		}
		h[i], h[worst] = h[worst], h[i]
		i = worst
	}
}

// Top-p on an unsorted set buckets candidates by distance below the best
// logit instead of sorting the whole vocabulary: nucleusBuckets buckets of
// width 1/nucleusBucketScale logit, the last one catching everything further
// down.
const (
	nucleusBuckets     = 1024
	nucleusBucketScale = 32 // buckets per unit of logit: covers 32 logits
)

func nucleusBucket(maxLogit, logit float32) int {
	d := (maxLogit - logit) * nucleusBucketScale
	if !(d < nucleusBuckets-1) { // also catches NaN-free +Inf distances
		return nucleusBuckets - 1
	}
	return int(d)
}

// topP keeps the shortest best-first prefix whose probability (softmax at
// temperature 1 over the current candidates) reaches p, and always at least
// one candidate. The result is sorted best first. If c is not sorted, a
// bucket pass finds the smallest logit band whose mass reaches p; only that
// head is sorted, which gives the same prefix as sorting everything since
// every candidate outside the head ranks below every one inside.
// buckets is scratch of nucleusBuckets floats.
func topP(c []candidate, p float64, sorted bool, buckets []float64) []candidate {
	maxLogit := c[0].logit
	if !sorted {
		for _, x := range c[1:] {
			maxLogit = max(maxLogit, x.logit)
		}
	}
	clear(buckets)
	total := 0.0
	for _, x := range c {
		w := math.Exp(float64(x.logit - maxLogit))
		total += w
		if !sorted {
			buckets[nucleusBucket(maxLogit, x.logit)] += w
		}
	}
	target := p * total
	if !sorted {
		last, acc := 0, 0.0
		for last = range buckets {
			acc += buckets[last]
			if acc >= target {
				break
			}
		}
		n := 0
		for i, x := range c {
			if nucleusBucket(maxLogit, x.logit) <= last {
				c[i], c[n] = c[n], x
				n++
			}
		}
		c = c[:n]
		sortDescending(c)
	}
	acc := 0.0
	for i, x := range c {
		acc += math.Exp(float64(x.logit - maxLogit))
		if acc >= target {
			return c[:i+1]
		}
	}
	return c
}

// minP keeps candidates whose probability is at least minP times the
// largest probability, i.e. logit >= maxLogit + ln(minP). Order is kept.
func minP(c []candidate, minP float32, sorted bool) []candidate {
	maxLogit := c[0].logit
	if !sorted {
		for _, x := range c[1:] {
			maxLogit = max(maxLogit, x.logit)
		}
	}
	// minP > 1 would exclude even the best token; 1 keeps only the best.
	threshold := maxLogit + float32(math.Log(float64(min(minP, 1))))
	if sorted {
		for i, x := range c {
			if x.logit < threshold {
				return c[:max(i, 1)]
			}
		}
		return c
	}
	n := 0
	for _, x := range c {
		if x.logit >= threshold {
			c[n] = x
			n++
		}
	}
	return c[:n]
}
