package kernels

// X·Wᵀ (a batch of tokens through a weight matrix: prompt processing and
// the training forward) with W read in place. The general GEMM puts W's
// rows in the vector lanes, which needs W transposed into panels first:
// 15% of SmolLM2-135M's prompt processing went to those transposes, W being
// read from memory once per batch in 32-row strips. Here the tile is Cᵀ
// instead: 8 rows of W, each value broadcast straight from its row, by 32
// tokens of X in the lanes. Only X (a few hundred KB, in cache) is packed,
// and the tile is transposed in registers on its way to C.
//
// Quantised and half-precision W rows are expanded to float32 once per
// task, into a per-worker buffer, and read the same way.
//
// k is not sliced: every element of C is one sum over k in order, so a
// token's results do not depend on the batch it came in (as in gemmTask).

const (
	wtRows   = 8  // W rows per tile
	wtTokens = 32 // tokens per tile: one packed panel of X
	// wtGroupPanels is how many X panels a task runs its W rows past
	// before moving on: 128 tokens × k values stay in a 1 MB L2.
	wtGroupPanels = 4
	// wtTaskBytes bounds the W rows (as float32) one task holds, so that
	// they stay in L2 while the X panels of every group pass.
	wtTaskBytes = 256 << 10
)

// gemmWTGeneric is the portable twin of the assembly tile:
// c[t·ldc+i] = Σ_p w[i·ldw+p]·x[p·wtTokens+t] for i < wtRows, t < wtTokens.
func gemmWTGeneric(k int, w []float32, ldw int, x, c []float32, ldc int) {
	for i := 0; i < wtRows; i++ {
		row := w[i*ldw : i*ldw+k]
		for t := 0; t < wtTokens; t++ {
			var s float32
			for p, v := range row {
				s += v * x[p*wtTokens+t]
			}
			c[t*ldc+i] = s
		}
	}
}

// gemmWT is gemmW for X·Wᵀ on a level with a gemmWT tile: C (m rows of
// W.Rows values, stride ldc) = X (m rows of W.Cols values) · Wᵀ.
func (p *Pool) gemmWT(m int, x []float32, w *Matrix, c []float32, ldc int) {
	n, k := w.Rows, w.Cols
	p.gemmMu.Lock()
	defer p.gemmMu.Unlock()
	g := &p.gemm
	g.m, g.n, g.k, g.c, g.ldc = m, n, k, c, ldc
	g.a, g.w, g.wt, g.transpose = x, w, impl.gemmWT, impl.transpose
	g.bs, g.bb, g.dequantQ8 = w.Type.BlockSize(), w.Type.BlockBytes(), impl.dequantQ8_0
	g.xPanels = (m + wtTokens - 1) / wtTokens
	g.packB = growF32(g.packB, g.xPanels*wtTokens*k)

	// Tasks of whole 8-row blocks: at least three per worker so the last
	// ones balance, at most wtTaskBytes of W each.
	g.wtBlocks = (n + wtRows - 1) / wtRows
	g.wtPerTask = max(1, min(g.wtBlocks/(3*p.size), wtTaskBytes/(4*wtRows*k)))
	tasks := (g.wtBlocks + g.wtPerTask - 1) / g.wtPerTask
	if len(g.bufB) != p.size {
		g.bufB, g.tmp = make([][]float32, p.size), make([][]float32, p.size)
	}
	if len(g.tiles) != p.size {
		g.tiles = make([][]float32, p.size)
	}
	for i := 0; i < p.size; i++ {
		g.bufB[i] = growF32(g.bufB[i], g.wtPerTask*wtRows*k)
		g.tiles[i] = growF32(g.tiles[i], max(len(g.tiles[i]), wtRows*wtTokens))
	}

	g.phase = gemmPackX
	p.For(g.xPanels, 1, g)
	g.phase = gemmComputeWT
	p.For(tasks, 1, g)
	g.a, g.c, g.w = nil, nil, nil
}

// packXPanel stores tokens [32·t, 32·t+32) of X as k rows of 32 values,
// zero past the last token.
func (g *gemmTask) packXPanel(t int) {
	k := g.k
	dst := g.packB[t*wtTokens*k : (t+1)*wtTokens*k]
	t0 := t * wtTokens
	toks := min(wtTokens, g.m-t0)
	if toks == wtTokens {
		g.transpose(k, g.a[t0*k:], k, dst, wtTokens)
		return
	}
	clear(dst)
	for j := 0; j < toks; j++ {
		for p, v := range g.a[(t0+j)*k : (t0+j+1)*k] {
			dst[p*wtTokens+j] = v
		}
	}
}

// blockWT computes the columns of C of W row blocks [t·perTask,
// (t+1)·perTask) for every token.
func (g *gemmTask) blockWT(t, worker int) {
	k, n, w := g.k, g.n, g.w
	b0, b1 := t*g.wtPerTask, min((t+1)*g.wtPerTask, g.wtBlocks)
	r0, r1 := b0*wtRows, min(b1*wtRows, n)
	var rows []float32
	if w.f32 != nil && r1-r0 == (b1-b0)*wtRows {
		rows = w.f32[r0*k : r1*k]
	} else {
		rows = g.bufB[worker][:(b1-b0)*wtRows*k]
		for r := r0; r < r1; r++ {
			g.expandRow(r, 0, rows[(r-r0)*k:(r-r0+1)*k])
		}
		clear(rows[(r1-r0)*k:])
	}
	tile := g.tiles[worker][:wtRows*wtTokens]
	for p0 := 0; p0 < g.xPanels; p0 += wtGroupPanels {
		p1 := min(p0+wtGroupPanels, g.xPanels)
		for b := b0; b < b1; b++ {
			wb := rows[(b-b0)*wtRows*k : (b-b0+1)*wtRows*k]
			j0 := b * wtRows
			cols := min(wtRows, n-j0)
			for xp := p0; xp < p1; xp++ {
				x := g.packB[xp*wtTokens*k : (xp+1)*wtTokens*k]
				t0 := xp * wtTokens
				toks := min(wtTokens, g.m-t0)
				if cols == wtRows && toks == wtTokens {
					// The assembly does not check bounds: the slice proves them.
					out := g.c[t0*g.ldc+j0 : (t0+wtTokens-1)*g.ldc+j0+wtRows]
					g.wt(k, wb, k, x, out, g.ldc)
					continue
				}
				g.wt(k, wb, k, x, tile, wtRows)
				for j := 0; j < toks; j++ {
					copy(g.c[(t0+j)*g.ldc+j0:(t0+j)*g.ldc+j0+cols], tile[j*wtRows:j*wtRows+cols])
				}
			}
		}
	}
}
