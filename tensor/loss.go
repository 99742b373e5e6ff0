package tensor

import (
	"math"

	"github.com/milp-lite/milp-lite/kernels"
)

// CrossEntropy computes, for T rows of vocab logits, the weighted sum of
// −log softmax(logits[t])[targets[t]] over rows whose weight is not zero,
// and replaces those rows' logits with the gradient of that sum:
// weight[t]·(softmax − onehot). Rows of weight zero (masked tokens) get a
// zero gradient. Fusing the loss and its gradient avoids a second T×vocab
// buffer.
func CrossEntropy(logits []float32, vocab int, targets []int32, weights []float32) float64 {
	var loss float64
	for t := range targets {
		loss += crossEntropyRow(logits[t*vocab:(t+1)*vocab], targets[t], weights[t])
	}
	return loss
}

// crossEntropyRow is CrossEntropy for one row.
func crossEntropyRow(row []float32, target int32, w float32) float64 {
	if w == 0 {
		clear(row)
		return 0
	}
	m := kernels.Max(row) // SIMD, the same value as a loop keeping x > m
	// One exponential per logit: keep exp(x−m) in the row, then scale.
	xt := row[target]
	sum := float64(kernels.ExpShift(row, m)) // SIMD: a row is a whole vocabulary
	// Entries of logits more than ~87 below the largest would come out
	// subnormal, common with random weights, and the output head's backward
	// product would slow down on them (see kernels.ScaleNormal).
	kernels.ScaleNormal(w/float32(sum), row)
	row[target] -= w
	return float64(w) * (float64(m) + math.Log(sum) - float64(xt))
}

// CrossEntropyRows is CrossEntropy run in parallel over the rows on the
// kernel pool, with its per-row losses kept so that their sum, taken in
// row order, does not depend on the scheduling. Make one per decoder.
type CrossEntropyRows struct {
	rowLoss []float64
	logits  []float32
	vocab   int
	targets []int32
	weights []float32
}

// NewCrossEntropyRows prepares for up to T rows.
func NewCrossEntropyRows(T int) *CrossEntropyRows {
	return &CrossEntropyRows{rowLoss: make([]float64, T)}
}

// Loss is CrossEntropy(logits, vocab, targets, weights), in parallel.
func (c *CrossEntropyRows) Loss(logits []float32, vocab int, targets []int32, weights []float32) float64 {
	c.logits, c.vocab, c.targets, c.weights = logits, vocab, targets, weights
	kernels.Default().For(len(targets), 1, c)
	c.logits, c.targets, c.weights = nil, nil, nil
	var loss float64
	for _, l := range c.rowLoss[:len(targets)] {
		loss += l
	}
	return loss
}

// Do runs rows [lo, hi) (the pool's task interface).
func (c *CrossEntropyRows) Do(lo, hi, _ int) {
	for t := lo; t < hi; t++ {
		c.rowLoss[t] = crossEntropyRow(c.logits[t*c.vocab:(t+1)*c.vocab], c.targets[t], c.weights[t])
	}
}
