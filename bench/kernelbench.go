package bench

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/milp-lite/milp-lite/kernels"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/quant"
)

// gemmColumns is the activation width of the GEMM rows: the target
// (576×1536 by 256 columns) and a typical prompt chunk.
const gemmColumns = 256

// coldBytes is how much weight data the matvec rotates through: more than
// any last-level cache, so that, as in generation, every weight comes from
// DRAM rather than from a cache that a small matrix would fit in.
const coldBytes = 256 << 20

// kernelRows times the matvec and the GEMM on shape s's FFN down-projection
// (Dim rows of FFNDim: its rows fit every type's blocks in all real shapes)
// stored as t. The matvec runs for at least seconds. The percentages of the
// rooflines are left to the caller, who knows the machine.
//
// The GEMM, held to the FMA peak, runs for gemmSeconds: as long as a probe
// of the peak, so that both have as many chances to catch a moment when no
// other process shares the cores. With a prober, the matvec's timing
// batches alternate with bandwidth probes (Probed; see measureModel for
// why); the GEMM is held to the run's best peak.
func kernelRows(s nn.Shape, t quant.Type, seconds, gemmSeconds float64, pr *prober) ([]KernelRow, error) {
	rows, cols := s.Dim, s.FFNDim
	typ := matrixType(t, cols)
	rng := rand.New(rand.NewPCG(uint64(rows), uint64(cols)))
	vals := make([]float32, rows*cols)
	for i := range vals {
		vals[i] = rng.Float32()*2 - 1
	}
	data, err := quant.Quantize(typ, vals)
	if err != nil {
		return nil, fmt.Errorf("kernel benchmark %s %s: %w", s.Name, typ, err)
	}
	// Copies of the matrix in distinct memory, used in turn by the matvec.
	copies := max(1, coldBytes/len(data))
	mats := make([]*kernels.Matrix, copies)
	all := make([]byte, copies*len(data))
	for i := range mats {
		buf := all[i*len(data) : (i+1)*len(data)]
		copy(buf, data)
		if mats[i], err = kernels.NewMatrix(typ, rows, cols, buf); err != nil {
			return nil, fmt.Errorf("kernel benchmark %s %s: %w", s.Name, typ, err)
		}
	}
	x := make([]float32, gemmColumns*cols)
	for i := range x {
		x[i] = rng.Float32()*2 - 1
	}
	dst := make([]float32, gemmColumns*rows)

	// One product on every copy first, as a model's first token does: the
	// kernels may make a generation layout of a matrix on its first use
	// (Q8_0's interleaved rows), which is set-up, not throughput.
	for _, m := range mats {
		kernels.MatMul(dst, m, x, 1)
	}
	var bw float64
	var probeBW func()
	if pr != nil {
		probeBW = func() { bw = max(bw, pr.pairedBandwidth()) }
	}
	next := 0
	matvec := timeLoop(seconds, probeBW, func() {
		kernels.MatMul(dst, mats[next], x, 1)
		next = (next + 1) % copies
	})
	gemm := timeLoop(max(seconds, gemmSeconds), nil, func() { kernels.MatMul(dst, mats[0], x, gemmColumns) })

	flops := 2 * float64(rows) * float64(cols)
	mv := KernelRow{Kernel: "matvec", Shape: s.Name, Type: typ.String(), Rows: rows, Cols: cols, N: 1,
		GFLOPS: flops / matvec / 1e9, GBs: float64(len(data)) / matvec / 1e9, Roofline: "bandwidth", Probed: bw}
	mm := KernelRow{Kernel: "gemm", Shape: s.Name, Type: typ.String(), Rows: rows, Cols: cols, N: gemmColumns,
		GFLOPS: flops * gemmColumns / gemm / 1e9, GBs: float64(len(data)) / gemm / 1e9, Roofline: "peak"}
	return []KernelRow{mv, mm}, nil
}

// timeLoop calls f (once untimed, to warm up) until at least seconds have
// passed and at least three batches ran, and returns the seconds per call of
// the fastest batch: the batches are short, so one disturbed by another
// process is discarded. probe, if not nil, runs before a batch whenever
// probeEvery has gone by since it last ran; its time is not counted.
func timeLoop(seconds float64, probe, f func()) float64 {
	f()
	start := time.Now()
	f()
	per := time.Since(start).Seconds()
	batch := max(1, int(0.02/max(per, 1e-9))) // calls per ~20 ms batch
	best := per
	var lastProbe time.Time
	for total, batches := per, 0; total < seconds || batches < 3; batches++ {
		if probe != nil && time.Since(lastProbe) >= probeEvery {
			probe()
			lastProbe = time.Now()
		}
		start := time.Now()
		for i := 0; i < batch; i++ {
			f()
		}
		d := time.Since(start).Seconds()
		total += d
		best = min(best, d/float64(batch))
	}
	return best
}

// percent is 100·x/of, or 0 when there is no roofline to compare with.
func percent(x, of float64) float64 {
	if of <= 0 {
		return 0
	}
	return 100 * x / of
}
