package bench

import (
	"runtime"
	"slices"
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

// prober measures the machine's two rooflines: read bandwidth and FMA peak.
// It keeps its buffer between measurements, so that a model's passes can
// alternate with short probes (see measureModel) without allocating and
// touching 512 MB every time.
type prober struct {
	stream *streamTask
	peak   *peakTask
	peaks  []float64 // every FMA probe's GFLOP/s, for the run's median
}

func newProber() *prober {
	vals := make([]float32, bandwidthBytes/4)
	for i := range vals { // touch every page, so the timing sees no page faults
		vals[i] = float32(i & 1023)
	}
	pr := &prober{stream: &streamTask{vals: vals, sinks: make([]float32, 16*kernels.Default().Size())}}
	kernels.Default().For(len(vals), streamChunk, pr.stream) // warm-up: TLB, pool
	pr.peak = &peakTask{flops: make([]int64, 8*kernels.Default().Size())}
	// Calibrate so that one chunk of the peak loop takes about 2 ms.
	pr.peak.iters = 1 << 10
	for {
		start := time.Now()
		pr.peak.Do(0, 1, 0)
		if d := time.Since(start); d > time.Millisecond {
			pr.peak.iters = max(1, int(float64(pr.peak.iters)*(0.002/d.Seconds())))
			break
		}
		pr.peak.iters *= 4
	}
	return pr
}

// streamChunk is how many values a worker streams per chunk: 1 MiB.
const streamChunk = 1 << 18

// bandwidthOnce streams the buffer once on every worker and returns GB/s
// (10⁹ bytes per second).
func (pr *prober) bandwidthOnce() float64 {
	start := time.Now()
	kernels.Default().For(len(pr.stream.vals), streamChunk, pr.stream)
	return float64(bandwidthBytes) / time.Since(start).Seconds() / 1e9
}

// pairedBandwidth is the probe made between a measurement's passes: the
// best of three streams, so that one disturbed pass does not lower the
// roofline the measurement is held to.
func (pr *prober) pairedBandwidth() float64 {
	return max(pr.bandwidthOnce(), pr.bandwidthOnce(), pr.bandwidthOnce())
}

// peakOnce runs the FMA loop on every worker (eight ~2 ms chunks each: the
// pool hands chunks out dynamically, so a worker slowed by a neighbour's
// process does not hold up the rest) and returns GFLOP/s.
func (pr *prober) peakOnce() float64 {
	t := pr.peak
	clear(t.flops)
	start := time.Now()
	kernels.Default().For(8*kernels.Default().Size(), 1, t)
	d := time.Since(start).Seconds()
	var flops int64
	for _, f := range t.flops {
		flops += f
	}
	g := float64(flops) / d / 1e9
	pr.peaks = append(pr.peaks, g)
	return g
}

// peakMedian is the median of every FMA probe made so far, and their count.
func (pr *prober) peakMedian() (float64, int) {
	n := len(pr.peaks)
	if n == 0 {
		return 0, 0
	}
	s := slices.Sorted(slices.Values(pr.peaks))
	if n%2 == 1 {
		return s[n/2], n
	}
	return (s[n/2-1] + s[n/2]) / 2, n
}

// bandwidth returns the read bandwidth in GB/s with every worker of the pool
// streaming its share of one large buffer, the fastest of the passes made in
// about seconds (at least three), and the name of the loop that read it. The
// best of many short passes, rather than an average, because on a shared
// machine other processes steal whole time slices: the best pass is the one
// that ran undisturbed.
//
// The loop is the kernels' own vector read, kernels.SumF32, at the current
// level: the roofline of a kernel is what a read as simple as it can be
// reaches, and a scalar Go loop does not saturate the memory bus of a wide
// CPU (a matvec kernel can read faster than it).
func (pr *prober) bandwidth(seconds float64) (float64, string) {
	best := 0.0
	start := time.Now()
	for r := 0; r < 3 || time.Since(start).Seconds() < seconds; r++ {
		best = max(best, pr.bandwidthOnce())
	}
	return best, "kernels.SumF32 (" + kernels.CurrentLevel().String() + ")"
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

// peakFLOPS returns the f32 FMA throughput in GFLOP/s with every worker of
// the pool running kernels.PeakFMALoop (independent vector FMAs at the
// current level), the best of the ~16 ms runs made in about seconds (at
// least three), and the name of the loop.
func (pr *prober) peakFLOPS(seconds float64) (float64, string) {
	best := 0.0
	start := time.Now()
	for r := 0; r < 3 || time.Since(start).Seconds() < seconds; r++ {
		best = max(best, pr.peakOnce())
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
