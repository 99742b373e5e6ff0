package bench

import (
	"cmp"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/serve"
)

// httpRun is one benchmark's server and options.
type httpRun struct {
	url   string
	m     *nn.Model
	s     *serve.Server
	so    serve.Options
	o     HTTPServeOptions
	phase func(string)
}

// overTime keeps the load up for o.Duration, sampling resident memory into
// res.Memory.
func (h *httpRun) overTime(users []httpUser, res *HTTPServeResult) (loadResult, error) {
	o := h.o
	h.phase("one request without an adapter, then resident memory")
	if _, err := streamCompletion(h.url, benchAdmin, users[0].prompt, o.ReplyTokens); err != nil {
		return loadResult{}, err
	}
	runtime.GC()
	debug.FreeOSMemory()
	mem := &MemoryReport{AdapterCacheBytes: h.so.AdapterCache, KVBudgetBytes: h.so.Batch.KVBytes}
	var err error
	if mem.BaseBytes, err = residentBytes(); err != nil {
		return loadResult{}, err
	}
	if fi, err := os.Stat(o.Model); err == nil {
		mem.ModelFileBytes = fi.Size()
	}
	// As milp-lite serve does: the server's process keeps the Go heap
	// within what the server needs.
	mem.HeapLimitBytes = h.s.HeapLimit()
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(mem.HeapLimitBytes))
	h.phase(fmt.Sprintf("%d of %d users streaming over HTTP for %v", o.Users, o.Population, o.Duration))
	sampler := startRSSSampler(o.Sample)
	all := loadHTTP(h.url, users, o.Users, 0, time.Now().Add(o.Duration), o)
	if err := sampler.stop(mem, all.warm); err != nil {
		return loadResult{}, err
	}
	res.Memory = mem
	res.HTTPRuns = []float64{all.tokensPerS()}
	return all, nil
}

// againstInProcess probes the machine's limits, runs the active users
// over HTTP and in process o.Repeat times alternately, then the first user
// alone.
func (h *httpRun) againstInProcess(users []httpUser, inProc []serveUser, res *HTTPServeResult) (loadResult, error) {
	o := h.o
	h.phase("machine limits")
	acct := modelAccounting(h.m)
	pr := newProber()
	res.BandwidthGBs, _ = pr.bandwidth(o.ProbeSeconds)
	res.PeakGFLOPS, _ = pr.peakFLOPS(o.ProbeSeconds)
	res.SingleUserLimit = res.BandwidthGBs * 1e9 / float64(acct.WeightBytes)
	res.BatchLimit = res.PeakGFLOPS * 1e9 / (2 * float64(acct.Params))
	bo := h.so.Batch // the server's batch, its cache budget aside: the same users fit
	bo.KVBytes = 0
	var all loadResult
	for r := range o.Repeat {
		h.phase(fmt.Sprintf("run %d of %d: %d users streaming over HTTP", r+1, o.Repeat, o.Users))
		run := loadHTTP(h.url, users, o.Users, 1, time.Time{}, o)
		all.add(run)
		res.HTTPRuns = append(res.HTTPRuns, run.tokensPerS())
		h.phase(fmt.Sprintf("run %d of %d: the same users in process", r+1, o.Repeat))
		st, err := runLoad(h.m, bo, inProc, nil, o.ReplyTokens)
		if err != nil {
			return all, err
		}
		res.InProcessRuns = append(res.InProcessRuns, float64(st.tokens)/st.wall.Seconds())
	}
	res.InProcessTokensPerS = median(res.InProcessRuns)
	h.phase("the first user alone")
	alone := loadHTTP(h.url, users[:1], 1, 5, time.Time{}, o)
	all.requests, all.errors = all.requests+alone.requests, all.errors+alone.errors
	all.firstError = cmp.Or(all.firstError, alone.firstError)
	res.AloneTTFTP50ms, res.AloneTTFTP99ms = percentile(alone.ttft, 50), percentile(alone.ttft, 99)
	res.AloneTokensPerS = alone.tokensPerS()
	return all, nil
}
