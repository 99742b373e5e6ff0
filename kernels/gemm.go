package kernels

import "sync"

// GEMM computes C = op(A)·op(B), or C += op(A)·op(B) when accumulate, for
// row-major float32 matrices, on the default pool.
//
// op(A) is m×k: A itself, element (i, p) at a[i*lda+p], or with transA the
// transpose of a stored k×m matrix, element (i, p) at a[p*lda+i]. op(B) is
// k×n: b[p*ldb+j], or with transB the transpose of a stored n×k matrix,
// b[j*ldb+p]. C is m×n with element (i, j) at c[i*ldc+j].
//
// So C = A·B is GEMM(false, false, …), C = Aᵀ·B (weight gradients) is
// GEMM(true, false, …) and C = A·Bᵀ (X·Wᵀ, a batch through a weight matrix)
// is GEMM(false, true, …).
func GEMM(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	Default().GEMM(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate)
}

// Blocking of the GEMM: a task computes an mcBlock×ncBlock block of C in
// slices of kcBlock along k. kcBlock keeps one packed B panel (kc×NR, 32 KB
// for AVX-512's NR=32) in L1 while the A panels of the block (mc×kc) stream
// from L2.
const (
	kcBlock  = 256
	mcPanels = 8 // A panels per block: 96 rows for MR=12, 48 for MR=6
	ncPanels = 8 // B panels per block: 256 columns for NR=32
)

// GEMM is the package function on a given pool. Both operands are packed
// once per call, in parallel, into register-tile panels (zero-padded at the
// edges); then blocks of C are handed out to the workers.
func (p *Pool) GEMM(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	if m <= 0 || n <= 0 {
		return
	}
	if k <= 0 {
		if !accumulate {
			for i := 0; i < m; i++ {
				clear(c[i*ldc : i*ldc+n])
			}
		}
		return
	}
	p.gemmMu.Lock()
	defer p.gemmMu.Unlock()
	g := p.gemm.start(m, n, k, c, ldc, accumulate)
	mr, nr := g.mr, g.nr
	g.w = nil
	g.packB = grow(g.packB, g.bPanels*nr*k)
	g.a, g.lda, g.transA = a, lda, transA
	g.b, g.ldb, g.transB = b, ldb, transB
	if len(g.tiles) != p.size {
		g.tiles = make([][]float32, p.size)
	}
	for i := range g.tiles {
		g.tiles[i] = grow(g.tiles[i], mr*nr)
	}

	g.phase = gemmPack
	panels := g.aPanels + g.bPanels
	p.For(panels, max(1, panels/(4*p.size)), g)

	g.phase = gemmCompute
	g.mBlocks = (g.aPanels + mcPanels - 1) / mcPanels
	nBlocks := (g.bPanels + ncPanels - 1) / ncPanels
	p.For(g.mBlocks*nBlocks, 1, g)
	g.a, g.b, g.c = nil, nil, nil
}

// start sets the state every GEMM shares, for the kernels in use, and sizes
// the packed A panels; the caller holds gemmMu.
func (g *gemmTask) start(m, n, k int, c []float32, ldc int, accumulate bool) *gemmTask {
	ks := impl
	mr, nr := ks.gemmMR, ks.gemmNR
	g.k, g.mr, g.nr, g.micro, g.transpose = k, mr, nr, ks.gemmMicro, ks.transpose
	g.m, g.n, g.c, g.ldc, g.accumulate = m, n, c, ldc, accumulate
	g.aPanels, g.bPanels = (m+mr-1)/mr, (n+nr-1)/nr
	g.packA = grow(g.packA, g.aPanels*mr*k)
	return g
}

const (
	gemmPack = iota
	gemmCompute
	gemmComputeW
	gemmPackX     // gemm_wt.go
	gemmComputeWT // gemm_wt.go
)

type gemmTask struct {
	phase            int
	m, n, k, mr, nr  int
	a, b, c          []float32
	lda, ldb, ldc    int
	transA, transB   bool
	accumulate       bool
	micro            func(k int, a, b, c []float32, ldc int, accumulate bool)
	transpose        func(k int, src []float32, ld int, dst []float32, n int)
	packA, packB     []float32
	aPanels, bPanels int
	mBlocks          int
	tiles            [][]float32 // one MR×NR edge tile per worker

	// B taken from a weight matrix (gemm_matrix.go): packed per task,
	// block by block, into per-worker buffers.
	w         *Matrix
	wTrans    bool // op(B)[p][j] = W[j][p] (X·Wᵀ); else W[p][j] (dY·W)
	ncp       int  // B panels per task
	aGroup    int  // A panels per task (all of them unless A is split)
	aGroups   int  // tasks per group of B panels
	kc        int  // k-slice length
	bs, bb    int  // W's block size (values) and block bytes
	dequant   dequantSet
	bufB, tmp [][]float32

	// X·Wᵀ with W read in place (gemm_wt.go).
	wt       func(k int, w []float32, ldw int, x, c []float32, ldc int, pf []float32, pfStep int)
	wtR, wtT int // the tile's W rows and tokens
	xPanels  int // packed panels of X
	wtProds  []wtProduct
	// The loop's tasks: wtGroups groups of X panels (1 unless they run
	// group by group) of wtGroupTasks tasks each.
	wtGroups, wtGroupTasks int
}

