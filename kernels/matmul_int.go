package kernels

import "github.com/milp-lite/milp-lite/quant"

// intProduct is one matrix of a batched integer product and how the loop's
// tasks cut it.
type intProduct struct {
	w      *Matrix
	dst    []float32
	kern   interleavedGemm
	pc     []int32 // its per-block terms, tile after tile
	groups int     // interleaved groups of sixteen rows
	per    int     // groups per task
	first  int     // index of its first task in the loop
}

// intGemmTask runs a batch through interleaved matrices of one block size
// (interleaved_gemm.go) on the pool.
type intGemmTask struct {
	prods         [4]intProduct
	n             int
	batch, tokens int // tokens: the kernels' tile
	tiles, nb, bs int
	xq            []int8    // quantised activations, token-major
	xd            []float32 // their block scales
	xs            []int16   // their sums per 16 (256-blocks)
	xc            []int32   // a type's per-block terms
	pq            []int8    // the activations tile after tile (packTile)
	pd            []float32
	terms         [4][]int32  // the terms of product i's type, packed, when no earlier product has its type
	tmp           [][]float32 // one tile of results per worker, for the last, short tile
}

// integerBatches switches the integer path on; the accuracy test turns it
// off to compare with the float GEMM on the same model.
var integerBatches = true

// matMulIntOK reports whether a batch of batch tokens through w takes the
// integer path: the level has a batched kernel for w's type and w has an
// interleaved copy (made here on first use).
func (p *Pool) matMulIntOK(w *Matrix, batch int) bool {
	return integerBatches && batch >= gemmMinBatch && impl.interleavedGemmKernel(w.Type).run != nil && w.interleaved(p) != nil
}

// intShareable reports whether products through a and b (each passing
// matMulIntOK, of one width) can share one matMulInt: one block size and
// tile.
func intShareable(a, b *Matrix) bool {
	return a.Type.BlockSize() == b.Type.BlockSize() &&
		impl.interleavedGemmKernel(a.Type).tokens == impl.interleavedGemmKernel(b.Type).tokens
}

// matMulManyInt runs those of at most len(buf) products of one width that
// take the integer path, as few matMulInt calls as can share them (q, k and
// v of a Q4_K_M layer may be Q4_K, Q4_K and Q6_K, Qwen2.5's Q5_0 and Q4_K),
// and returns the others, copied to the front of buf.
func (p *Pool) matMulManyInt(x []float32, batch int, products, buf []Product) (rest []Product) {
	var done [8]bool
	if len(products) > len(done) || len(products) > len(buf) {
		return products
	}
	rest = buf[:0]
	for i, pr := range products {
		if done[i] {
			continue
		}
		if !p.matMulIntOK(pr.W, batch) {
			rest = append(rest, pr)
			continue
		}
		var group [len(intGemmTask{}.prods)]Product
		group[0] = pr
		n := 1
		for j := i + 1; j < len(products) && n < len(group); j++ {
			if !done[j] && intShareable(pr.W, products[j].W) && p.matMulIntOK(products[j].W, batch) {
				group[n], done[j] = products[j], true
				n++
			}
		}
		p.matMulInt(x, batch, group[:n])
	}
	return rest
}

// matMulInt computes products[i].Dst = W_i · x for a batch through at most
// four matrices that pass matMulIntOK and intShareable: x is quantised once, and the
// groups of every matrix are one parallel loop.
func (p *Pool) matMulInt(x []float32, batch int, products []Product) {
	p.intMu.Lock()
	defer p.intMu.Unlock()
	t := &p.intGemm
	ks := impl
	w0 := products[0].W
	cols, bs := w0.Cols, w0.Type.BlockSize()
	nb := cols / bs
	T := ks.interleavedGemmKernel(w0.Type).tokens
	t.batch, t.tokens, t.nb, t.bs, t.n = batch, T, nb, bs, len(products)
	t.tiles = (batch + T - 1) / T
	t.xq, t.xd = grow(t.xq, batch*cols), grow(t.xd, batch*nb)
	if bs == quant.QKK {
		t.xs = grow(t.xs, 16*batch*nb)
		ks.quantizeQ8K(x[:batch*cols], t.xq, t.xd, t.xs)
	} else {
		ks.quantizeQ8(x[:batch*cols], t.xq, t.xd)
	}
	t.pq, t.pd = grow(t.pq, t.tiles*T*cols), grow(t.pd, t.tiles*T*nb)
	for i := 0; i < t.tiles; i++ {
		packTile(t.xq, t.pq[i*T*cols:], batch, nb, bs, i*T, T)
		packTile(t.xd, t.pd[i*T*nb:], batch, nb, 1, i*T, T)
	}
	tasks := 0
	for i, pr := range products {
		w := pr.W
		// The terms of w's type: those of an earlier product of the same
		// type, or computed and packed now.
		j := 0
		for j < i && t.prods[j].w.Type != w.Type {
			j++
		}
		var pc []int32
		if j < i {
			pc = t.prods[j].pc
		} else {
			per := ilTermsPerBlock(w.Type)
			t.xc = grow(t.xc, batch*nb*per)
			ilTerms(w.Type, t.xq, t.xs, t.xc)
			t.terms[i] = grow(t.terms[i], t.tiles*T*nb*per)
			pc = t.terms[i]
			for k := 0; k < t.tiles; k++ {
				packTile(t.xc, pc[k*T*nb*per:], batch, nb, per, k*T, T)
			}
		}
		groups := w.Rows / ilLanes
		per := max(1, groups/(4*p.size))
		t.prods[i] = intProduct{w: w, dst: pr.Dst[:batch*w.Rows], kern: ks.interleavedGemmKernel(w.Type).run,
			pc: pc, groups: groups, per: per, first: tasks}
		tasks += (groups + per - 1) / per
	}
	if len(t.tmp) != p.size {
		t.tmp = make([][]float32, p.size)
	}
	for i := range t.tmp {
		t.tmp[i] = grow(t.tmp[i], T*ilLanes)
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
	cols := nb * t.bs
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
		tc := len(pr.pc) / t.tiles // terms per tile
		for g := g0; g < g1; g++ {
			wg := pr.w.il.data[g*gb : (g+1)*gb]
			for i := 0; i < t.tiles; i++ {
				xq, xd, xc := t.pq[i*T*cols:(i+1)*T*cols], t.pd[i*T*nb:(i+1)*T*nb], pr.pc[i*tc:(i+1)*tc]
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
