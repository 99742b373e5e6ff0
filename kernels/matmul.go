package kernels

import (
	"math/bits"
	"sync"

	"github.com/milp-lite/milp-lite/quant"
)

// MatMul computes dst[b] = W · x[b] for batch vectors: x holds batch rows of
// w.Cols values, dst batch rows of w.Rows values.
//
//   - A batch of gemmMinBatch or more through Q8_0, Q4_0, Q5_0 or Q4_K
//     weights, where the level has the batched interleaved kernels, is
//     integer dot products against activations quantised once per row
//     (interleaved_gemm.go, matmul_int.go).
//   - Any other batch of gemmMinBatch or more goes through the packed,
//     cache-blocked GEMM (prompt processing is compute-bound): W is
//     expanded to float32 tile by tile into the GEMM's packing buffers
//     (gemm_matrix.go).
//   - A single vector (generation) takes the matrix-vector path: rows of W
//     are split across the pool and each stored row is read once: F32/F16/
//     BF16 by a SIMD dot with x, Q8_0/Q4_0/Q5_0/Q4_K/Q6_K sixteen rows at a
//     time from an interleaved copy where the level has the kernel
//     (interleaved.go), Q4_1/Q5_1/Q5_K (and the others without one) by
//     integer dots on their bytes, all against activations quantised once
//     per call (8-bit, one scale per block, see quantizeActQ8), other types
//     by expanding the row to float32 first.
func MatMul(dst []float32, w *Matrix, x []float32, batch int) {
	Default().MatMul(dst, w, x, batch)
}

// gemmMinBatch is the batch from which every weight type uses the GEMM. It
// is 2, not larger, although a tile of 12 rows is mostly padding for a
// batch of 2 (such a product is bound by reading W anyway): every batched
// product then sums in the GEMM's order, so a token's results do not depend
// on how many tokens shared its batch (a rewound chat recomputes its suffix
// exactly). Only a single token takes the matrix-vector path.
const gemmMinBatch = 2

// MatMul is the package function on a given pool.
func (p *Pool) MatMul(dst []float32, w *Matrix, x []float32, batch int) {
	rows, cols := w.Rows, w.Cols
	if p.matMulIntOK(w, batch) {
		p.matMulInt(x[:batch*cols], batch, []Product{{Dst: dst, W: w}})
		return
	}
	if batch >= gemmMinBatch {
		p.gemmW(batch, x[:batch*cols], w, true, dst[:batch*rows], rows)
		return
	}
	p.mmMu.Lock()
	p.mm.segs[0] = matVecSeg{w: w, dst: dst[:batch*rows]}
	p.matVec(x, batch, 1)
	p.mmMu.Unlock()
}

// matVec runs the matrix-vector products of the first n segments of p.mm,
// which share x (batch rows of their common width) and their row kind: the
// activations are quantised once, and the rows of every segment are split
// across the pool as one range. The caller holds mmMu.
func (p *Pool) matVec(x []float32, batch, n int) {
	t := &p.mm
	w := t.segs[0].w
	cols := w.Cols
	t.x, t.batch, t.nSegs = x[:batch*cols], batch, n
	t.kind = rowKind(w)
	total, bytes := 0, 0
	for i := range t.segs[:n] {
		t.segs[i].first = total
		total += t.segs[i].w.Rows
		bytes += len(t.segs[i].w.Data)
	}
	t.il = false
	switch t.kind {
	case kindQ32:
		nb := batch * cols / quant.QK
		t.xq, t.xd = grow(t.xq, batch*cols), grow(t.xd, nb)
		impl.quantizeQ8(t.x, t.xq, t.xd)
		t.useInterleaved(p)
		if hasBlockOffset(w.Type) {
			t.xm = grow(t.xm, nb)
			actBlockSums(t.xq, t.xd, t.xm)
		}
	case kindQ256:
		nb := batch * cols / quant.QKK
		t.xq, t.xd, t.xs = grow(t.xq, batch*cols), grow(t.xd, nb), grow(t.xs, 16*nb)
		impl.quantizeQ8K(t.x, t.xq, t.xd, t.xs)
		t.useInterleaved(p)
	case kindDequant:
		t.scratch = p.growScratch(t.scratch, cols)
	}
	t.ks = impl
	if bytes < p.size*matVecMinBytesPerWorker {
		// Too little to share: waking a parked worker costs more than it
		// saves (see matVecMinBytesPerWorker).
		t.Do(0, total, 0)
	} else {
		// Chunks of at least matVecMinChunkBytes, but no fewer chunks than
		// workers.
		grain := max(rowGrain(total, p.size), min(matVecMinChunkBytes*total/bytes, (total+p.size-1)/p.size))
		if t.il {
			// Chunks of whole interleaved groups.
			grain = (grain + ilLanes - 1) / ilLanes * ilLanes
		}
		p.For(total, grain, t)
	}
	for i := range t.segs {
		t.segs[i] = matVecSeg{}
	}
	t.x = nil
}

