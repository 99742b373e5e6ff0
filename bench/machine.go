package bench

import (
	"runtime"
	"time"

	"github.com/milp-lite/milp-lite/kernels"
)

// cpuInfo describes this machine and the kernel pool as configured now.
func cpuInfo() CPUInfo {
	return CPUInfo{
		Brand:      kernels.CPUBrand(),
		Features:   kernels.CPUFeatures(),
		Cores:      runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		Threads:    kernels.Default().Size(),
		GoVersion:  runtime.Version(),
		OS:         runtime.GOOS,
		Arch:       runtime.GOARCH,
	}
}

// bandwidthBytes is the buffer the bandwidth test streams through: far larger
// than any last-level cache, so that each pass comes from DRAM.
const bandwidthBytes = 512 << 20

// measureBandwidth returns the read bandwidth in GB/s (10⁹ bytes per second)
// with every worker of the pool streaming its share of one large buffer, the
// fastest of the passes made in about seconds (at least three), and the name
// of the loop that read it. The best of many short passes, rather than an
// average, because on a shared machine other processes steal whole time
// slices: the best pass is the one that ran undisturbed.
//
// The loop is the kernels' own vector read, kernels.SumF32, at the current
// level: the roofline of a kernel is what a read as simple as it can be
// reaches, and a scalar Go loop does not saturate the memory bus of a wide
// CPU (on the 2-core Zen 5 it read 31 GB/s where a matvec already streamed 37).
func measureBandwidth(seconds float64) (float64, string) {
	vals := make([]float32, bandwidthBytes/4)
	for i := range vals { // touch every page, so the timing sees no page faults
		vals[i] = float32(i & 1023)
	}
	t := &streamTask{vals: vals, sinks: make([]float32, 16*kernels.Default().Size())}
	const chunk = 1 << 18                      // values per chunk: 1 MiB
	kernels.Default().For(len(vals), chunk, t) // warm-up: TLB, pool
	best := time.Duration(1 << 62)
	var total time.Duration
	for r := 0; r < 3 || total.Seconds() < seconds; r++ {
		start := time.Now()
		kernels.Default().For(len(vals), chunk, t)
		d := time.Since(start)
		best, total = min(best, d), total+d
	}
	return float64(bandwidthBytes) / best.Seconds() / 1e9, "kernels.SumF32 (" + kernels.CurrentLevel().String() + ")"
}

// streamTask sums its chunk; the sums go to per-worker sinks (64 bytes
// apart, so workers do not share a cache line) so the reads cannot be
// optimised away.
type streamTask struct {
	vals  []float32
	sinks []float32
}

func (t *streamTask) Do(lo, hi, worker int) {
	t.sinks[16*worker] += kernels.SumF32(t.vals[lo:hi])
}

// measurePeakFLOPS returns the f32 FMA throughput in GFLOP/s with every worker
// of the pool running kernels.PeakFMALoop (independent vector FMAs at the
// current level), the best of the ~16 ms runs made in about seconds, and the
// name of the loop.
func measurePeakFLOPS(seconds float64) (float64, string) {
	workers := kernels.Default().Size()
	t := &peakTask{flops: make([]int64, 8*workers)}
	// Calibrate so that one chunk takes about 2 ms.
	t.iters = 1 << 10
	for {
		start := time.Now()
		t.Do(0, 1, 0)
		if d := time.Since(start); d > time.Millisecond {
			t.iters = max(1, int(float64(t.iters)*(0.002/d.Seconds())))
			break
		}
		t.iters *= 4
	}
	// Eight chunks per worker: the pool hands chunks out dynamically, so a
	// worker slowed by a neighbour's process does not hold up the rest.
	chunks := 8 * workers
	best, total := 0.0, 0.0
	for r := 0; r < 3 || total < seconds; r++ {
		clear(t.flops)
		start := time.Now()
		kernels.Default().For(chunks, 1, t)
		d := time.Since(start).Seconds()
		var flops int64
		for _, f := range t.flops {
			flops += f
		}
		best, total = max(best, float64(flops)/d/1e9), total+d
	}
	return best, "kernels.PeakFMALoop (" + kernels.CurrentLevel().String() + ")"
}

type peakTask struct {
	iters int
	flops []int64 // per worker, 64 bytes apart
}

func (t *peakTask) Do(lo, hi, worker int) {
	for i := lo; i < hi; i++ {
		t.flops[8*worker] += kernels.PeakFMALoop(t.iters)
	}
}
