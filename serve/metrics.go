package serve

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// serverMetrics are what /metrics exports, in Prometheus's format.
type serverMetrics struct {
	reg         *prometheus.Registry
	requests    *prometheus.CounterVec // by path and status
	tokens      *prometheus.CounterVec // by kind: prompt, completion
	batchRows   prometheus.Histogram   // token rows a step
	active      prometheus.Gauge       // sequences running
	queue       prometheus.GaugeFunc   // sequences in flight (running or waiting)
	ttft        prometheus.Histogram   // seconds
	itl         prometheus.Histogram   // seconds
	cacheHits   prometheus.Counter
	cacheMisses prometheus.Counter
	cacheBytes  prometheus.GaugeFunc
	jobs        *prometheus.CounterVec // by kind and state reached
	latencySecs *prometheus.HistogramVec
}

func newServerMetrics(load func() float64, cacheBytes func() float64) *serverMetrics {
	m := &serverMetrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "milp_http_requests_total", Help: "HTTP requests by path and status."}, []string{"path", "status"})
	m.tokens = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "milp_tokens_total", Help: "Tokens by kind: prompt or completion."}, []string{"kind"})
	m.batchRows = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "milp_batch_rows", Help: "Token rows one engine step ran.",
		Buckets: prometheus.ExponentialBuckets(1, 2, 10)})
	m.active = prometheus.NewGauge(prometheus.GaugeOpts{Name: "milp_sequences_active", Help: "Sequences the engine is advancing."})
	m.queue = prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "milp_sequences_in_flight", Help: "Sequences running or waiting."}, load)
	m.ttft = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "milp_time_to_first_token_seconds", Help: "Time from a request to its first token.",
		Buckets: prometheus.ExponentialBuckets(0.005, 2, 14)})
	m.itl = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "milp_inter_token_seconds", Help: "Time between a stream's tokens.",
		Buckets: prometheus.ExponentialBuckets(0.001, 2, 14)})
	m.cacheHits = prometheus.NewCounter(prometheus.CounterOpts{Name: "milp_adapter_cache_hits_total", Help: "Adapter cache hits."})
	m.cacheMisses = prometheus.NewCounter(prometheus.CounterOpts{Name: "milp_adapter_cache_misses_total", Help: "Adapter cache misses (loads)."})
	m.cacheBytes = prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "milp_adapter_cache_bytes", Help: "Bytes of adapters in memory."}, cacheBytes)
	m.jobs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "milp_jobs_total", Help: "Jobs by kind and the state they reached."}, []string{"kind", "state"})
	m.latencySecs = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "milp_http_request_seconds", Help: "Request latency by path.",
		Buckets: prometheus.ExponentialBuckets(0.001, 2, 16)}, []string{"path"})
	m.reg.MustRegister(m.requests, m.tokens, m.batchRows, m.active, m.queue, m.ttft, m.itl, m.cacheHits, m.cacheMisses,
		m.cacheBytes, m.jobs, m.latencySecs, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}