// matVecCompatible reports whether a and b can share one matVec: the same
// width, row kind and activation quantisation.
func matVecCompatible(a, b *Matrix) bool {
	return a.Cols == b.Cols && rowKind(a) == rowKind(b) && hasBlockOffset(a.Type) == hasBlockOffset(b.Type)
}

// How a matrix's rows meet the activations.
const (
	kindF32     = iota // SIMD dot on the stored floats
	kindHalf           // F16/BF16: widened in registers
	kindQ32            // Q8_0/Q4_0/Q5_0/Q4_1/Q5_1: integer dots with 32-blocks
	kindQ256           // Q4_K/Q5_K/Q6_K: integer dots with 256-blocks
	kindDequant        // any other type: expand the row, then dot
)

func rowKind(w *Matrix) int {
	switch w.Type {
	case quant.F32:
		return kindF32
	case quant.F16, quant.BF16:
		return kindHalf
	case quant.Q8_0, quant.Q4_0, quant.Q5_0, quant.Q4_1, quant.Q5_1:
		return kindQ32
	case quant.Q4_K, quant.Q5_K, quant.Q6_K:
		return kindQ256
	}
	return kindDequant
}

// hasBlockOffset reports whether a 32-wide format adds an offset m to every
// value of a block, so its dot needs the activations' block sums.
func hasBlockOffset(t quant.Type) bool { return t == quant.Q4_1 || t == quant.Q5_1 }

// matVecMinBytesPerWorker is how many weight bytes each worker must get
// before a matrix-vector product is split across the pool. Such a product
// streams its weights once: one core already draws much of the memory
// bandwidth, and handing a worker its share can cost a wake-up (a futex,
// and in a VM an inter-processor interrupt), which a small product does not
// repay. Idle workers spin briefly before parking (pool.go), which makes
// splitting cheap enough that only the smallest products stay on the
// caller: tiny models (stories260K, every product under this size) run on
// one thread.
var matVecMinBytesPerWorker = 64 << 10

// matVecMinChunkBytes is the least weight data a chunk of a matrix-vector
// product holds. Each chunk is a new stream for the hardware prefetcher and
// the TLB, and short ones cost more than the load balance they buy.
const matVecMinChunkBytes = 512 << 10

// rowGrain picks how many rows one chunk holds: about eight chunks per worker
// balance the load while keeping the per-chunk overhead small.
func rowGrain(rows, workers int) int {
	return max(1, rows/(8*workers))
}

// matVecSeg is one matrix of a matVec: its rows are rows [first,
// first+w.Rows) of the loop.
type matVecSeg struct {
	w     *Matrix
	dst   []float32
	first int
}

type matMulTask struct {
	segs    [4]matVecSeg
	nSegs   int
	x       []float32
	batch   int
	kind    int
	ks      kernelSet              // the kernels of this call
	xq      []int8                 // quantised activations
	xd      []float32              // their block scales
	xs      []int16                // their sums per 16 (K formats)
	xm      []float32              // their block sums xd·Σxq (Q4_1/Q5_1, actBlockSums)
	il      bool                   // matrices with an interleaved copy use it
	xc      [len(ilBiased)][]int32 // blockBiasTerms of the 32-wide interleaved types (ilBiasSlot), when needed
	xk      []int32                // sums of 32 activations (kSubSums) for interleaved Q4_K
	x6      []int32                // q6BiasTerms for interleaved Q6_K
	scratch [][]float32            // one row buffer per worker (kindDequant)
}

func (t *matMulTask) Do(lo, hi, worker int) {
	for i := range t.segs[:t.nSegs] {
		sg := &t.segs[i]
		if r0, r1 := max(lo, sg.first), min(hi, sg.first+sg.w.Rows); r0 < r1 {
			t.rows(sg.w, sg.dst, r0-sg.first, r1-sg.first, worker)
		}
	}
}

