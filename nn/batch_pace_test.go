package nn

import (
	"testing"
	"time"

	"github.com/milp-lite/milp-lite/quant"
)

// TestStepPaceSizesPromptsToTheTarget: from steps of a known cost (4 ms for
// the streams, 0.5 ms a prompt row), the pace learns both and gives the
// prompt rows that fit a target, never fewer than minPacedPromptRows, never
// more than asked; before any prompt row is measured it gives all.
func TestStepPaceSizesPromptsToTheTarget(t *testing.T) {
	const streamsCost, rowCost = 4 * time.Millisecond, 500 * time.Microsecond
	cost := func(streams, prompt int) time.Duration {
		return streamsCost*time.Duration(streams)/16 + rowCost*time.Duration(prompt)
	}
	var p stepPace
	if got := p.promptRows(16, 10*time.Millisecond, 200); got != 200 {
		t.Fatalf("nothing measured: %d prompt rows, want all 200", got)
	}
	p.observe(0, 64, cost(0, 64)) // a prompt alone
	p.observe(16, 0, cost(16, 0)) // the streams alone
	for range 50 {
		p.observe(16, 20, cost(16, 20))
		p.observe(16, 0, cost(16, 0))
	}
	for _, c := range []struct {
		target     time.Duration
		most, want int
	}{
		{10 * time.Millisecond, 200, 12}, // (10 - 4) / 0.5
		{24 * time.Millisecond, 200, 40},
		{24 * time.Millisecond, 30, 30},                 // within what the caller allows
		{3 * time.Millisecond, 200, minPacedPromptRows}, // the streams alone overrun it: prompts still move
		{4500 * time.Microsecond, 5, 5},                 // the floor is never above what is allowed
	} {
		if got := p.promptRows(16, c.target, c.most); got != c.want {
			t.Errorf("target %v, at most %d: %d prompt rows, want %d", c.target, c.most, got, c.want)
		}
	}
	// Half the streams cost a row each less (the estimate moves by a row's
	// cost per stream): (10 - (4 - 8·0.5)) / 0.5 = 20.
	if got := p.promptRows(8, 10*time.Millisecond, 200); got != 20 {
		t.Errorf("8 streams: %d prompt rows, want 20", got)
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
