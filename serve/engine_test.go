package serve

import (
	"context"
	"runtime"
	"testing"

	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/nn/sample"
)

// TestEngineCountsWithoutAGoroutinePerSequence: many sequences in flight
// are counted without a goroutine each, and the count returns to 0 when
// their submitters retire them.
func TestEngineCountsWithoutAGoroutinePerSequence(t *testing.T) {
	m := embeddedModel(t)
	e, err := newEngine(m, nn.BatchOptions{MaxSeqs: 4, StepTokens: 64, Ctx: 64})
	if err != nil {
		t.Fatal(err)
	}
	const n = 200
	before := runtime.NumGoroutine()
	seqs := make([]*nn.Sequence, n)
	for i := range seqs {
		seqs[i] = &nn.Sequence{Prompt: []int32{1, 2, 3}, MaxTokens: 2, Sampler: sample.New(sample.Params{Temperature: 0}, m.Config.VocabSize)}
		if err := e.submit(seqs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if got := e.load(); got != n {
		t.Fatalf("load %d with %d sequences submitted", got, n)
	}
	if grown := runtime.NumGoroutine() - before; grown >= n/2 {
		t.Fatalf("%d more goroutines with %d sequences waiting", grown, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { e.run(ctx); close(stopped) }()
	for i, s := range seqs {
		e.retire(s)
		if got := e.load(); got != n-i-1 {
			t.Fatalf("load %d after retiring %d of %d", got, i+1, n)
		}
		if len(s.Generated) != 2 {
			t.Fatalf("sequence %d generated %d tokens, not 2", i, len(s.Generated))
		}
	}
	cancel()
	<-stopped
}
