package kernels

import "github.com/milp-lite/milp-lite/quant"

// intProduct is one matrix of a batched integer product and how the loop's
// tasks cut it.
type intProduct struct {
	w      *Matrix
	dst    []float32
	kern   interleavedGemm
	slot   int // its bias terms: intGemmTask.xc[slot]
	groups int // interleaved groups of sixteen rows
	per    int // groups per task
	first  int // index of its first task in the loop
}

// intGemmTask runs a batch through matrices of the 32-wide interleaved types
// (interleaved_gemm.go) on the pool.
type intGemmTask struct {
	prods         [4]intProduct
	n             int
	batch, tokens int // tokens: the kernels' tile
	tiles, nb     int
	xq            []int8                 // quantised activations, token-major
	xd            []float32              // their block scales
	xc            [len(ilBiased)][]int32 // bias terms of each type present
	pq            []int8                 // the same, tile after tile (packTile)
	pd            []float32
	pc            [len(ilBiased)][]int32
	tmp           [][]float32 // one tile of results per worker, for the last, short tile
}

// matMulIntOK reports whether a batch of batch tokens through w takes the
// integer path: the level has a batched kernel for w's type and w has an
// interleaved copy (made here on first use).
func (p *Pool) matMulIntOK(w *Matrix, batch int) bool {
	return batch >= gemmMinBatch && impl.interleavedGemmKernel(w.Type) != nil && w.interleaved(p) != nil
}

// matMulInt computes products[i].Dst = W_i · x for a batch through matrices
// that all pass matMulIntOK and share their width: x is quantised once, and
// the groups of every matrix are one parallel loop.
func (p *Pool) matMulInt(x []float32, batch int, products []Product) {
	p.intMu.Lock()
	defer p.intMu.Unlock()
	t := &p.intGemm
	ks := impl
	cols := products[0].W.Cols
	nb := cols / quant.QK
	T := ks.ilTokens
	t.batch, t.tokens, t.nb, t.n = batch, T, nb, len(products)
	t.tiles = (batch + T - 1) / T
	t.xq, t.xd = growI8(t.xq, batch*cols), growF32(t.xd, batch*nb)
	ks.quantizeQ8(x[:batch*cols], t.xq, t.xd)
	t.pq, t.pd = growI8(t.pq, t.tiles*T*cols), growF32(t.pd, t.tiles*T*nb)
	for i := 0; i < t.tiles; i++ {
		packTile(t.xq, t.pq[i*T*cols:], batch, nb, quant.QK, i*T, T)
		packTile(t.xd, t.pd[i*T*nb:], batch, nb, 1, i*T, T)
	}
	for i := range t.xc {
		t.xc[i] = t.xc[i][:0]
	}
	tasks := 0
	for i, pr := range products {
		w := pr.W
		slot := ilBiasSlot(w.Type)
		if len(t.xc[slot]) == 0 {
			t.xc[slot] = growI32(t.xc[slot], batch*nb)
			blockBiasTerms(t.xq, ilOffset(w.Type), t.xc[slot])
			t.pc[slot] = growI32(t.pc[slot], t.tiles*T*nb)
			for j := 0; j < t.tiles; j++ {
				packTile(t.xc[slot], t.pc[slot][j*T*nb:], batch, nb, 1, j*T, T)
			}
		}
		groups := w.Rows / ilLanes
		per := max(1, groups/(4*p.size))
		t.prods[i] = intProduct{w: w, dst: pr.Dst[:batch*w.Rows], kern: ks.interleavedGemmKernel(w.Type),
			slot: slot, groups: groups, per: per, first: tasks}
		tasks += (groups + per - 1) / per
	}
	if len(t.tmp) != p.size {
		t.tmp = make([][]float32, p.size)
	}
	for i := range t.tmp {
		t.tmp[i] = growF32(t.tmp[i], T*ilLanes)
	}
	p.For(tasks, 1, t)
	for i := range t.prods {
		t.prods[i] = intProduct{}
	}
}

// Do runs tasks [lo, hi): each a range of one matrix's groups, every group
// past all the tiles of tokens while its weights are in cache.
func (t *intGemmTask) Do(lo, hi, worker int) {
	T, nb := t.tokens, t.nb
	cols := nb * quant.QK
	for task := lo; task < hi; task++ {
		pi := t.n - 1
		for pi > 0 && t.prods[pi].first > task {
			pi--
		}
		pr := &t.prods[pi]
		g0 := (task - pr.first) * pr.per
		g1 := min(g0+pr.per, pr.groups)
		rows := pr.w.Rows
		gb := ilLanes * pr.w.rowBytes
		pc := t.pc[pr.slot]
		for g := g0; g < g1; g++ {
			wg := pr.w.il.data[g*gb : (g+1)*gb]
			for i := 0; i < t.tiles; i++ {
				xq, xd, xc := t.pq[i*T*cols:(i+1)*T*cols], t.pd[i*T*nb:(i+1)*T*nb], pc[i*T*nb:(i+1)*T*nb]
				t0 := i * T
				if toks := t.batch - t0; toks < T {
					tile := t.tmp[worker]
					pr.kern(wg, 1, nb, xq, xd, xc, tile, ilLanes)
					for j := 0; j < toks; j++ {
						copy(pr.dst[(t0+j)*rows+g*ilLanes:][:ilLanes], tile[j*ilLanes:])
					}
					continue
				}
				// The assembly does not check bounds: the slice proves them.
				out := pr.dst[t0*rows+g*ilLanes : (t0+T-1)*rows+(g+1)*ilLanes]
				pr.kern(wg, 1, nb, xq, xd, xc, out, rows)
			}
		}
	}
}
