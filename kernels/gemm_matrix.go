package kernels

import "github.com/milp-lite/milp-lite/quant"

// Batched products with a weight matrix of any stored type go through the
// GEMM register tiles: the B operand is packed from the matrix itself, one
// task's block of panels at a time, into a per-worker buffer, and for
// quantised or half-precision types packing is dequantisation (a tile of W
// is expanded to float32 straight into the layout the micro-kernel reads).
// Each weight is expanded once per call; the expanded block (≤ ncPanels
// panels × kcBlock) stays in L2 while every A panel streams past it, so the
// work per weight is 2·batch flops at register-tile speed.

// gemmW computes C = X·Wᵀ (trans, MatMul's batch) or C = X·W (!trans,
// MatMulT's batch): X is m rows of k values (row-major, stride k), C is m
// rows of n values at stride ldc, overwritten. For X·Wᵀ k = W.Cols and
// n = W.Rows; for X·W k = W.Rows and n = W.Cols.
//
// The sum of every element runs over k in the same order whatever m is
// (see gemmTask.tile), so a token's row of C does not depend on the batch
// it came in.
func (p *Pool) gemmW(m int, x []float32, w *Matrix, trans bool, c []float32, ldc int) {
	n, k := w.Cols, w.Rows
	if trans {
		n, k = w.Rows, w.Cols
	}
	if m <= 0 || n <= 0 {
		return
	}
	if k <= 0 {
		for i := 0; i < m; i++ {
			clear(c[i*ldc : i*ldc+n])
		}
		return
	}
	if trans && impl.gemmWT != nil && ldc == n {
		p.gemmWT(m, x, []Product{{Dst: c, W: w}})
		return
	}
	p.gemmMu.Lock()
	defer p.gemmMu.Unlock()
	g := p.gemm.start(m, n, k, c, ldc, false)
	ks := impl
	mr, nr := g.mr, g.nr
	g.a, g.lda, g.transA = x, k, false
	g.b, g.transB = nil, false
	g.w, g.wTrans, g.dequant = w, trans, dequantSetOf(&ks)

	// k is cut into equal slices of at most kcBlock (whole blocks of W's
	// type), not kcBlock and a short tail: every slice pays for loading and
	// storing the C tiles once. The cut depends on k alone, never on m.
	// With Wᵀ, k runs along W's rows: slices start on block boundaries
	// (kcBlock is a multiple of every block size).
	bs := w.Type.BlockSize()
	align := 8 // whole 8×8 blocks for the transposes
	if trans && bs > align {
		align = bs
	}
	slices := (k + kcBlock - 1) / kcBlock
	kc := min(((k+slices-1)/slices+align-1)/align*align, k)
	g.kc, g.bs, g.bb = kc, bs, w.Type.BlockBytes()

	// Panels per task: up to ncPanels, but at least three tasks per
	// worker so that the last ones balance; every task runs all of A past
	// its B panels, which suits A small enough to stay in cache.
	g.ncp = max(1, min(ncPanels, g.bPanels/(3*p.size)))
	g.aGroup, g.aGroups = g.aPanels, 1
	switch {
	case trans:
		// X·Wᵀ packs its panels over all of k at once (see blockW): keep
		// them within half of a 1 MB L2.
		g.ncp = max(1, min(g.ncp, packBudget/(4*nr*k)))
	case g.aPanels*mr*k*4 > aCacheBytes && p.size > 1:
		// A long k (dY·W through an output head: 256 rows × a
		// 32,000-word vocabulary is 32 MB of packed A) would stream A
		// from DRAM once per task, so A is split among the workers as
		// well and each task packs a wider B block.
		g.ncp = max(1, min(g.bPanels, packBudget/(4*nr*kc)))
		g.aGroup = (g.aPanels + p.size - 1) / p.size
		g.aGroups = (g.aPanels + g.aGroup - 1) / g.aGroup
	}
	if !trans && bs > 1 {
		// X·W expands W rows a stored block at a time, so a task covers
		// at least one block.
		g.ncp = max(g.ncp, (bs+nr-1)/nr)
	}
	if len(g.bufB) != p.size {
		g.bufB, g.tmp = make([][]float32, p.size), make([][]float32, p.size)
	}
	if len(g.tiles) != p.size {
		g.tiles = make([][]float32, p.size)
	}
	bufLen, tmpLen := g.ncp*nr*kc, g.ncp*nr+2*bs
	if trans {
		bufLen, tmpLen = g.ncp*nr*k, nr*k
	}
	for i := 0; i < p.size; i++ {
		g.bufB[i] = grow(g.bufB[i], bufLen)
		g.tmp[i] = grow(g.tmp[i], tmpLen)
		g.tiles[i] = grow(g.tiles[i], mr*nr)
	}

	g.phase = gemmPack // A panels only: t < aPanels
	p.For(g.aPanels, max(1, g.aPanels/(4*p.size)), g)
	g.phase = gemmComputeW
	p.For(g.aGroups*((g.bPanels+g.ncp-1)/g.ncp), 1, g)
	g.a, g.c, g.w = nil, nil, nil
}

