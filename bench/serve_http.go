package bench

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"slices"
	"time"

	"github.com/milp-lite/milp-lite/milp"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/serve"
)

// HTTPServeOptions shape `bench serve --http`: ServeOptions's users over
// real HTTP, drawn from a population of users on disk.
type HTTPServeOptions struct {
	ServeOptions
	// Population is how many users are made, each with their own key and
	// adapter (0: Users). Users of them are active at once.
	Population int
	// AdapterCache is the server's adapter cache in bytes (0: serve's
	// default).
	AdapterCache int64
	// Duration, when set, keeps Users requests in flight this long, each
	// new one for a user drawn from the population, and samples resident
	// memory every Sample (default 10 s); otherwise each active user sends
	// one request and the same users then run on the engine in process.
	Duration time.Duration
	Sample   time.Duration
	// Repeat is how many times a run without Duration alternates HTTP and
	// in process (default 1); the medians are reported.
	Repeat int
}

// HTTPServeResult is the serving benchmark over real HTTP.
type HTTPServeResult struct {
	Users      int     `json:"users"`
	Population int     `json:"population"`
	Requests   int     `json:"requests"`
	Errors     int     `json:"errors"`
	DurationS  float64 `json:"duration_s"` // of the HTTP load (its runs together)
	// AggregateTokensPerS and InProcessTokensPerS are the medians of the
	// runs over HTTP and of the same users on the engine in process; the
	// cost is that of HTTP, JSON and SSE.
	AggregateTokensPerS float64   `json:"aggregate_tokens_per_s"`
	InProcessTokensPerS float64   `json:"in_process_tokens_per_s,omitempty"`
	HTTPCost            float64   `json:"http_cost,omitempty"` // 1 − HTTP ÷ in process
	HTTPRuns            []float64 `json:"http_runs_tokens_per_s"`
	InProcessRuns       []float64 `json:"in_process_runs_tokens_per_s,omitempty"`
	TTFTP50ms           float64   `json:"ttft_p50_ms"`
	TTFTP99ms           float64   `json:"ttft_p99_ms"`
	ITLP50ms            float64   `json:"itl_p50_ms"`
	ITLP99ms            float64   `json:"itl_p99_ms"`
	// Alone: the first active user's request sent alone, a few times, after
	// the load; its tokens/s count the prompt's time too.
	AloneTTFTP50ms  float64 `json:"alone_ttft_p50_ms,omitempty"`
	AloneTTFTP99ms  float64 `json:"alone_ttft_p99_ms,omitempty"`
	AloneTokensPerS float64 `json:"alone_tokens_per_s,omitempty"`
	// The machine's limits, probed before a run without Duration: one
	// user's generation by memory bandwidth (the weights read once a
	// token), a batch's by the FMA peak (2 FLOPs a weight a token).
	BandwidthGBs    float64       `json:"bandwidth_gb_s,omitempty"`
	PeakGFLOPS      float64       `json:"peak_gflop_s,omitempty"`
	SingleUserLimit float64       `json:"single_user_limit_tokens_per_s,omitempty"`
	BatchLimit      float64       `json:"batch_limit_tokens_per_s,omitempty"`
	AdapterLoads    int           `json:"adapter_loads"` // the server's adapter cache misses
	Memory          *MemoryReport `json:"memory,omitempty"`
	FirstError      string        `json:"first_error,omitempty"`
}

// benchAdmin is the admin key of the benchmark's server.
const benchAdmin = "bench-admin-key-0123456789"

