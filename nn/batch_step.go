package nn

import (
	"slices"
	"time"

	"github.com/milp-lite/milp-lite/kernels"
)

// stepPlan is what one step runs: which sequences, and their rows.
type stepPlan struct {
	seqs              []*Sequence // in row order; a sequence's rows are consecutive
	lo, n             []int       // seqs[i]'s rows are lo[i] .. lo[i]+n[i]-1
	tokens, positions []int32     // per row
	rows              int
	prompt            int // rows of prompts
	// paced is the prompts' rows the pace allowed (0: not paced), of at most
	// paceMost.
	paced, paceMost int
	picked          []*Sequence // scratch of planning, in arrival order,
	pickedN         []int       // with their row counts
}

func newStepPlan(rows, seqs int) stepPlan {
	return stepPlan{seqs: make([]*Sequence, 0, seqs), lo: make([]int, 0, seqs), n: make([]int, 0, seqs),
		tokens: make([]int32, rows), positions: make([]int32, rows),
		picked: make([]*Sequence, 0, seqs), pickedN: make([]int, 0, seqs)}
}

// Step runs one step: sequences cancelled leave, waiting ones join while
// there are slots and cache, then every active sequence advances by its next
// token or a chunk of its prompt, and those whose input is all in the cache
// draw their next token. It returns how many sequences are still active or
// waiting.
func (b *Batch) Step() int {
	start := time.Now()
	b.retireCancelled()
	b.admit()
	if len(b.active) > 0 {
		b.planStep()
		p := &b.plan
		b.forward(p.tokens[:p.rows], p.positions[:p.rows], b)
		for i, s := range p.seqs {
			s.pos += p.n[i]
		}
		b.sample()
		took := time.Since(start)
		if b.opts.StepTime > 0 {
			b.pace.observe(p.rows, p.prompt, p.paced > 0 && p.prompt == p.paced, took, b.opts.StepTime, p.paceMost)
		}
		if b.opts.Profile {
			b.Profile.Steps++
			b.Profile.Rows += p.rows
			b.Profile.Step += took
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.active) + len(b.waiting)
}

// retireCancelled ends the sequences cancelled since the last step.
func (b *Batch) retireCancelled() {
	for i := 0; i < len(b.active); {
		if s := b.active[i]; s.cancel.Load() {
			b.finish(i, StopCaller)
			continue
		}
		i++
	}
	b.mu.Lock()
	b.waiting = slices.DeleteFunc(b.waiting, func(s *Sequence) bool {
		if s.cancel.Load() {
			s.Reason = StopCaller
			close(s.done)
			return true
		}
		return false
	})
	b.mu.Unlock()
}

// admit moves waiting sequences in, first come first served, while there is
// a slot and the KV pool can lend the first one its cache.
func (b *Batch) admit() {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, s := range b.waiting {
		if len(b.active) == cap(b.active) {
			break
		}
		if s.kv = b.kv.get(s.positions(b.opts.Ctx)); s.kv == nil {
			break
		}
		b.active = append(b.active, s)
		n++
	}
	b.waiting = append(b.waiting[:0], b.waiting[n:]...)
}

// planStep chooses the step's rows: first one row for every sequence that
// is generating, so streams never wait for prompts, then prompt chunks of at
// most ChunkTokens, in order of arrival, within StepTokens, or while streams
// run within GeneratingStepTokens (at least a quarter of it for prompts) and
// within what fits StepTime, if set (at least minPacedPromptRows). Rows
// are laid out so that sequences with the same adapters are adjacent (one
// LoRA group).
func (b *Batch) planStep() {
	p := &b.plan
	p.picked, p.pickedN = p.picked[:0], p.pickedN[:0]
	for _, s := range b.active {
		if len(s.tokens)-s.pos == 1 && len(s.Generated) > 0 {
			p.picked, p.pickedN = append(p.picked, s), append(p.pickedN, 1)
		}
	}
	p.paced = 0
	budget := b.opts.StepTokens - len(p.picked)
	if streams := len(p.picked); streams > 0 {
		g := b.opts.GeneratingStepTokens
		if b.opts.StepTime > 0 {
			p.paceMost = min(budget, max(g-streams, minPacedPromptRows))
			budget = b.pace.promptRows(streams, b.opts.StepTime, p.paceMost)
			p.paced = budget
		} else {
			budget = min(budget, max(g-streams, g/4))
		}
	}
	p.prompt = 0
	for _, s := range b.active {
		if budget == 0 {
			break
		}
		if pending := len(s.tokens) - s.pos; pending > 1 || len(s.Generated) == 0 {
			n := min(pending, b.opts.ChunkTokens, budget)
			p.picked, p.pickedN = append(p.picked, s), append(p.pickedN, n)
			budget -= n
			p.prompt += n
		}
	}
	// Lay the rows out grouped by adapters, in arrival order within a group.
	p.seqs, p.lo, p.n, p.rows = p.seqs[:0], p.lo[:0], p.n[:0], 0
	for i, s := range p.picked {
		if s == nil {
			continue
		}
		for j := i; j < len(p.picked); j++ {
			t, n := p.picked[j], p.pickedN[j]
			if t == nil || !sameAdapters(s.Adapters, t.Adapters) {
				continue
			}
			p.seqs, p.lo, p.n = append(p.seqs, t), append(p.lo, p.rows), append(p.n, n)
			for r := range n {
				p.tokens[p.rows+r] = t.tokens[t.pos+r]
				p.positions[p.rows+r] = int32(t.pos + r)
			}
			p.rows += n
			p.picked[j] = nil
		}
	}
	b.lora.plan(p)
}

// sameAdapters reports whether two sequences use the same adapters.
func sameAdapters(a, b []Adapter) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// attend implements sequenceOps for the batch: each sequence's rows store
// their keys and values in its own cache and attend over it; the generating
// sequences' single queries go to the pool together.
func (b *Batch) attend(a *activations, l, rows int) {
	if b.opts.Profile {
		defer b.since(time.Now(), &b.Profile.Attend)
	}
	c := &b.m.Config
	qDim, kvDim := c.QDim(), c.KVDim()
	p := &b.plan
	b.attnOne = b.attnOne[:0]
	for i, s := range p.seqs {
		lo, n := p.lo[i], p.n[i]
		args := kernels.AttentionArgs{
			Out: a.att[lo*qDim : (lo+n)*qDim], Q: a.q[lo*qDim : (lo+n)*qDim],
			Batch: n, Pos0: s.pos, Heads: c.Heads, KVHeads: c.KVHeads, HeadSize: c.HeadDim,
		}
		s.kv.store(l, s.pos, a.k[lo*kvDim:(lo+n)*kvDim], a.v[lo*kvDim:(lo+n)*kvDim], &args)
		if n == 1 {
			b.attnOne = append(b.attnOne, args)
			continue
		}
		b.attnChunk = args
		kernels.Attention(&b.attnChunk)
	}
	kernels.AttentionMany(b.attnOne)
}

// sample draws the next token of every sequence whose input is all in the
// cache, from logits computed for those rows together.
func (b *Batch) sample() {
	c := &b.m.Config
	p := &b.plan
	k := 0
	for i, s := range p.seqs {
		if s.pos == len(s.tokens) {
			last := p.lo[i] + p.n[i] - 1
			copy(b.outX[k*c.Dim:(k+1)*c.Dim], b.x[last*c.Dim:(last+1)*c.Dim])
			k++
		}
	}
	for r := range k {
		kernels.RMSNorm(b.outN[r*c.Dim:(r+1)*c.Dim], b.outX[r*c.Dim:(r+1)*c.Dim], b.m.Weights.OutputNorm, c.NormEps)
	}
	if k > 0 {
		kernels.MatMul(b.logits[:k*c.VocabSize], b.m.Weights.Output, b.outN[:k*c.Dim], k)
	}
	k = 0
	for _, s := range p.seqs {
		if s.pos != len(s.tokens) {
			continue
		}
		logits := b.logits[k*c.VocabSize : (k+1)*c.VocabSize]
		k++
		if reason, stop := b.next(s, logits); stop {
			b.finish(slices.Index(b.active, s), reason)
		}
	}
}

// next draws s's next token from logits; stop says the sequence ended, and
// why.
func (b *Batch) next(s *Sequence, logits []float32) (StopReason, bool) {
	if len(s.Generated) >= s.MaxTokens {
		return StopLimit, true
	}
	if s.OnLogits != nil {
		s.OnLogits(logits)
	}
	tok := b.m.Tokenizer
	id := s.Sampler.Sample(logits, s.tokens[:s.pos])
	if tok.IsEOG(id) {
		return StopEOG, true
	}
	if s.pos >= b.opts.Ctx {
		return StopContextFull, true
	}
	s.Generated = append(s.Generated, id)
	if s.Emit != nil {
		if text := s.dec.Add(id); text != "" && !s.Emit(text) {
			return StopCaller, true
		}
	}
	if len(s.Generated) == s.MaxTokens {
		return StopLimit, true
	}
	s.tokens = append(s.tokens, id)
	return 0, false
}

// finish ends active sequence i: its text is flushed, its cache returns to
// the pool, and Done is closed.
func (b *Batch) finish(i int, reason StopReason) {
	s := b.active[i]
	if s.Emit != nil {
		if text := s.dec.Flush(); text != "" {
			s.Emit(text)
		}
	}
	s.Reason = reason
	b.kv.put(s.kv)
	s.kv = nil
	b.active = slices.Delete(b.active, i, i+1)
	close(s.done)
}

// since adds the time from start to *total.
func (b *Batch) since(start time.Time, total *time.Duration) { *total += time.Since(start) }
