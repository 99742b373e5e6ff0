package kernels

// X·Wᵀ (a batch of tokens through a weight matrix: prompt processing and
// the training forward) with W read in place. The general GEMM puts W's
// rows in the vector lanes, which needs W transposed into panels first, a
// pass over W from memory per batch that costs a large share of prompt
// processing. Here the tile is Cᵀ
// instead: 8 rows of W, each value broadcast straight from its row, by 32
// tokens of X in the lanes. Only X (a few hundred KB, in cache) is packed,
// and the tile is transposed in registers on its way to C.
//
// Quantised and half-precision W rows are expanded to float32 once per
// task, into a per-worker buffer, and read the same way.
//
// k is not sliced: every element of C is one sum over k in order, so a
// token's results do not depend on the batch it came in (as in gemmTask).

// The tile is R rows of W by T tokens (kernelSet.gemmWTRows and
// gemmWTTokens: 8×32 for AVX-512, 6×16 for AVX2).
const (
	// wtGroupTokens is how many tokens of X a task runs its W rows past
	// before moving on: 128 tokens × k values stay in a 1 MB L2. (Smaller
	// groups did not help where L2 is smaller.)
	wtGroupTokens = 128
	// wtTaskBytes bounds the W rows (as float32) one task holds, so that
	// they stay in L2 while the X panels of every group pass.
	wtTaskBytes = 256 << 10
)

// gemmWTGeneric is the portable twin of the assembly tiles, for R rows of W
// and T tokens: c[t·ldc+i] = Σ_p w[i·ldw+p]·x[p·T+t] for i < R, t < T.
func gemmWTGeneric(rows, tokens, k int, w []float32, ldw int, x, c []float32, ldc int) {
	for i := 0; i < rows; i++ {
		row := w[i*ldw : i*ldw+k]
		for t := 0; t < tokens; t++ {
			var s float32
			for p, v := range row {
				s += v * x[p*tokens+t]
			}
			c[t*ldc+i] = s
		}
	}
}

// Product is one weight matrix a batch goes through, and where its result
// goes: Dst holds batch rows of W.Rows values.
type Product struct {
	Dst []float32
	W   *Matrix
}

// MatMulMany computes products[i].Dst = W_i · x for every product of one
// batch on the default pool, as MatMul would one by one. The batch is
// packed once for all of them and their tiles share one parallel loop: q, k
// and v (or gate and up) of a layer read the same normed activations.
func MatMulMany(x []float32, batch int, products []Product) {
	Default().MatMulMany(x, batch, products)
}

// MatMulMany is the package function on a given pool.
func (p *Pool) MatMulMany(x []float32, batch int, products []Product) {
	if batch < gemmMinBatch && p.matVecMany(x, batch, products) {
		return
	}
	if batch < gemmMinBatch || impl.gemmWT == nil {
		for _, pr := range products {
			p.MatMul(pr.Dst, pr.W, x, batch)
		}
		return
	}
	for _, pr := range products[1:] {
		if pr.W.Cols != products[0].W.Cols {
			panic("kernels: MatMulMany products of different widths")
		}
	}
	k := products[0].W.Cols
	var buf [8]Product
	if rest := p.matMulManyInt(x[:batch*k], batch, products, buf[:]); len(rest) > 0 {
		p.gemmWT(batch, x[:batch*k], rest)
	}
}

// matVecMany runs the products as one matVec (one quantisation of x, one
// parallel loop over all their rows: generation's k and v projections are
// too small to split on their own) and reports whether it could.
func (p *Pool) matVecMany(x []float32, batch int, products []Product) bool {
	if len(products) > len(p.mm.segs) {
		return false
	}
	for _, pr := range products[1:] {
		if !matVecCompatible(pr.W, products[0].W) {
			return false
		}
	}
	p.mmMu.Lock()
	for i, pr := range products {
		p.mm.segs[i] = matVecSeg{w: pr.W, dst: pr.Dst[:batch*pr.W.Rows]}
	}
	p.matVec(x, batch, len(products))
	p.mmMu.Unlock()
	return true
}

// wtProduct is one product of a gemmWT call and how its tasks cut it.
type wtProduct struct {
	w         *Matrix
	c         []float32 // batch rows of n values
	n         int
	blocks    int // R-row blocks of W (R = the tile's rows)
	perTask   int // blocks per task
	firstTask int // index of its first task in the loop
}

