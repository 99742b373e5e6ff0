package serve

import (
	"testing"

	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/nn/sample"
)

// TestKVBudgetHoldsEverySequence: a batch whose KV budget is KVBudget runs
// every sequence with a whole context at once, and one byte less does not.
func TestKVBudgetHoldsEverySequence(t *testing.T) {
	m := embeddedModel(t)
	for _, kv := range []nn.KVType{nn.KVF32, nn.KVF16, nn.KVQ8} {
		o := nn.BatchOptions{MaxSeqs: 3, StepTokens: 16, Ctx: 200, KV: kv}
		for _, less := range []int64{0, 1} {
			o.KVBytes = KVBudget(m, o) - less
			b, err := m.NewBatch(o)
			if err != nil {
				t.Fatal(err)
			}
			for range o.MaxSeqs {
				s := &nn.Sequence{Prompt: []int32{1, 2}, MaxTokens: o.Ctx - 2, Sampler: sample.New(sample.Params{Temperature: 0}, m.Config.VocabSize)}
				if err := b.Add(s); err != nil {
					t.Fatal(err)
				}
			}
			b.Step()
			if want := o.MaxSeqs - int(less); b.Active() != want {
				t.Fatalf("%v, budget %d bytes under KVBudget: %d sequences run at once, want %d", kv, less, b.Active(), want)
			}
			b.CancelAll()
			for b.Step() > 0 {
			}
		}
	}
}
