package bench

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"

	"github.com/viterin/vek/vek32"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/milp-lite/milp-lite/kernels"
	"github.com/milp-lite/milp-lite/nn"
)

// Kernel peers: our f32 dot, axpy, matrix-vector and matrix products beside
// two other Go libraries that need no cgo, on the same data: vek (its own
// AVX2 assembly on amd64 CPUs that have it, plain Go elsewhere) and gonum's
// native BLAS (Go, with SSE assembly for its level-1 loops on amd64 unless
// built with noasm). They place our kernels among what a Go program could
// use instead.

// Peer implementations, as PeerRow.Impl names them.
const (
	peerOurs  = "milp-lite"
	peerVek   = "vek"
	peerGonum = "gonum"
)

// PeerRow is one f32 kernel of one implementation, timed on data that every
// implementation of the kernel shares.
type PeerRow struct {
	Kernel  string  `json:"kernel"`  // "dot", "axpy", "matvec" or "gemm"
	Impl    string  `json:"impl"`    // "milp-lite", "vek" or "gonum"
	Size    string  `json:"size"`    // "n=1536"; rows×cols; m×k×n for C = A·B
	Threads int     `json:"threads"` // goroutines the implementation may compute on
	GFLOPS  float64 `json:"gflops"`
	GBs     float64 `json:"gb_s"` // operand bytes per second, each operand read or written once
	Note    string  `json:"note,omitempty"`
}

// peerShape gives the peers' sizes: SmolLM2-135M's FFN down-projection
// (Dim rows of FFNDim), vectors of FFNDim, and gemmColumns tokens through it.
var peerShape = nn.ShapeSmolLM2_135M

// peerCase is one kernel's data and the implementations that compute it.
type peerCase struct {
	kernel, size string
	flops, bytes float64 // per call; bytes: every operand read or written once
	impls        []peerImpl
}

// peerImpl is one implementation of a case's kernel. run computes into out
// (its own: axpy's y accumulates over the calls), so that the outputs of
// one call each can be compared.
type peerImpl struct {
	name    string
	threads int // goroutines it may compute on
	note    string
	run     func()
	out     []float32
}

