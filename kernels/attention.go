package kernels

import (
	"math"
	"math/bits"
)

// AttentionArgs describes causal grouped-query attention of a batch of queries
// against a KV cache. Query b sits at position Pos0+b and sees cache positions
// 0..Pos0+b; query head h reads KV head h / (Heads/KVHeads).
//
// The cache is laid out KV head by KV head: head g's key (value) for
// position p is the HeadSize values at g·HeadStride + p·HeadSize. One head's
// rows are one run in memory, which the hardware prefetchers follow, where
// rows of every head per position would put a head's rows a stride apart.
//
// An F16 cache sets K16 and V16 instead of K and V: the same rows as IEEE
// half-precision bits, half the bytes to store and to read. Halves widen
// to float32 exactly, so the result has the bits K and V holding the
// widened values would give, on every path.
//
// An 8-bit cache sets K8 and V8 (and their scales KS and VS) instead: each
// head row is HeadSize signed bytes and one float32 scale, the row's
// values being byte × scale (QuantizeRowsQ8), a little over a quarter of
// float32's bytes. The result has the bits K and V holding those products
// would give: each path either dequantises the rows first or multiplies
// each byte by its scale as it is loaded, rounded as that float32 product.
type AttentionArgs struct {
	Out, Q     []float32 // Batch rows of Heads×HeadSize
	K, V       []float32 // the cache, holding positions 0..Pos0+Batch-1
	K16, V16   []uint16  // the cache in halves, used instead of K and V when K16 is not nil
	K8, V8     []int8    // the cache in bytes, used instead of K and V when K8 is not nil
	KS, VS     []float32 // the scales of K8's and V8's rows: row p of head g at g·HeadStride/HeadSize + p
	Batch      int
	Pos0       int
	Heads      int
	KVHeads    int
	HeadSize   int
	HeadStride int // values from one KV head's rows to the next's: the cache's capacity in positions × HeadSize
}

// headRows is where KV head g's rows for positions 0..n-1 are in K (V, K16,
// V16): the kernels do not check bounds, so their callers slice with it.
func (a *AttentionArgs) headRows(g, n int) (lo, hi int) {
	if a.HeadStride < (a.Pos0+a.Batch)*a.HeadSize {
		panic("kernels: AttentionArgs.HeadStride is shorter than the positions in use")
	}
	lo = g * a.HeadStride
	return lo, lo + n*a.HeadSize
}

// Attention computes softmax(q·Kᵀ/√d)·V for every (query, head) pair, split
// across the pool: a single query (generation) head by head with dot
// products, a batch on the GEMM's register tiles (attention_tiled.go).
func Attention(a *AttentionArgs) { Default().Attention(a) }

// Attention is the package function on a given pool.
func (p *Pool) Attention(a *AttentionArgs) {
	p.attnMu.Lock()
	t := &p.attn
	if widenFirst(a) {
		a = t.widened(a)
	}
	if a.Batch >= attnTileMinBatch {
		p.attentionTiled(a)
		p.attnMu.Unlock()
		return
	}
	t.a = a
	work := a.Batch * a.Heads * (a.Pos0 + a.Batch) * a.HeadSize
	// An 8-bit cache has no one-head kernels: a query over it that does
	// not take the grouped path goes KV head by KV head here (attendGroup).
	oneGroupAtATime := a.Batch == 1 && fusedAttention(a) &&
		(work < attnMinWork || a.K8 != nil && !groupedAttention(a))
	if oneGroupAtATime {
		t.scratch = p.growScratch(t.scratch, a.Heads/a.KVHeads*(a.Pos0+1)+q8ScratchFloats(a))
	} else {
		t.scratch = p.growScratch(t.scratch, a.Pos0+a.Batch)
	}
	// A single token over a short cache is a few microseconds of work:
	// less than waking a worker (see matVecMinBytesPerWorker). Done here,
	// it goes KV head by KV head as in a batch of sequences (AttentionMany),
	// each key met by the group's query heads at once.
	if oneGroupAtATime {
		for g := range a.KVHeads {
			attendGroup(a, g, t.scratch[0])
		}
	} else if work < attnMinWork {
		t.Do(0, a.Batch*a.Heads, 0)
	} else if groupedAttention(a) {
		p.attentionGrouped(a)
	} else {
		p.For(a.Batch*a.Heads, 1, t)
	}
	t.a = nil
	p.attnMu.Unlock()
}

// attnMinWork is the (query, head, position, dimension) count from which
// attention is split across the pool: below it, waking the workers costs
// more than they save.
const attnMinWork = 1 << 18

type attentionTask struct {
	a            *AttentionArgs
	scratch      [][]float32
	wideK, wideV []float32     // an F16 or 8-bit cache in float32 (widened)
	wideArgs     AttentionArgs // the arguments with them
}