func (g *gemmTask) Do(lo, hi, worker int) {
	for t := lo; t < hi; t++ {
		switch {
		case g.phase == gemmComputeW:
			g.blockW(t, worker)
		case g.phase == gemmComputeWT:
			g.blockWT(t, worker)
		case g.phase == gemmPackX:
			g.packXPanel(t)
		case g.phase == gemmPack:
			if t < g.aPanels {
				g.packAPanel(t)
			} else {
				g.packBPanel(t - g.aPanels)
			}
		default:
			g.block(t%g.mBlocks, t/g.mBlocks, g.tiles[worker])
		}
	}
}

// packAPanel stores rows [MR·t, MR·t+MR) of op(A) as k columns of MR values.
func (g *gemmTask) packAPanel(t int) {
	i0 := t * g.mr
	g.packPanel(g.packA[t*g.mr*g.k:(t+1)*g.mr*g.k], g.a, g.lda, g.mr, i0, min(g.mr, g.m-i0), g.transA)
}

// packBPanel stores columns [NR·t, NR·t+NR) of op(B) as k rows of NR values.
func (g *gemmTask) packBPanel(t int) {
	j0 := t * g.nr
	g.packPanel(g.packB[t*g.nr*g.k:(t+1)*g.nr*g.k], g.b, g.ldb, g.nr, j0, min(g.nr, g.n-j0), !g.transB)
}

// packPanel stores lanes [l0, l0+lanes) of an operand src, each k values
// long, as k rows of width values in dst, zero past the last lane. A lane
// is a column of src (value p at src[p*ld+lane]) when lanesAreColumns, a row
// (at src[lane*ld+p]) otherwise: the A panels' rows and the B panels'
// columns, stored either way.
func (g *gemmTask) packPanel(dst, src []float32, ld, width, l0, lanes int, lanesAreColumns bool) {
	k := g.k
	if lanes < width {
		clear(dst)
	}
	if lanesAreColumns {
		if lanes == width {
			impl.packStrips(k, src[l0:], ld, dst, 0, width, 1)
			return
		}
		for p := 0; p < k; p++ {
			copy(dst[p*width:p*width+lanes], src[p*ld+l0:p*ld+l0+lanes])
		}
		return
	}
	if lanes == width {
		g.transpose(k, src[l0*ld:], ld, dst, width)
		return
	}
	for l := 0; l < lanes; l++ {
		row := src[(l0+l)*ld : (l0+l)*ld+k]
		for p, v := range row {
			dst[p*width+l] = v
		}
	}
}

// block computes the C block of A panel range ib and B panel range jb.
func (g *gemmTask) block(ib, jb int, tile []float32) {
	nr, k := g.nr, g.k
	ir0, ir1 := ib*mcPanels, min((ib+1)*mcPanels, g.aPanels)
	jr0, jr1 := jb*ncPanels, min((jb+1)*ncPanels, g.bPanels)
	for pc := 0; pc < k; pc += kcBlock {
		kc := min(kcBlock, k-pc)
		acc := g.accumulate || pc > 0
		for jr := jr0; jr < jr1; jr++ {
			bp := g.packB[jr*nr*k+pc*nr : jr*nr*k+(pc+kc)*nr]
			for ir := ir0; ir < ir1; ir++ {
				g.tile(ir, jr, pc, kc, bp, acc, tile)
			}
		}
	}
}

// tile computes the register tile of A panel ir and B panel jr over
// k-slice [pc, pc+kc); bp is that slice of the packed B panel.
func (g *gemmTask) tile(ir, jr, pc, kc int, bp []float32, acc bool, tile []float32) {
	mr, nr, k := g.mr, g.nr, g.k
	j0 := jr * nr
	cols := min(nr, g.n-j0)
	ap := g.packA[ir*mr*k+pc*mr : ir*mr*k+(pc+kc)*mr]
	i0 := ir * mr
	rows := min(mr, g.m-i0)
	if rows == mr && cols == nr {
		g.micro(kc, ap, bp, g.c[i0*g.ldc+j0:(i0+mr-1)*g.ldc+j0+nr], g.ldc, acc)
		return
	}
	// Edge tile: work on a full copy aside and keep the valid part.
	// Loading C into the tile (rather than adding the tile to C
	// afterwards) keeps the order of additions of every element the same
	// wherever it sits, so a row of C does not depend on m, n or the
	// tiling: a token's logits are the same whatever batch it was
	// computed in.
	if acc {
		for i := 0; i < rows; i++ {
			copy(tile[i*nr:i*nr+cols], g.c[(i0+i)*g.ldc+j0:(i0+i)*g.ldc+j0+cols])
		}
	}
	g.micro(kc, ap, bp, tile, nr, acc)
	for i := 0; i < rows; i++ {
		copy(g.c[(i0+i)*g.ldc+j0:(i0+i)*g.ldc+j0+cols], tile[i*nr:i*nr+cols])
	}
}

// gemmState is the pool's GEMM scratch, reused across calls.
type gemmState struct {
	gemmMu sync.Mutex
	gemm   gemmTask
}