const (
	// packBudget bounds the bytes of B panels one task packs at once.
	packBudget = 512 << 10
	// aCacheBytes is the packed A beyond which dY·W splits A among tasks.
	aCacheBytes = 1 << 20
)

// blockW computes the columns of C of B panels [jt·ncp, (jt+1)·ncp) for
// the rows of A panel group at (every row unless A is split). Per k-slice
// it runs each of those A panels past those B panels, packed
// once: for X·Wᵀ all of k up front, because the panels' rows of W are one
// contiguous piece of memory, read best in one sequential sweep (slice by
// slice, a weight matrix that streams from DRAM would be read as short
// strided pieces); for X·W slice by slice.
func (g *gemmTask) blockW(t, worker int) {
	nr, k := g.nr, g.k
	// Consecutive tasks share B panels, so workers taking them side by
	// side read the same rows of W at about the same time.
	jt, at := t/g.aGroups, t%g.aGroups
	jr0, jr1 := jt*g.ncp, min((jt+1)*g.ncp, g.bPanels)
	a0, a1 := at*g.aGroup, min((at+1)*g.aGroup, g.aPanels)
	buf, tile := g.bufB[worker], g.tiles[worker]
	if g.wTrans {
		for jr := jr0; jr < jr1; jr++ {
			g.packWPanelT(jr, buf[(jr-jr0)*nr*k:(jr-jr0+1)*nr*k], g.tmp[worker])
		}
	}
	for pc := 0; pc < k; pc += g.kc {
		kc := min(g.kc, k-pc)
		panel := func(jr int) []float32 {
			if g.wTrans {
				return buf[(jr-jr0)*nr*k+pc*nr : (jr-jr0)*nr*k+(pc+kc)*nr]
			}
			return buf[(jr-jr0)*nr*kc : (jr-jr0+1)*nr*kc]
		}
		if !g.wTrans {
			g.packWBlock(jr0, jr1, pc, kc, buf, worker)
		}
		acc := pc > 0
		for ir0 := a0; ir0 < a1; ir0 += mcPanels {
			ir1 := min(ir0+mcPanels, a1)
			for jr := jr0; jr < jr1; jr++ {
				bp := panel(jr)
				for ir := ir0; ir < ir1; ir++ {
					g.tile(ir, jr, pc, kc, bp, acc, tile)
				}
			}
		}
	}
}

// packWPanelT writes B panel jr of X·Wᵀ over all of k into dst (k rows of
// NR values): op(B)[p][j] = W[NR·jr+j][p], zero past row n of W.
func (g *gemmTask) packWPanelT(jr int, dst, tmp []float32) {
	nr, k, w := g.nr, g.k, g.w
	j0 := jr * nr
	rows := min(nr, g.n-j0)
	if w.f32 != nil && rows == nr {
		g.transpose(k, w.f32[j0*w.Cols:], w.Cols, dst, nr)
		return
	}
	t := tmp[:nr*k]
	for j := 0; j < rows; j++ {
		expandRow(g.w, j0+j, 0, t[j*k:(j+1)*k], g.dequant)
	}
	clear(t[rows*k:])
	g.transpose(k, t, k, dst, nr)
}