// widenFirst reports whether a's F16 or 8-bit cache is widened into
// float32 before its path runs: where the path has no kernels reading it.
// A batch's tiles read halves themselves (widening a panel at a time where
// the level cannot load them), and bytes where q8Tiled; one query reads
// halves with the level's one-query kernels for them, and bytes with any
// one-query kernels (dequantised a block at a time where not in place).
func widenFirst(a *AttentionArgs) bool {
	tiled := a.Batch >= attnTileMinBatch
	switch {
	case a.K8 != nil:
		return tiled && !q8Tiled(a) || !tiled && !(a.Batch == 1 && fusedAttention(a))
	case a.K16 != nil:
		return !tiled && !f16Fused(a)
	}
	return false
}

// widened returns a with its F16 or 8-bit cache widened into float32, for
// a level or path without kernels for it: once a call, where widening each
// query head's rows would widen every KV head once per head of its group.
func (t *attentionTask) widened(a *AttentionArgs) *AttentionArgs {
	n := a.Pos0 + a.Batch
	t.wideK, t.wideV = growPow2(t.wideK, n*a.KVHeads*a.HeadSize), growPow2(t.wideV, n*a.KVHeads*a.HeadSize)
	t.wideArgs = *a
	t.wideArgs.K, t.wideArgs.V, t.wideArgs.K16, t.wideArgs.V16 = t.wideK, t.wideV, nil, nil
	t.wideArgs.K8, t.wideArgs.V8, t.wideArgs.KS, t.wideArgs.VS = nil, nil, nil, nil
	t.wideArgs.HeadStride = n * a.HeadSize
	hs := a.HeadSize
	for g := range a.KVHeads {
		lo, hi := a.headRows(g, n)
		wlo, whi := t.wideArgs.headRows(g, n)
		if a.K8 != nil {
			impl.dequantQ8Rows(a.K8[lo:hi], a.KS[lo/hs:hi/hs], hs, t.wideK[wlo:whi])
			impl.dequantQ8Rows(a.V8[lo:hi], a.VS[lo/hs:hi/hs], hs, t.wideV[wlo:whi])
			continue
		}
		impl.widenF16(a.K16[lo:hi], t.wideK[wlo:whi])
		impl.widenF16(a.V16[lo:hi], t.wideV[wlo:whi])
	}
	return &t.wideArgs
}

// growPow2 returns n floats, reusing s; new buffers round up to a power of
// two, so a cache growing a position at a time does not allocate at each.
func growPow2(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n, 1<<bits.Len(uint(n-1)))
	}
	return s[:n]
}

// fusedAttention reports whether the level has fused one-query kernels
// for a's head size; f16Fused whether it has them for halves too.
func fusedAttention(a *AttentionArgs) bool {
	return impl.attnScores != nil && a.HeadSize%impl.attnOneWidth == 0
}

func f16Fused(a *AttentionArgs) bool { return fusedAttention(a) && impl.attnScoresF16 != nil }

func (t *attentionTask) Do(lo, hi, worker int) {
	a := t.a
	for i := lo; i < hi; i++ {
		attendOne(a, i/a.Heads, i%a.Heads, t.scratch[worker])
	}
}

// attendOne computes query b's head h of a, with scratch for at least
// Pos0+b+1 scores.
func attendOne(a *AttentionArgs, b, h int, scratch []float32) {
	hs := a.HeadSize
	qDim := a.Heads * hs
	scale := float32(1 / math.Sqrt(float64(hs)))
	n := a.Pos0 + b + 1
	q := a.Q[b*qDim+h*hs : b*qDim+(h+1)*hs]
	lo, hi := a.headRows(h/(a.Heads/a.KVHeads), n)
	scores := scratch[:n]
	out := a.Out[b*qDim+h*hs : b*qDim+(h+1)*hs]
	if a.K16 != nil { // Pool.Attention widened it unless the level has kernels for halves
		impl.attnScoresF16(q, a.K16[lo:hi], hs, n, scale, scores)
		Softmax(scores)
		clear(out)
		impl.attnMixF16(scores, a.V16[lo:hi], hs, out)
		return
	}
	k, v := a.K[lo:hi], a.V[lo:hi]
	if fusedAttention(a) {
		impl.attnScores(q, k, hs, n, scale, scores)
		Softmax(scores)
		clear(out)
		impl.attnMix(scores, v, hs, out)
		return
	}
	for p := 0; p < n; p++ {
		scores[p] = Dot(q, k[p*hs:(p+1)*hs]) * scale
	}
	Softmax(scores)
	clear(out)
	for p := 0; p < n; p++ {
		Axpy(scores[p], v[p*hs:(p+1)*hs], out)
	}
}
