package tensor

import "math"

// CrossEntropy computes, for T rows of vocab logits, the weighted sum of
// −log softmax(logits[t])[targets[t]] over rows whose weight is not zero,
// and replaces those rows' logits with the gradient of that sum:
// weight[t]·(softmax − onehot). Rows of weight zero (masked tokens) get a
// zero gradient. Fusing the loss and its gradient avoids a second T×vocab
// buffer.
func CrossEntropy(logits []float32, vocab int, targets []int32, weights []float32) float64 {
	var loss float64
	for t, target := range targets {
		row := logits[t*vocab : (t+1)*vocab]
		w := weights[t]
		if w == 0 {
			clear(row)
			continue
		}
		m := row[0]
		for _, x := range row[1:] {
			m = max(m, x)
		}
		// One exponential per logit: keep exp(x−m) in the row, then scale.
		xt := row[target]
		var sum float64
		for i, x := range row {
			e := float32(math.Exp(float64(x - m)))
			row[i] = e
			sum += float64(e)
		}
		loss += float64(w) * (float64(m) + math.Log(sum) - float64(xt))
		scale := w / float32(sum)
		for i := range row {
			row[i] *= scale
		}
		row[target] -= w
	}
	return loss
}

// CrossEntropy on the tape: a 1×1 tensor holding the loss, whose gradient
// (1 when it is the final loss) scales the logits' gradient in Backward.
func (tp *Tape) CrossEntropy(logits *Tensor, targets []int32, weights []float32) *Tensor {
	g := append([]float32(nil), logits.Data...)
	loss := From(1, 1, []float32{float32(CrossEntropy(g, logits.Cols, targets, weights))})
	tp.record(func() {
		for i := range g {
			logits.Grad[i] += loss.Grad[0] * g[i]
		}
	})
	return loss
}