// MeasureServeHTTP serves o.Model from a temporary store on a loopback
// port, makes the population of users with their keys and random adapters
// through the API, and runs the load (HTTPServeOptions).
func MeasureServeHTTP(o HTTPServeOptions, phase func(string)) (*HTTPServeResult, error) {
	if o.Population == 0 {
		o.Population = o.Users
	}
	o.Repeat, o.Sample = max(o.Repeat, 1), cmp.Or(o.Sample, 10*time.Second)
	if o.Users < 1 || o.Population < o.Users || o.PromptMin < 1 || o.PromptMax < o.PromptMin || o.ReplyTokens < 1 {
		return nil, fmt.Errorf("bench serve --http: users, prompts and replies must be positive, prompts min ≤ max, the population at least the users")
	}
	m, err := nn.Open(o.Model)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	dir, err := os.MkdirTemp("", "milp-bench-serve-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	so := serve.DefaultOptions()
	so.Model, so.ModelName, so.Store, so.AdminKey = m, "bench", milp.Store{Root: dir}, benchAdmin
	so.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	so.Batch.MaxSeqs, so.Batch.KV = o.Users+1, o.KV
	so.Batch.Ctx = o.PromptMax + o.ReplyTokens + 64
	if so.Batch.Ctx > m.Config.ContextLen {
		return nil, fmt.Errorf("bench serve --http: prompts of %d tokens and replies of %d do not fit the model's context of %d", o.PromptMax, o.ReplyTokens, m.Config.ContextLen)
	}
	so.Batch.KVBytes = serve.KVBudget(m, so.Batch)
	so.MaxTokens, so.MaxQueue, so.UserConcurrency = o.ReplyTokens, 4*o.Users, 4
	if o.StepTokens > 0 {
		so.Batch.StepTokens = o.StepTokens
	}
	so.Batch.GeneratingStepTokens, so.Batch.StepTime = o.GeneratingStepTokens, o.StepTime
	if o.AdapterCache > 0 {
		so.AdapterCache = o.AdapterCache
	}
	s, err := serve.New(so)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.Close()
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, l) }()
	defer func() { cancel(); <-done }()
	url := "http://" + l.Addr().String()

	users, inProc, err := makeHTTPUsers(url, dir, m, o, phase)
	if err != nil {
		return nil, err
	}
	res := &HTTPServeResult{Users: o.Users, Population: o.Population}
	run := &httpRun{url: url, m: m, s: s, so: so, o: o, phase: phase}
	var all loadResult
	if o.Duration > 0 {
		all, err = run.overTime(users, res)
	} else {
		all, err = run.againstInProcess(users, inProc, res)
	}
	if err != nil {
		return nil, err
	}
	res.Requests, res.Errors, res.FirstError, res.DurationS = all.requests, all.errors, all.firstError, all.wall.Seconds()
	res.AggregateTokensPerS = median(res.HTTPRuns)
	if res.InProcessTokensPerS > 0 {
		res.HTTPCost = 1 - res.AggregateTokensPerS/res.InProcessTokensPerS
	}
	res.TTFTP50ms, res.TTFTP99ms = percentile(all.ttft, 50), percentile(all.ttft, 99)
	res.ITLP50ms, res.ITLP99ms = percentile(all.itl, 50), percentile(all.itl, 99)
	res.AdapterLoads, err = adapterLoads(url)
	return res, err
}

// median is the middle value of xs (the mean of the two middle ones).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return (s[(len(s)-1)/2] + s[len(s)/2]) / 2
}

// Markdown is the HTTP run's table.
func (r *HTTPServeResult) Markdown() string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "| measure | value |\n|---|---:|\n| users active of the population, requests, errors | %d of %d, %d, %d |\n",
		r.Users, r.Population, r.Requests, r.Errors)
	fmt.Fprintf(&b, "| aggregate over HTTP (median of %d) | %.1f tokens/s |\n", len(r.HTTPRuns), r.AggregateTokensPerS)
	if r.BatchLimit > 0 {
		fmt.Fprintf(&b, "| batch limit: FMA peak %.0f GFLOP/s ÷ 2 FLOPs a weight | %.0f tokens/s (%.0f%% of it) |\n",
			r.PeakGFLOPS, r.BatchLimit, 100*r.AggregateTokensPerS/r.BatchLimit)
	}
	if len(r.InProcessRuns) > 0 {
		fmt.Fprintf(&b, "| the same users in process (median of %d) | %.1f tokens/s (HTTP, JSON and SSE cost %.1f%%) |\n",
			len(r.InProcessRuns), r.InProcessTokensPerS, 100*r.HTTPCost)
	}
	fmt.Fprintf(&b, "| time to first token p50 / p99 | %.0f / %.0f ms |\n", r.TTFTP50ms, r.TTFTP99ms)
	if r.AloneTTFTP99ms > 0 {
		fmt.Fprintf(&b, "| time to first token, one user alone, p50 / p99 | %.0f / %.0f ms |\n", r.AloneTTFTP50ms, r.AloneTTFTP99ms)
		fmt.Fprintf(&b, "| one user alone, prompt included | %.1f tokens/s (limit %.1f: %.1f GB/s ÷ the weights) |\n",
			r.AloneTokensPerS, r.SingleUserLimit, r.BandwidthGBs)
	}
	fmt.Fprintf(&b, "| inter-token latency p50 / p99 | %.1f / %.1f ms |\n| adapters loaded | %d |\n", r.ITLP50ms, r.ITLP99ms, r.AdapterLoads)
	if r.Memory != nil {
		b.WriteString(r.Memory.Markdown())
	}
	return b.String()
}
