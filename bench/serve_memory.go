package bench

import (
	"fmt"
	"sync"
	"time"
)

// MemoryReport is the server's resident memory under load against its
// budget: what it holds before the load, plus the adapter cache and the KV
// caches at their bounds, plus 10%.
type MemoryReport struct {
	// BaseBytes is resident memory once one request has been served
	// without an adapter, garbage returned to the OS: the model's weights
	// (mapped from its file, and the copies the kernels make of them), the
	// batch's activations, the runtime and the benchmark's client.
	BaseBytes         int64 `json:"base_bytes"`
	ModelFileBytes    int64 `json:"model_file_bytes"`
	AdapterCacheBytes int64 `json:"adapter_cache_bytes"`
	KVBudgetBytes     int64 `json:"kv_budget_bytes"`
	BudgetBytes       int64 `json:"budget_bytes"` // (base + adapter cache + KV budget) × 1.1
	// HeapLimitBytes is the soft limit on the Go heap during the load
	// (serve.Server.HeapLimit, as milp-lite serve sets it).
	HeapLimitBytes int64   `json:"heap_limit_bytes"`
	SampleEveryS   float64 `json:"sample_every_s"`
	SamplesBytes   []int64 `json:"samples_bytes"` // resident memory every SampleEveryS during the load, and at its end
	FirstBytes     int64   `json:"first_bytes"`
	LastBytes      int64   `json:"last_bytes"`
	MaxBytes       int64   `json:"max_bytes"`
	// GrowthAfterFirstMinute is the last sample against the first taken
	// at or after a minute (the first sample in a shorter run), less 1;
	// GrowthAfterWarmUp likewise from when every client had its first
	// reply (until then the KV caches are still being made).
	GrowthAfterFirstMinute float64 `json:"growth_after_first_minute"`
	WarmUpS                float64 `json:"warm_up_s"`
	GrowthAfterWarmUp      float64 `json:"growth_after_warm_up"`
	WithinBudget           bool    `json:"within_budget"`
}

// rssSampler samples resident memory at a fixed interval until stopped.
type rssSampler struct {
	every   time.Duration
	stopped chan struct{}
	done    sync.WaitGroup
	samples []int64
	at      []time.Duration
	err     error
}

func startRSSSampler(every time.Duration) *rssSampler {
	s := &rssSampler{every: every, stopped: make(chan struct{})}
	start := time.Now()
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-s.stopped:
				s.take(time.Since(start))
				return
			case <-t.C:
				s.take(time.Since(start))
			}
		}
	}()
	return s
}

func (s *rssSampler) take(at time.Duration) {
	b, err := residentBytes()
	if err != nil {
		s.err = err
		return
	}
	s.samples, s.at = append(s.samples, b), append(s.at, at)
}

// stop takes a last sample and fills r's samples and their summary; warm
// is when the load was warm, from the sampler's start.
func (s *rssSampler) stop(r *MemoryReport, warm time.Duration) error {
	close(s.stopped)
	s.done.Wait()
	if s.err != nil {
		return fmt.Errorf("resident memory: %w", s.err)
	}
	r.SampleEveryS, r.SamplesBytes = s.every.Seconds(), s.samples
	r.FirstBytes, r.LastBytes = s.samples[0], s.samples[len(s.samples)-1]
	r.MaxBytes = r.FirstBytes
	for _, b := range s.samples {
		r.MaxBytes = max(r.MaxBytes, b)
	}
	r.WarmUpS = warm.Seconds()
	r.GrowthAfterFirstMinute = float64(r.LastBytes)/float64(s.from(time.Minute)) - 1
	r.GrowthAfterWarmUp = float64(r.LastBytes)/float64(s.from(warm)) - 1
	r.BudgetBytes = (r.BaseBytes + r.AdapterCacheBytes + r.KVBudgetBytes) * 11 / 10
	r.WithinBudget = r.MaxBytes <= r.BudgetBytes
	return nil
}

// from is the first sample taken at or after t, else the first.
func (s *rssSampler) from(t time.Duration) int64 {
	for i, b := range s.samples {
		if s.at[i] >= t {
			return b
		}
	}
	return s.samples[0]
}

// Markdown is the memory report's rows.
func (r *MemoryReport) Markdown() string {
	mb := func(b int64) string { return fmt.Sprintf("%.0f MB", float64(b)/1e6) }
	verdict := "within"
	if !r.WithinBudget {
		verdict = "OVER"
	}
	return fmt.Sprintf("| resident memory first / last / max | %s / %s / %s (growth after the first minute %+.1f%%, after the warm-up of %.0f s %+.1f%%) |\n"+
		"| budget: (base + adapter cache + KV) × 1.1 | %s = (%s + %s + %s) × 1.1: max %s it |\n",
		mb(r.FirstBytes), mb(r.LastBytes), mb(r.MaxBytes), 100*r.GrowthAfterFirstMinute, r.WarmUpS, 100*r.GrowthAfterWarmUp,
		mb(r.BudgetBytes), mb(r.BaseBytes), mb(r.AdapterCacheBytes), mb(r.KVBudgetBytes), verdict)
}
