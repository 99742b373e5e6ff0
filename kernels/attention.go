package kernels

import "math"

// AttentionArgs describes causal grouped-query attention of a batch of queries
// against a KV cache. Query b sits at position Pos0+b and sees cache positions
// 0..Pos0+b. Rows of K and V are KVHeads×HeadSize values, one row per position;
// query head h reads KV head h / (Heads/KVHeads).
//
// An F16 cache sets K16 and V16 instead of K and V: the same rows as IEEE
// half-precision bits, half the bytes to store and to read. Halves widen
// to float32 exactly, so the result has the bits K and V holding the
// widened values would give, on every path.
type AttentionArgs struct {
	Out, Q   []float32 // Batch rows of Heads×HeadSize
	K, V     []float32 // cache rows for positions 0..Pos0+Batch-1
	K16, V16 []uint16  // the cache in halves, used instead of K and V when K16 is not nil
	Batch    int
	Pos0     int
	Heads    int
	KVHeads  int
	HeadSize int
}

// Attention computes softmax(q·Kᵀ/√d)·V for every (query, head) pair, split
// across the pool: a single query (generation) head by head with dot
// products, a batch on the GEMM's register tiles (attention_tiled.go).
func Attention(a *AttentionArgs) { Default().Attention(a) }

// Attention is the package function on a given pool.
func (p *Pool) Attention(a *AttentionArgs) {
	p.attnMu.Lock()
	if a.Batch >= attnTileMinBatch {
		p.attentionTiled(a)
		p.attnMu.Unlock()
		return
	}
	t := &p.attn
	t.a = a
	t.scratch = p.growScratch(t.scratch, a.Pos0+a.Batch)
	if a.K16 != nil && !f16Fused(a) {
		t.wide = p.growScratch(t.wide, 2*(a.Pos0+a.Batch)*a.HeadSize)
	}
	// A single token over a short cache is a few microseconds of work:
	// less than waking a worker (see matVecMinBytesPerWorker).
	if work := a.Batch * a.Heads * (a.Pos0 + a.Batch) * a.HeadSize; work < attnMinWork {
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
	a       *AttentionArgs
	scratch [][]float32
	wide    [][]float32 // per worker: a head's keys and values widened from halves
}

// fusedAttention reports whether the level has fused one-query kernels
// for a's head size; f16Fused whether it has them for halves too.
func fusedAttention(a *AttentionArgs) bool {
	return impl.attnScores != nil && a.HeadSize%impl.attnOneWidth == 0
}

func f16Fused(a *AttentionArgs) bool { return fusedAttention(a) && impl.attnScoresF16 != nil }

func (t *attentionTask) Do(lo, hi, worker int) {
	a := t.a
	hs := a.HeadSize
	qDim, kvDim := a.Heads*hs, a.KVHeads*hs
	group := a.Heads / a.KVHeads
	scale := float32(1 / math.Sqrt(float64(hs)))
	fused, halves := fusedAttention(a), f16Fused(a)
	for i := lo; i < hi; i++ {
		b, h := i/a.Heads, i%a.Heads
		n := a.Pos0 + b + 1
		q := a.Q[b*qDim+h*hs : b*qDim+(h+1)*hs]
		kvOff := (h / group) * hs
		scores := t.scratch[worker][:n]
		out := a.Out[b*qDim+h*hs : b*qDim+(h+1)*hs]
		// The cache rows this head reads: the fused kernels do not check
		// bounds, so these slices prove them.
		if a.K16 != nil && halves {
			impl.attnScoresF16(q, a.K16[kvOff:(n-1)*kvDim+kvOff+hs], kvDim, n, scale, scores)
			Softmax(scores)
			clear(out)
			impl.attnMixF16(scores, a.V16[kvOff:(n-1)*kvDim+kvOff+hs], kvDim, out)
			continue
		}
		k, v, stride := t.headRows(kvOff, n, worker)
		if fused {
			impl.attnScores(q, k, stride, n, scale, scores)
			Softmax(scores)
			clear(out)
			impl.attnMix(scores, v, stride, out)
			continue
		}
		for p := 0; p < n; p++ {
			scores[p] = Dot(q, k[p*stride:p*stride+hs]) * scale
		}
		Softmax(scores)
		clear(out)
		for p := 0; p < n; p++ {
			Axpy(scores[p], v[p*stride:p*stride+hs], out)
		}
	}
}

// headRows returns the keys and values of the n positions of the KV head
// at kvOff, and the stride between positions: the cache's own rows, or
// from an F16 cache on a level without kernels for halves, the head's rows
// widened into the worker's scratch (one after the other).
func (t *attentionTask) headRows(kvOff, n, worker int) (k, v []float32, stride int) {
	a := t.a
	hs, kvDim := a.HeadSize, a.KVHeads*a.HeadSize
	if a.K16 == nil {
		return a.K[kvOff : (n-1)*kvDim+kvOff+hs], a.V[kvOff : (n-1)*kvDim+kvOff+hs], kvDim
	}
	k, v = t.wide[worker][:n*hs], t.wide[worker][n*hs:2*n*hs]
	for p := 0; p < n; p++ {
		impl.widenF16(a.K16[p*kvDim+kvOff:p*kvDim+kvOff+hs], k[p*hs:(p+1)*hs])
		impl.widenF16(a.V16[p*kvDim+kvOff:p*kvDim+kvOff+hs], v[p*hs:(p+1)*hs])
	}
	return k, v, hs
}