// gemmWT is gemmW for X·Wᵀ on a level with a gemmWT tile, for one or more
// weight matrices of the same width: C_i (m rows of W_i.Rows values) =
// X (m rows of k values) · W_iᵀ.
func (p *Pool) gemmWT(m int, x []float32, products []Product) {
	k := products[0].W.Cols
	p.gemmMu.Lock()
	defer p.gemmMu.Unlock()
	g := &p.gemm
	g.m, g.k, g.a = m, k, x
	g.wt, g.transpose, g.dequant = impl.gemmWT, impl.packPanel, dequantSetOf(&impl)
	g.wtR, g.wtT = impl.gemmWTRows, impl.gemmWTTokens
	wtRows, wtTokens := g.wtR, g.wtT
	g.xPanels = (m + wtTokens - 1) / wtTokens
	g.packB = grow(g.packB, g.xPanels*wtTokens*k)

	// Tasks of whole R-row blocks: at least three per worker and product
	// so the last ones balance, at most wtTaskBytes of W each.
	g.wtProds = g.wtProds[:0]
	tasks, perTaskMax, inPlace := 0, 1, true
	for _, pr := range products {
		inPlace = inPlace && pr.W.f32 != nil
		n := pr.W.Rows
		blocks := (n + wtRows - 1) / wtRows
		per := max(1, min(blocks/(3*p.size), wtTaskBytes/(4*wtRows*k)))
		g.wtProds = append(g.wtProds, wtProduct{w: pr.W, c: pr.Dst[:m*n], n: n, blocks: blocks, perTask: per, firstTask: tasks})
		tasks += (blocks + per - 1) / per
		perTaskMax = max(perTaskMax, per)
	}
	if len(g.bufB) != p.size {
		g.bufB, g.tmp = make([][]float32, p.size), make([][]float32, p.size)
	}
	if len(g.tiles) != p.size {
		g.tiles = make([][]float32, p.size)
	}
	for i := 0; i < p.size; i++ {
		g.bufB[i] = grow(g.bufB[i], perTaskMax*wtRows*k)
		g.tiles[i] = grow(g.tiles[i], wtRows*wtTokens)
	}

	// With more X panels than a group and every W read in place, the loop
	// runs group after group, each task one group's panels past its
	// blocks: a worker's X then stays one group (128 tokens × k values) in
	// its L2 instead of all of X passing through it for every task. W is
	// then read once per group instead of once, which costs less than X's
	// passes did, even with W streaming from memory.
	// Expanded rows (quantised W) keep the groups inside the task, so
	// that each block is expanded once.
	g.wtGroupTasks, g.wtGroups = tasks, 1
	if wtGroupPanels := max(1, wtGroupTokens/wtTokens); inPlace && g.xPanels > wtGroupPanels {
		g.wtGroups = (g.xPanels + wtGroupPanels - 1) / wtGroupPanels
	}
	g.phase = gemmPackX
	p.For(g.xPanels, 1, g)
	g.phase = gemmComputeWT
	p.For(g.wtGroups*tasks, 1, g)
	g.a = nil
	for i := range g.wtProds {
		g.wtProds[i] = wtProduct{}
	}
}

// packXPanel stores tokens [T·t, T·t+T) of X as k rows of T values,
// zero past the last token.
func (g *gemmTask) packXPanel(t int) {
	k, wtTokens := g.k, g.wtT
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

// blockWT runs task t of the loop: a range of R-row blocks of one product's
// W, for the tokens of one group of X panels (wtGroups > 1) or all of them.
func (g *gemmTask) blockWT(t, worker int) {
	group := t / g.wtGroupTasks
	t %= g.wtGroupTasks
	pi := len(g.wtProds) - 1
	for pi > 0 && g.wtProds[pi].firstTask > t {
		pi--
	}
	pr := &g.wtProds[pi]
	t -= pr.firstTask
	k, n, w := g.k, pr.n, pr.w
	wtRows, wtTokens := g.wtR, g.wtT
	wtGroupPanels := max(1, wtGroupTokens/wtTokens)
	b0, b1 := t*pr.perTask, min((t+1)*pr.perTask, pr.blocks)
	r0, r1 := b0*wtRows, min(b1*wtRows, n)
	// F32 rows are read in place unless the last block is short of rows.
	inPlace := w.f32 != nil && r1-r0 == (b1-b0)*wtRows
	var rows []float32
	if inPlace {
		rows = w.f32[r0*k : r1*k]
	} else {
		rows = g.bufB[worker][:(b1-b0)*wtRows*k]
		for r := r0; r < r1; r++ {
			expandRow(w, r, 0, rows[(r-r0)*k:(r-r0+1)*k], g.dequant)
		}
		clear(rows[(r1-r0)*k:])
	}
	tile := g.tiles[worker][:wtRows*wtTokens]
	ldc := n
	// W read in place streams from memory: while a block meets the X
	// panels of a group, the tiles prefetch the next block, a share per
	// panel, rather than stall on it when it comes.
	blockBytes := wtRows * k * 4
	pEnd := g.xPanels
	if g.wtGroups > 1 {
		pEnd = min(g.xPanels, (group+1)*wtGroupPanels)
	}
	for p0 := group * wtGroupPanels; p0 < pEnd; p0 += wtGroupPanels {
		p1 := min(p0+wtGroupPanels, g.xPanels)
		share := (blockBytes + (p1-p0)*k - 1) / ((p1 - p0) * k) // bytes per k step
		for b := b0; b < b1; b++ {
			wb := rows[(b-b0)*wtRows*k : (b-b0+1)*wtRows*k]
			j0 := b * wtRows
			cols := min(wtRows, n-j0)
			next, step := wb, 0
			if inPlace && (b+1)*wtRows+wtRows <= n {
				next, step = w.f32[(b+1)*wtRows*k:(b+2)*wtRows*k], share
			}
			for xp := p0; xp < p1; xp++ {
				x := g.packB[xp*wtTokens*k : (xp+1)*wtTokens*k]
				t0 := xp * wtTokens
				toks := min(wtTokens, g.m-t0)
				pf := next[min(len(next)-1, (xp-p0)*share*k/4):]
				if cols == wtRows && toks == wtTokens {
					// The assembly does not check bounds: the slice proves them.
					out := pr.c[t0*ldc+j0 : (t0+wtTokens-1)*ldc+j0+wtRows]
					g.wt(k, wb, k, x, out, ldc, pf, step)
					continue
				}
				g.wt(k, wb, k, x, tile, wtRows, pf, step)
				for j := 0; j < toks; j++ {
					copy(pr.c[(t0+j)*ldc+j0:(t0+j)*ldc+j0+cols], tile[j*wtRows:j*wtRows+cols])
				}
			}
		}
	}
}
