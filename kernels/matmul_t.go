package kernels

import "github.com/milp-lite/milp-lite/quant"

// MatMulT computes dst[b] = Wᵀ · dy[b]: dy holds batch rows of w.Rows values,
// dst batch rows of w.Cols values. It is the backward pass of MatMul with
// respect to its input, for weights of any type.
//
// A batch of gemmMinBatch or more uses the GEMM, W expanded to float32 tile
// by tile into its packing buffers (gemm_matrix.go). For a single vector,
// workers own disjoint column ranges, whole blocks of the stored type, and
// walk every row: each expands only its own part of each row, and no two
// workers write the same output.
func MatMulT(dst []float32, w *Matrix, dy []float32, batch int) {
	Default().MatMulT(dst, w, dy, batch)
}

// MatMulT is the package function on a given pool.
func (p *Pool) MatMulT(dst []float32, w *Matrix, dy []float32, batch int) {
	if batch >= gemmMinBatch {
		// dst (batch×cols) = dy (batch×rows) · W (rows×cols), W expanded
		// tile by tile into the GEMM's packing buffers.
		p.gemmW(batch, dy[:batch*w.Rows], w, false, dst[:batch*w.Cols], w.Cols)
		return
	}
	p.mmtMu.Lock()
	t := &p.mmt
	t.dst, t.w, t.dy, t.batch = dst[:batch*w.Cols], w, dy[:batch*w.Rows], batch
	t.span = w.Type.BlockSize()
	if t.span == 1 {
		t.span = 64 // plain types: chunks of 64 columns
	}
	t.scratch = p.growScratch(t.scratch, w.Cols)
	spans := (w.Cols + t.span - 1) / t.span
	p.For(spans, max(1, spans/(4*p.size)), t)
	t.dst, t.w, t.dy = nil, nil, nil
	p.mmtMu.Unlock()
}

type matMulTTask struct {
	dst, dy []float32
	w       *Matrix
	batch   int
	span    int // columns per unit of work: one block of the stored type
	scratch [][]float32
}

func (t *matMulTTask) Do(lo, hi, worker int) {
	w := t.w
	c0, c1 := lo*t.span, min(hi*t.span, w.Cols)
	for b := 0; b < t.batch; b++ {
		clear(t.dst[b*w.Cols+c0 : b*w.Cols+c1])
	}
	seg := t.scratch[worker][:c1-c0]
	bs, bb := w.Type.BlockSize(), w.Type.BlockBytes()
	for r := 0; r < w.Rows; r++ {
		if w.f32 != nil {
			seg = w.f32[r*w.Cols+c0 : r*w.Cols+c1]
		} else {
			row := w.Data[r*w.rowBytes:]
			// Sizes were checked in NewMatrix and spans are whole blocks.
			_ = quant.Dequantize(w.Type, row[c0/bs*bb:c1/bs*bb], seg)
		}
		for b := 0; b < t.batch; b++ {
			if g := t.dy[b*w.Rows+r]; g != 0 {
				Axpy(g, seg, t.dst[b*w.Cols+c0:b*w.Cols+c1])
			}
		}
	}
}