// rows computes rows [lo, hi) of w into dst.
func (t *matMulTask) rows(w *Matrix, dst []float32, lo, hi, worker int) {
	if t.il && w.il.data != nil && t.ks.interleavedKernel(w.Type) != nil {
		t.rowsInterleaved(w, dst, lo, hi)
		return
	}
	rows, cols, rb := w.Rows, w.Cols, w.rowBytes
	switch t.kind {
	case kindF32:
		for r := lo; r < hi; r++ {
			row := w.f32[r*cols : (r+1)*cols]
			for b := 0; b < t.batch; b++ {
				dst[b*rows+r] = t.ks.dot(row, t.x[b*cols:(b+1)*cols])
			}
		}
	case kindHalf:
		dot := t.ks.dotF16
		if w.Type == quant.BF16 {
			dot = t.ks.dotBF16
		}
		for r := lo; r < hi; r++ {
			row := w.Data[r*rb : (r+1)*rb]
			for b := 0; b < t.batch; b++ {
				dst[b*rows+r] = dot(row, t.x[b*cols:(b+1)*cols])
			}
		}
	case kindQ32:
		nb := cols / quant.QK
		if hasBlockOffset(w.Type) {
			dot := t.ks.dotQ4_1
			if w.Type == quant.Q5_1 {
				dot = t.ks.dotQ5_1
			}
			for r := lo; r < hi; r++ {
				row := w.Data[r*rb : (r+1)*rb]
				for b := 0; b < t.batch; b++ {
					dst[b*rows+r] = dot(row, t.xq[b*cols:(b+1)*cols], t.xd[b*nb:(b+1)*nb], t.xm[b*nb:(b+1)*nb])
				}
			}
			break
		}
		if w.Type == quant.Q8_0 && t.batch == 1 {
			t.rowsQ8_0(w, dst, lo, hi)
			break
		}
		dot := t.ks.dotQ8_0
		switch w.Type {
		case quant.Q4_0:
			dot = t.ks.dotQ4_0
		case quant.Q5_0:
			dot = t.ks.dotQ5_0
		}
		for r := lo; r < hi; r++ {
			row := w.Data[r*rb : (r+1)*rb]
			for b := 0; b < t.batch; b++ {
				dst[b*rows+r] = dot(row, t.xq[b*cols:(b+1)*cols], t.xd[b*nb:(b+1)*nb])
			}
		}
	case kindQ256:
		var dot func(w []byte, xq []int8, xd []float32, xs []int16) float32
		switch w.Type {
		case quant.Q4_K:
			dot = t.ks.dotQ4_K
		case quant.Q5_K:
			dot = t.ks.dotQ5_K
		default:
			dot = t.ks.dotQ6_K
		}
		nb := cols / quant.QKK
		for r := lo; r < hi; r++ {
			row := w.Data[r*rb : (r+1)*rb]
			for b := 0; b < t.batch; b++ {
				dst[b*rows+r] = dot(row, t.xq[b*cols:(b+1)*cols], t.xd[b*nb:(b+1)*nb], t.xs[16*b*nb:16*(b+1)*nb])
			}
		}
	default:
		for r := lo; r < hi; r++ {
			row := w.Row(r, t.scratch[worker])
			for b := 0; b < t.batch; b++ {
				dst[b*rows+r] = t.ks.dot(row, t.x[b*cols:(b+1)*cols])
			}
		}
	}
}

// useInterleaved sets t.il when a single token meets a matrix with an
// interleaved kernel at this level, making the matrices' copies on their first
// product, and computes the terms their kernels take from the quantised
// activations: the bias terms of each 32-wide type present, Q4_K's sums of
// 32 activations, Q6_K's bias terms per 16.
func (t *matMulTask) useInterleaved(p *Pool) {
	if t.batch != 1 { // (matVec has cleared t.il)
		return
	}
	for i := range t.xc {
		t.xc[i] = t.xc[i][:0]
	}
	t.xk, t.x6 = t.xk[:0], t.x6[:0]
	nb := len(t.xd)
	for i := range t.segs[:t.nSegs] {
		w := t.segs[i].w
		if impl.interleavedKernel(w.Type) == nil || w.interleaved(p) == nil {
			continue
		}
		t.il = true
		if w.Type == quant.Q4_K {
			if len(t.xk) == 0 {
				t.xk = grow(t.xk, 8*nb)
				kSubSums(t.xs, t.xk)
			}
		} else if w.Type == quant.Q6_K {
			if len(t.x6) == 0 {
				t.x6 = grow(t.x6, 16*nb)
				q6BiasTerms(t.xs, t.x6)
			}
		} else if xc := &t.xc[ilBiasSlot(w.Type)]; len(*xc) == 0 {
			*xc = grow(*xc, nb)
			blockBiasTerms(t.xq, ilOffset(w.Type), *xc)
		}
	}
}

