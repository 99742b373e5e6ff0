package bench

import (
	"testing"
	"time"

	"github.com/milp-lite/milp-lite/internal/testmodel"
	"github.com/milp-lite/milp-lite/quant"
)

// TestMeasureServeHTTP: the HTTP load on a small model, run twice against
// the engine in process, gives every user their reply with no error.
func TestMeasureServeHTTP(t *testing.T) {
	path := testmodel.SyntheticFile(t, smallServeShape, quant.Q8_0, 1)
	res, err := MeasureServeHTTP(HTTPServeOptions{ServeOptions: ServeOptions{Model: path, Users: 6, Rank: 4, PromptMin: 5, PromptMax: 40,
		ReplyTokens: 16, Spread: 50 * time.Millisecond, Seed: 1}, Repeat: 2}, func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors != 0 || res.Requests != 2*6+5 || len(res.HTTPRuns) != 2 || len(res.InProcessRuns) != 2 || !(res.AggregateTokensPerS > 0) ||
		!(res.InProcessTokensPerS > 0) || res.TTFTP99ms < res.TTFTP50ms || !(res.AloneTTFTP50ms > 0) || res.AdapterLoads != 6 {
		t.Fatalf("%+v", res)
	}
}

// TestMeasureServeHTTPOverTime: users drawn from a population larger than
// the adapter cache keep it loading adapters for the run's length, with no
// error, and resident memory is sampled through it.
func TestMeasureServeHTTPOverTime(t *testing.T) {
	path := testmodel.SyntheticFile(t, smallServeShape, quant.Q8_0, 1)
	o := HTTPServeOptions{ServeOptions: ServeOptions{Model: path, Users: 3, Rank: 4, PromptMin: 5, PromptMax: 20, ReplyTokens: 8, Seed: 1},
		Population: 12, Duration: 1500 * time.Millisecond, Sample: 250 * time.Millisecond}
	o.AdapterCache = 2 * adapterBytes(testmodel.Synthetic(t, smallServeShape, quant.Q8_0, 1), o.Rank)
	res, err := MeasureServeHTTP(o, func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	m := res.Memory
	if res.Errors != 0 || res.Requests <= o.Users || res.AdapterLoads <= o.Users || m == nil || len(m.SamplesBytes) < 4 {
		t.Fatalf("%+v", res)
	}
	if m.MaxBytes < m.FirstBytes || m.MaxBytes < m.LastBytes || m.BaseBytes <= 0 || m.BudgetBytes <= m.BaseBytes+m.AdapterCacheBytes+m.KVBudgetBytes {
		t.Fatalf("memory %+v", m)
	}
}
