package bench

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/milp-lite/milp-lite/internal/testmodel"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/quant"
)

// TestMeasureServe runs the serving benchmark on a small synthetic model,
// its steps paced (to a microsecond: prompts read 8 rows a step beside the
// streams): every run generates every reply, the figures are consistent
// with each other, and the JSON has the keys a load report is read by.
func TestMeasureServe(t *testing.T) {
	path := testmodel.SyntheticFile(t, smallServeShape, quant.Q8_0, 1)
	res, err := MeasureServe(ServeOptions{Model: path, Users: 3, Rank: 4, PromptMin: 5, PromptMax: 30, ReplyTokens: 12,
		Spread: 20 * time.Millisecond, JoinPrompt: 100, StepTokens: 64, ChunkTokens: 16, StepTime: time.Microsecond, Seed: 1}, func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range map[string]float64{"aggregate": res.AggregateTokensPerS, "no adapters": res.NoAdapterAggregate,
		"single": res.SingleUserTokensPerS, "sequential": res.SequentialTokensPerS, "ttft p99": res.TTFTP99ms,
		"itl p99": res.ITLP99ms, "rows per step": res.MeanRowsPerStep, "lora share": res.LoRAShare, "decode": res.DecodeTokensPerS,
		"together": res.TogetherTokensPerS, "together without adapters": res.TogetherNoAdapter} {
		if !(v > 0) {
			t.Errorf("%s is %v", name, v)
		}
	}
	if res.TTFTP50ms > res.TTFTP99ms || res.ITLP50ms > res.ITLP99ms || res.LoRAShare+res.AttentionShare >= 1 {
		t.Errorf("inconsistent: %+v", res)
	}
	// 3 users' prompts of 5–30 tokens and the 100-token joiner; replies of
	// 1–12 tokens (a random model may draw its end of text early).
	if res.PromptTokens < 3*5+100 || res.PromptTokens > 3*30+100 || res.GeneratedTokens < 4 || res.GeneratedTokens > 4*12 {
		t.Errorf("the batched run read %d prompt tokens and drew %d", res.PromptTokens, res.GeneratedTokens)
	}
	data, _ := json.Marshal(res)
	for _, key := range []string{"users", "aggregate_tokens_per_s", "no_adapter_aggregate_tokens_per_s", "single_user_tokens_per_s",
		"sequential_tokens_per_s", "ttft_p50_ms", "ttft_p99_ms", "itl_p50_ms", "itl_p99_ms", "single_user_itl_p99_ms"} {
		if !strings.Contains(string(data), `"`+key+`"`) {
			t.Errorf("the JSON lacks %q", key)
		}
	}
	if md := res.Markdown(); !strings.Contains(md, "one user alone") || !strings.Contains(md, "adapters cost") || !strings.Contains(md, "generating at once") || !strings.Contains(md, "paced to 1µs") {
		t.Errorf("markdown:\n%s", md)
	}
}

func TestPercentile(t *testing.T) {
	xs := []float64{5, 1, 4, 2, 3}
	if percentile(xs, 50) != 3 || percentile(xs, 99) != 5 || percentile(xs, 1) != 1 || percentile(nil, 50) != 0 {
		t.Fatalf("percentiles of %v: %v %v %v", xs, percentile(xs, 50), percentile(xs, 99), percentile(xs, 1))
	}
}

var smallServeShape = nn.Shape{Name: "s", Arch: "llama", Dim: 64, Layers: 2, Heads: 4, KVHeads: 2, FFNDim: 96, Vocab: 300, Context: 512}
