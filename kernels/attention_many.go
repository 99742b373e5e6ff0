package kernels

import "math"

// AttentionMany computes the attention of many independent sequences' single
// queries (a batch of sequences, each generating its next token), every
// (sequence, KV head) pair an item on the pool: the query heads of a group
// meet their keys and values while these are in L1, and where the level
// has attnMix3 three heads' weighted sums run side by side (twelve
// accumulators instead of four waiting on their own latency). Each args'
// Batch must be 1; the results have the bits Attention gives each args
// alone (the same kernels, in the same order, per head). Caches in halves
// or bytes take this path where the level reads them directly, else one
// Attention call each.
func AttentionMany(args []AttentionArgs) { Default().AttentionMany(args) }

// AttentionMany is the package function on a given pool.
func (p *Pool) AttentionMany(args []AttentionArgs) {
	if len(args) == 0 {
		return
	}
	if args[0].K16 != nil && !f16Fused(&args[0]) || args[0].K8 != nil && !fusedAttention(&args[0]) {
		for i := range args {
			p.Attention(&args[i])
		}
		return
	}
	p.attnMu.Lock()
	defer p.attnMu.Unlock()
	t := &p.attnMany
	t.args = args
	longest, work := 0, 0
	for i := range args {
		a := &args[i]
		if a.Batch != 1 || (a.K16 != nil) != (args[0].K16 != nil) || (a.K8 != nil) != (args[0].K8 != nil) {
			panic("kernels: AttentionMany takes one query per sequence, over caches of one type")
		}
		longest = max(longest, a.Pos0+1)
		work += a.Heads * (a.Pos0 + 1) * a.HeadSize
	}
	a := &args[0]
	t.fused = fusedAttention(a)
	t.kvHeads, t.group = a.KVHeads, a.Heads/a.KVHeads
	t.scratch = p.growScratch(t.scratch, t.group*longest+q8ScratchFloats(a))
	items := len(args) * t.kvHeads
	if work < attnMinWork {
		t.Do(0, items, 0)
	} else {
		p.For(items, 1, t)
	}
	t.args = nil
}

// attnManyTask runs item i = (sequence i/kvHeads, KV head i%kvHeads): every
// args of one call has the same heads (one model).
type attnManyTask struct {
	args           []AttentionArgs
	fused          bool // the level has fused kernels for the head size
	kvHeads, group int
	scratch        [][]float32
}

func (t *attnManyTask) Do(lo, hi, worker int) {
	for i := lo; i < hi; i++ {
		a, g := &t.args[i/t.kvHeads], i%t.kvHeads
		if !t.fused {
			for h := g * t.group; h < (g+1)*t.group; h++ {
				attendOne(a, 0, h, t.scratch[worker])
			}
			continue
		}
		attendGroup(a, g, t.scratch[worker])
	}
}

// attendGroup computes every query head of KV head g for a's single query
// with the level's fused kernels, the scores of the group's heads in rows
// of scratch (and after them q8ScratchFloats for an 8-bit cache): each head's
// arithmetic is attendOne's own.
func attendGroup(a *AttentionArgs, g int, scratch []float32) {
	hs, n := a.HeadSize, a.Pos0+1
	group := a.Heads / a.KVHeads
	scale := float32(1 / math.Sqrt(float64(hs)))
	lo, hi := a.headRows(g, n)
	h0 := g * group
	scoreGroup(a, h0, lo, hi, n, scale, scratch, n, group, scratch[group*n:])
	for j := range group {
		Softmax(scratch[j*n : (j+1)*n])
	}
	clear(a.Out[h0*hs : (h0+group)*hs])
	mixGroup(a, lo, hi, scratch, n, n, a.Out[h0*hs:], hs, group, scratch[group*n:])
}
