package kernels

// AttentionMany computes the attention of many independent sequences' single
// queries (a batch of sequences, each generating its next token), every
// (sequence, head) pair an item on the pool. Each args' Batch must be 1; the
// results have the bits Attention gives each args alone. Caches in halves
// take this path where the level reads halves directly, else one Attention
// call each.
func AttentionMany(args []AttentionArgs) { Default().AttentionMany(args) }

// AttentionMany is the package function on a given pool.
func (p *Pool) AttentionMany(args []AttentionArgs) {
	if len(args) == 0 {
		return
	}
	if args[0].K16 != nil && !f16Fused(&args[0]) {
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
		if a.Batch != 1 || (a.K16 != nil) != (args[0].K16 != nil) {
			panic("kernels: AttentionMany takes one query per sequence, over caches of one type")
		}
		longest = max(longest, a.Pos0+1)
		work += a.Heads * (a.Pos0 + 1) * a.HeadSize
	}
	t.scratch = p.growScratch(t.scratch, longest)
	items := len(args) * args[0].Heads
	if work < attnMinWork {
		t.Do(0, items, 0)
	} else {
		p.For(items, 1, t)
	}
	t.args = nil
}

// attnManyTask runs item i = (sequence i/heads, head i%heads): every args
// of one call has the same number of heads (one model).
type attnManyTask struct {
	args    []AttentionArgs
	scratch [][]float32
}

func (t *attnManyTask) Do(lo, hi, worker int) {
	heads := t.args[0].Heads
	for i := lo; i < hi; i++ {
		attendOne(&t.args[i/heads], 0, i%heads, t.scratch[worker])
	}
}
