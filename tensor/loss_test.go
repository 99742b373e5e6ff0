package tensor

import (
	"math"
	"testing"
)

// TestCrossEntropyGradientHasNoSubnormals: logits spread over 120 nats
// (wider than float32's normal range of exp), with a small weight, give a
// gradient whose entries are zero or normal, and equal to the float64
// softmax gradient wherever that is normal. Subnormal entries would make
// the output head's backward product many times slower (see flushBelow).
func TestCrossEntropyGradientHasNoSubnormals(t *testing.T) {
	const vocab, target = 4096, 17
	const w = float32(1.0 / 256)
	row := make([]float32, vocab)
	for i := range row {
		row[i] = 30 - 120*float32(i)/vocab
	}
	x := append([]float32(nil), row...)
	loss := CrossEntropy(row, vocab, []int32{target}, []float32{w})

	var sum float64
	for _, v := range x {
		sum += math.Exp(float64(v - x[0]))
	}
	wantLoss := float64(w) * (math.Log(sum) - float64(x[target]-x[0]))
	if math.Abs(loss-wantLoss) > 1e-6*math.Abs(wantLoss) {
		t.Fatalf("loss %g, want %g", loss, wantLoss)
	}
	zeros := 0
	for i, g := range row {
		want := float64(w) * math.Exp(float64(x[i]-x[0])) / sum
		if i == target {
			want -= float64(w)
		}
		switch {
		case g == 0:
			zeros++
			if math.Abs(want) >= 0x1p-125 {
				t.Fatalf("gradient[%d] flushed to 0, want %g", i, want)
			}
		case math.Abs(float64(g)) < 0x1p-126:
			t.Fatalf("gradient[%d] = %g is subnormal", i, g)
		case math.Abs(float64(g)-want) > 1e-5*math.Abs(want):
			t.Fatalf("gradient[%d] = %g, want %g", i, g, want)
		}
	}
	if zeros == 0 {
		t.Fatal("no entry was below the normal range: the test does not exercise the flush")
	}
}