// rowsInterleaved computes rows [lo, hi) of a matrix with an interleaved
// copy for one token: the whole groups of sixteen rows with the level's
// interleaved kernel, a chunk's ragged ends with the row dots.
func (t *matMulTask) rowsInterleaved(w *Matrix, dst []float32, lo, hi int) {
	cols, nb := w.Cols, w.Cols/w.Type.BlockSize()
	xq, xd := t.xq[:cols], t.xd[:nb]
	a, b := (lo+ilLanes-1)/ilLanes*ilLanes, hi/ilLanes*ilLanes
	if a >= b {
		t.rowsByDot(w, dst, lo, hi)
		return
	}
	t.rowsByDot(w, dst, lo, a)
	gb := ilLanes * w.rowBytes / nb // bytes per group and block
	var xc []int32
	switch w.Type {
	case quant.Q4_K:
		xc = t.xk[:8*nb]
	case quant.Q6_K:
		xc = t.x6[:16*nb]
	default:
		xc = t.xc[ilBiasSlot(w.Type)][:nb]
	}
	g0, g1 := a/ilLanes, b/ilLanes
	t.ks.interleavedKernel(w.Type)(w.il.data[g0*nb*gb:g1*nb*gb], g1-g0, nb, xq, xd, xc, dst[a:b])
	t.rowsByDot(w, dst, b, hi)
}

// rowsByDot computes rows [lo, hi) of a matrix with an interleaved layout for one
// token with the row dots.
func (t *matMulTask) rowsByDot(w *Matrix, dst []float32, lo, hi int) {
	cols, nb, rb := w.Cols, w.Cols/w.Type.BlockSize(), w.rowBytes
	switch w.Type {
	case quant.Q8_0:
		t.rowsQ8_0(w, dst, lo, hi)
	case quant.Q4_0:
		for r := lo; r < hi; r++ {
			dst[r] = t.ks.dotQ4_0(w.Data[r*rb:(r+1)*rb], t.xq[:cols], t.xd[:nb])
		}
	case quant.Q5_0:
		for r := lo; r < hi; r++ {
			dst[r] = t.ks.dotQ5_0(w.Data[r*rb:(r+1)*rb], t.xq[:cols], t.xd[:nb])
		}
	case quant.Q4_K:
		for r := lo; r < hi; r++ {
			dst[r] = t.ks.dotQ4_K(w.Data[r*rb:(r+1)*rb], t.xq[:cols], t.xd[:nb], t.xs[:16*nb])
		}
	case quant.Q6_K:
		for r := lo; r < hi; r++ {
			dst[r] = t.ks.dotQ6_K(w.Data[r*rb:(r+1)*rb], t.xq[:cols], t.xd[:nb], t.xs[:16*nb])
		}
	}
}

// rowsQ8_0 computes rows [lo, hi) of a Q8_0 matrix for one token from its
// GGUF bytes.
func (t *matMulTask) rowsQ8_0(w *Matrix, dst []float32, lo, hi int) {
	if lo >= hi {
		return
	}
	cols, nb, rb := w.Cols, w.Cols/quant.QK, w.rowBytes
	xq, xd := t.xq[:cols], t.xd[:nb]
	if t.ks.dotQ8_0Rows != nil {
		// The chunk's rows in one call (the assembly does not check
		// bounds: the slices prove them).
		t.ks.dotQ8_0Rows(w.Data[lo*rb:hi*rb], rb, hi-lo, xq, xd, dst[lo:hi])
		return
	}
	for r := lo; r < hi; r++ {
		dst[r] = t.ks.dotQ8_0(w.Data[r*rb:(r+1)*rb], xq, xd)
	}
}

// grow returns s with length n, reallocated only when its capacity is short:
// scratch reused from call to call.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// growScratch returns one buffer of at least n floats per worker, reusing s.
// A buffer grows to the next power of two: attention's scratch grows with
// the position, and generation must not allocate at every new token.
func (p *Pool) growScratch(s [][]float32, n int) [][]float32 {
	if len(s) != p.size {
		s = make([][]float32, p.size)
	}
	for i := range s {
		if cap(s[i]) < n {
			s[i] = make([]float32, n, 1<<bits.Len(uint(n-1)))
		}
		s[i] = s[i][:n]
	}
	return s
}

// poolOps is the per-pool state of the operations the pool runs: one task
// value per operation, so handing it to For never allocates.
type poolOps struct {
	mmMu        sync.Mutex
	mm          matMulTask
	intMu       sync.Mutex
	intGemm     intGemmTask
	mmtMu       sync.Mutex
	mmt         matMulTTask
	attnMu      sync.Mutex
	attn        attentionTask
	attnTile    attnTileTask
	attnGrouped attnGroupedTask
	attnMany    attnManyTask
	gemmState
}
