package nn

import (
	"time"

	"github.com/milp-lite/milp-lite/kernels"
)

// loraChunkRows bounds the rows of one LoRA work item, so that a long
// prompt's rows spread over the workers like many short sequences do.
const loraChunkRows = 16

// loraItem is rows lo..hi-1 of one group of sequences sharing adapters.
type loraItem struct {
	adapters []Adapter
	lo, hi   int
}

// loraTask applies each row's own adapters on the pool: one item per group
// of rows sharing adapters (chunked), each worker with its own scratch.
type loraTask struct {
	items   []loraItem
	scratch [][]float32

	layer int
	site  Site
	y, x  []float32
	yDim  int
	xDim  int
}

func (t *loraTask) init(workers, rows, seqs int) {
	t.items = make([]loraItem, 0, seqs+rows/loraChunkRows+1)
	t.scratch = make([][]float32, workers)
}

// plan lists the step's items and sizes the workers' scratch for the
// adapters in it (the only allocation, when a larger rank first joins).
func (t *loraTask) plan(p *stepPlan) {
	t.items = t.items[:0]
	need := 0
	for i := 0; i < len(p.seqs); {
		s := p.seqs[i]
		j := i + 1
		for j < len(p.seqs) && sameAdapters(s.Adapters, p.seqs[j].Adapters) {
			j++
		}
		if len(s.Adapters) > 0 {
			for _, a := range s.Adapters {
				need = max(need, a.ScratchLen())
			}
			end := p.lo[j-1] + p.n[j-1]
			for lo := p.lo[i]; lo < end; lo += loraChunkRows {
				t.items = append(t.items, loraItem{adapters: s.Adapters, lo: lo, hi: min(lo+loraChunkRows, end)})
			}
		}
		i = j
	}
	for w := range t.scratch {
		if cap(t.scratch[w]) < need {
			t.scratch[w] = make([]float32, need)
		}
	}
}

// adapt implements sequenceOps for the batch.
func (b *Batch) adapt(l int, site Site, y, x []float32, rows int) {
	t := &b.lora
	if len(t.items) == 0 {
		return
	}
	if b.opts.Profile {
		defer b.since(time.Now(), &b.Profile.LoRA)
	}
	t.layer, t.site, t.y, t.x, t.yDim, t.xDim = l, site, y, x, len(y)/rows, len(x)/rows
	kernels.Default().For(len(t.items), 1, t)
	t.y, t.x = nil, nil
}

func (t *loraTask) Do(lo, hi, worker int) {
	for _, it := range t.items[lo:hi] {
		y, x := t.y[it.lo*t.yDim:it.hi*t.yDim], t.x[it.lo*t.xDim:it.hi*t.xDim]
		for _, a := range it.adapters {
			a.Adapt(t.layer, t.site, y, x, it.hi-it.lo, t.scratch[worker])
		}
	}
}