// peerCases makes the four cases on random data from seed.
func peerCases(seed uint64) []peerCase {
	rng := rand.New(rand.NewPCG(seed, 0x9ee5))
	random := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = rng.Float32()*2 - 1
		}
		return v
	}
	var (
		blas32  gonum.Implementation
		workers = kernels.Default().Size()
		procs   = runtime.GOMAXPROCS(0)
		// vek splits a product of 100 000 multiply-adds or more by rows
		// over one goroutine per CPU.
		vekWorkers = runtime.NumCPU()
	)
	n, rows, cols, m := peerShape.FFNDim, peerShape.Dim, peerShape.FFNDim, gemmColumns

	x, y := random(n), random(n)
	dot := peerCase{kernel: "dot", size: fmt.Sprintf("n=%d", n), flops: 2 * float64(n), bytes: 8 * float64(n)}
	dotOut := func(f func() float32) (func(), []float32) {
		out := make([]float32, 1)
		return func() { out[0] = f() }, out
	}
	for _, p := range []struct {
		name string
		f    func() float32
	}{
		{peerOurs, func() float32 { return kernels.Dot(x, y) }},
		{peerVek, func() float32 { return vek32.Dot(x, y) }},
		{peerGonum, func() float32 { return blas32.Sdot(n, x, 1, y, 1) }},
	} {
		run, out := dotOut(p.f)
		dot.impls = append(dot.impls, peerImpl{name: p.name, threads: 1, run: run, out: out})
	}

	// alpha is small so that y, accumulating over millions of calls, stays
	// far from overflow.
	const alpha = 1e-3
	axpy := peerCase{kernel: "axpy", size: fmt.Sprintf("n=%d", n), flops: 2 * float64(n), bytes: 12 * float64(n)}
	ys := [3][]float32{append([]float32(nil), y...), append([]float32(nil), y...), append([]float32(nil), y...)}
	scaled := make([]float32, n)
	axpy.impls = []peerImpl{
		{name: peerOurs, threads: 1, out: ys[0], run: func() { kernels.Axpy(alpha, x, ys[0]) }},
		{name: peerVek, threads: 1, out: ys[1], note: "MulNumber_Into then Add_Inplace: two passes, vek has no axpy",
			run: func() { vek32.MulNumber_Into(scaled, x, alpha); vek32.Add_Inplace(ys[1], scaled) }},
		{name: peerGonum, threads: 1, out: ys[2], run: func() { blas32.Saxpy(n, alpha, x, 1, ys[2], 1) }},
	}

	w := random(rows * cols)
	mat := kernels.NewF32Matrix(rows, cols, w)
	matvec := peerCase{kernel: "matvec", size: fmt.Sprintf("%d×%d", rows, cols),
		flops: 2 * float64(rows*cols), bytes: 4 * float64(rows*cols+rows+cols)}
	mvOut := [3][]float32{make([]float32, rows), make([]float32, rows), make([]float32, rows)}
	matvec.impls = []peerImpl{
		{name: peerOurs, threads: workers, out: mvOut[0], run: func() { kernels.MatMul(mvOut[0], mat, x, 1) }},
		{name: peerVek, threads: vekWorkers, out: mvOut[1], run: func() { vek32.MatMul_Into(mvOut[1], w, x, cols) }},
		{name: peerGonum, threads: 1, out: mvOut[2], run: func() {
			blas32.Sgemv(blas.NoTrans, rows, cols, 1, w, cols, x, 1, 0, mvOut[2], 1)
		}},
	}

	// C (m×rows) = A (m×cols) · B (cols×rows): a prompt of m tokens through
	// the transposed weights, all operands row-major.
	a, b := random(m*cols), random(cols*rows)
	gemm := peerCase{kernel: "gemm", size: fmt.Sprintf("%d×%d×%d", m, cols, rows),
		flops: 2 * float64(m*cols*rows), bytes: 4 * float64(m*cols+cols*rows+m*rows)}
	mmOut := [3][]float32{make([]float32, m*rows), make([]float32, m*rows), make([]float32, m*rows)}
	gemm.impls = []peerImpl{
		{name: peerOurs, threads: workers, out: mmOut[0], run: func() {
			kernels.GEMM(false, false, m, rows, cols, a, cols, b, rows, mmOut[0], rows, false)
		}},
		{name: peerVek, threads: vekWorkers, out: mmOut[1], run: func() { vek32.MatMul_Into(mmOut[1], a, b, cols) }},
		{name: peerGonum, threads: procs, out: mmOut[2], run: func() {
			blas32.Sgemm(blas.NoTrans, blas.NoTrans, m, rows, cols, 1, a, cols, b, rows, 0, mmOut[2], rows)
		}},
	}
	return []peerCase{dot, axpy, matvec, gemm}
}

// RunKernelPeers times our f32 kernels and their peers (see peerCases), each
// for opts.KernelTime seconds, with opts' kernel level and threads, and
// returns a result holding only those rows. progress may be nil.
func RunKernelPeers(opts Options, progress Progress) (*Result, error) {
	if len(opts.ModelFiles) > 0 || opts.Depth > 0 {
		return nil, fmt.Errorf("bench: the kernel peers are measured alone, without models or a depth")
	}
	if err := useKernels(opts); err != nil {
		return nil, err
	}
	res := newResult(opts)
	cases := peerCases(opts.Seed)
	p := &progressState{fn: progress, total: len(cases)}
	for _, c := range cases {
		p.step(fmt.Sprintf("%s beside vek and gonum", c.kernel))
		for _, im := range c.impls {
			sec := timeLoop(opts.KernelTime, nil, im.run)
			res.KernelPeers = append(res.KernelPeers, PeerRow{
				Kernel: c.kernel, Impl: im.name, Size: c.size, Threads: im.threads,
				GFLOPS: c.flops / sec / 1e9, GBs: c.bytes / sec / 1e9, Note: im.note,
			})
		}
	}
	p.finish()
	for _, r := range res.KernelPeers {
		if math.IsNaN(r.GFLOPS) || math.IsInf(r.GFLOPS, 0) {
			return nil, fmt.Errorf("bench: %s %s measured a non-finite rate", r.Impl, r.Kernel)
		}
	}
	return res, nil
}