// packWBlock writes B panels [jr0, jr1) of X·W over k-slice [pc, pc+kc)
// into buf, panel after panel (kc rows of NR values each), zero past
// column n: each W row in the slice gives one row of every panel of the
// block. Quantised rows are expanded from the block boundary at or before
// j0.
func (g *gemmTask) packWBlock(jr0, jr1, pc, kc int, buf []float32, worker int) {
	nr, w := g.nr, g.w
	tmp := g.tmp[worker]
	j0, j1 := jr0*nr, min(jr1*nr, g.n)
	bs := g.bs
	c0, c1 := j0/bs*bs, min((j1+bs-1)/bs*bs, w.Cols)
	// Whole panels through packStrips (F32 rows all at once), a last
	// panel short of columns value by value.
	full := (j1 - j0) / nr
	if w.f32 != nil && full > 0 {
		impl.packStrips(kc, w.f32[pc*w.Cols+j0:], w.Cols, buf, kc*nr, nr, full)
	}
	for p := pc; p < pc+kc; p++ {
		var seg []float32
		if w.f32 != nil {
			seg = w.f32[p*w.Cols+j0 : p*w.Cols+j1]
		} else {
			seg = tmp[:c1-c0]
			expandRow(g.w, p, c0, seg, g.dequant)
			seg = seg[j0-c0 : j1-c0]
			impl.packStrips(1, seg, 0, buf[(p-pc)*nr:], kc*nr, nr, full)
		}
		for jr := jr0 + full; jr < jr1; jr++ {
			off := (jr - jr0) * nr
			dst := buf[off*kc+(p-pc)*nr : off*kc+(p-pc+1)*nr]
			cnt := copy(dst, seg[min(off, len(seg)):])
			clear(dst[cnt:])
		}
	}
}

// expandRow writes columns [c0, c0+len(dst)) of row r of w as float32;
// c0 and len(dst) are whole blocks of w's type.
func expandRow(w *Matrix, r, c0 int, dst []float32, d dequantSet) {
	if w.f32 != nil {
		copy(dst, w.f32[r*w.Cols+c0:])
		return
	}
	bs, bb := w.Type.BlockSize(), w.Type.BlockBytes()
	d.expand(w.Type, w.Data[r*w.rowBytes+c0/bs*bb:r*w.rowBytes+(c0+len(dst))/bs*bb], dst)
}

// dequantSet is the level's weight expanders, taken once per call.
type dequantSet struct{ q8_0, q4_0, q5_0, q4_K, q6_K, f16 func(w []byte, dst []float32) }

func dequantSetOf(ks *kernelSet) dequantSet {
	return dequantSet{q8_0: ks.dequantQ8_0, q4_0: ks.dequantQ4_0, q5_0: ks.dequantQ5_0,
		q4_K: ks.dequantQ4_K, q6_K: ks.dequantQ6_K, f16: ks.dequantF16}
}

// expand writes the values of src, whole blocks of type t, into dst.
func (d dequantSet) expand(t quant.Type, src []byte, dst []float32) {
	switch t {
	case quant.Q8_0:
		d.q8_0(src, dst)
	case quant.Q4_0:
		d.q4_0(src, dst)
	case quant.Q5_0:
		d.q5_0(src, dst)
	case quant.Q4_K:
		d.q4_K(src, dst)
	case quant.Q6_K:
		d.q6_K(src, dst)
	case quant.F16:
		d.f16(src, dst)
	default:
		// Sizes were checked in NewMatrix and ranges are whole blocks.
		_ = quant.Dequantize(t, src, dst)
	}
}
