package kernels

import "math"

// AttentionArgs describes causal grouped-query attention of a batch of queries
// against a KV cache. Query b sits at position Pos0+b and sees cache positions
// 0..Pos0+b. Rows of K and V are KVHeads×HeadSize values, one row per position;
// query head h reads KV head h / (Heads/KVHeads).
type AttentionArgs struct {
	Out, Q   []float32 // Batch rows of Heads×HeadSize
	K, V     []float32 // cache rows for positions 0..Pos0+Batch-1
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
}

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
	qDim, kvDim := a.Heads*hs, a.KVHeads*hs
	group := a.Heads / a.KVHeads
	scale := float32(1 / math.Sqrt(float64(hs)))
	n := a.Pos0 + b + 1
	q := a.Q[b*qDim+h*hs : b*qDim+(h+1)*hs]
	kvOff := (h / group) * hs
	scores := scratch[:n]
	out := a.Out[b*qDim+h*hs : b*qDim+(h+1)*hs]
	// The cache rows this head reads: the fused kernels do not check
	// bounds, so these slices prove them.
	k := a.K[kvOff : (n-1)*kvDim+kvOff+hs]
	v := a.V[kvOff : (n-1)*kvDim+kvOff+hs]
	if ks := &impl; ks.attnScores != nil && hs%ks.attnOneWidth == 0 {
		ks.attnScores(q, k, kvDim, n, scale, scores)
		Softmax(scores)
		clear(out)
		ks.attnMix(scores, v, kvDim, out)
		return
	}
	for p := 0; p < n; p++ {
		scores[p] = Dot(q, k[p*kvDim:p*kvDim+hs]) * scale
	}
	Softmax(scores)
	clear(out)
	for p := 0; p < n; p++ {
		Axpy(scores[p], v[p*kvDim:p*kvDim+hs], out)
	}
}
