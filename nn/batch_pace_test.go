package nn

import (
	"testing"
	"time"

	"github.com/milp-lite/milp-lite/quant"
)

// TestStepPaceFindsTheRowsThatFit: on steps that take 5 ms plus 0.5 ms a
// row, 16 streams and a 20 ms target leave 14 prompt rows; the loop finds
// them from its first guess, follows a host that turns twice as slow (9
// rows fit 30 ms), keeps the floor when the streams alone overrun the target, and
// does not wind up on steps whose prompts were too few to fill their share.
func TestStepPaceFindsTheRowsThatFit(t *testing.T) {
	perRow := 500 * time.Microsecond
	took := func(rows int) time.Duration { return 5*time.Millisecond + time.Duration(rows)*perRow }
	const streams, most = 16, 200
	var p stepPace
	if got := p.promptRows(streams, 20*time.Millisecond, most); got != most {
		t.Fatalf("nothing measured: %d prompt rows, want all %d", got, most)
	}
	p.observe(64, 64, false, took(64), 0, 0) // a prompt alone, not paced
	run := func(target time.Duration, steps int) int {
		n := 0
		for range steps {
			n = p.promptRows(streams, target, most)
			p.observe(streams+n, n, true, took(streams+n), target, most)
		}
		return n
	}
	if got := run(20*time.Millisecond, 60); got < 13 || got > 14 {
		t.Fatalf("20 ms target: %d prompt rows, want 13 or 14 (14 fit)", got)
	}
	perRow = time.Millisecond
	if got := run(30*time.Millisecond, 60); got < 8 || got > 9 {
		t.Fatalf("a host twice as slow, a 30 ms target: %d prompt rows, want 8 or 9 (9 fit)", got)
	}
	if got := run(20*time.Millisecond, 30); got != minPacedPromptRows {
		t.Fatalf("streams alone over the target: %d prompt rows, want the floor %d", got, minPacedPromptRows)
	}
	before := p.rows
	for range 20 { // prompts of 2 rows in steps far under the target
		p.observe(streams+2, 2, false, took(streams+2), time.Hour, most)
	}
	if p.rows != before {
		t.Fatalf("steps whose prompts did not fill their share moved the count from %v to %v", before, p.rows)
	}
}

// TestBatchPacesStepsByTime: with a step time far below what the streams
// alone take, a joining prompt is read minPacedPromptRows at a time; with a
// generous one it gets all GeneratingStepTokens leaves; with none, the row
// bound alone.
func TestBatchPacesStepsByTime(t *testing.T) {
	m := writeModel(t, Shape{Name: "s", Arch: "llama", Dim: 32, Layers: 2, Heads: 4, KVHeads: 2, FFNDim: 48, Vocab: 300, Context: 512}, quant.F32, 3)
	for _, c := range []struct {
		stepTime time.Duration
		wantRows int
	}{
		{time.Nanosecond, 4 + minPacedPromptRows},
		{time.Hour, 48},
		{0, 48},
	} {
		b, err := m.NewBatch(BatchOptions{MaxSeqs: 5, StepTokens: 64, GeneratingStepTokens: 48, StepTime: c.stepTime, Profile: true})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 4 {
			if err := b.Add(&Sequence{Prompt: []int32{int32(5 + i), 9}, MaxTokens: 300, Sampler: greedy(m)}); err != nil {
				t.Fatal(err)
			}
		}
		b.Step() // the streams' prompts: a step with prompt rows measured
		b.Step() // the streams alone
		long := &Sequence{Prompt: make([]int32, 400), MaxTokens: 2, Sampler: greedy(m)}
		for i := range long.Prompt {
			long.Prompt[i] = int32(3 + i%200)
		}
		if err := b.Add(long); err != nil {
			t.Fatal(err)
		}
		for step := range 4 {
			b.Step()
			if got := b.StepRows(); got != c.wantRows {
				t.Fatalf("step time %v: step %d ran %d rows, want %d", c.stepTime, step, got, c.wantRows)
			}
		}
		b.CancelAll()
		steps(t, b, 10)
	}
}
