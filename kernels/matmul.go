package kernels

import "sync"

// MatMul computes dst[b] = W · x[b] for batch vectors: x holds batch rows of
// w.Cols values, dst batch rows of w.Rows values. Rows of W are split across
// the pool; each quantised row is expanded once and used for the whole batch,
// so a batch reads the weights once.
func MatMul(dst []float32, w *Matrix, x []float32, batch int) {
	Default().MatMul(dst, w, x, batch)
}

// MatMul is the package function on a given pool.
func (p *Pool) MatMul(dst []float32, w *Matrix, x []float32, batch int) {
	p.mmMu.Lock()
	t := &p.mm
	t.dst, t.w, t.x, t.batch = dst[:batch*w.Rows], w, x[:batch*w.Cols], batch
	t.scratch = p.growScratch(t.scratch, w.Cols)
	p.For(w.Rows, rowGrain(w.Rows, p.size), t)
	t.dst, t.w, t.x = nil, nil, nil
	p.mmMu.Unlock()
}

// rowGrain picks how many rows one chunk holds: about eight chunks per worker
// balance the load while keeping the per-chunk overhead small.
func rowGrain(rows, workers int) int {
	return max(1, rows/(8*workers))
}

type matMulTask struct {
	dst, x  []float32
	w       *Matrix
	batch   int
	scratch [][]float32 // one row buffer per worker
}

func (t *matMulTask) Do(lo, hi, worker int) {
	rows, cols := t.w.Rows, t.w.Cols
	for r := lo; r < hi; r++ {
		row := t.w.Row(r, t.scratch[worker])
		for b := 0; b < t.batch; b++ {
			t.dst[b*rows+r] = Dot(row, t.x[b*cols:(b+1)*cols])
		}
	}
}

// growScratch returns one buffer of at least n floats per worker, reusing s.
func (p *Pool) growScratch(s [][]float32, n int) [][]float32 {
	if len(s) != p.size {
		s = make([][]float32, p.size)
	}
	for i := range s {
		if cap(s[i]) < n {
			s[i] = make([]float32, n)
		}
		s[i] = s[i][:n]
	}
	return s
}

// poolOps is the per-pool state of the operations the pool runs: one task
// value per operation, so handing it to For never allocates.
type poolOps struct {
	mmMu   sync.Mutex
	mm     matMulTask
	mmtMu  sync.Mutex
	mmt    matMulTTask
	attnMu sync.Mutex
	attn   attentionTask
}
