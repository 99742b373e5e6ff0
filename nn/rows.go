package nn

import "github.com/milp-lite/milp-lite/kernels"

// The per-token steps between the matrix products (norms, residual adds,
// biases, rotary embedding, the SwiGLU gate) cost little per token, but a
// 128-token prompt run on the calling goroutine alone left the other
// workers idle for about a tenth of prompt processing. They run here as
// row loops on the worker pool, fused where one step feeds the next.

// rowOp is one fused per-token step.
type rowOp int

const (
	// opNorm: xb = rmsnorm(x)·w.
	opNorm rowOp = iota
	// opResidualNorm: x += xb, then xb = rmsnorm(x)·w: the end of one
	// block and the start of the next.
	opResidualNorm
	// opResidual: x += xb (the last block).
	opResidual
	// opQKV: the q/k/v biases (when the model has them), then the rotary
	// embedding of q and k at each token's position.
	opQKV
	// opSwiGLU: gate = silu(gate) ⊙ up.
	opSwiGLU
)

// minRowsPerChunk keeps a chunk at several microseconds of work: below it,
// handing rows to another worker costs more than it saves, and a single
// token (generation) stays on the calling goroutine.
const minRowsPerChunk = 16

// rowTask runs one rowOp over the rows of a batch; it lives in the State so
// that handing it to the pool allocates nothing.
type rowTask struct {
	s      *activations
	op     rowOp
	layer  int
	weight []float32 // the norm's weight
}

// rows runs op over batch rows, split across the pool when there are enough.
func (s *activations) rows(op rowOp, layer int, weight []float32, batch int) {
	t := &s.rowTask
	t.s, t.op, t.layer, t.weight = s, op, layer, weight
	p := kernels.Default()
	grain := max(minRowsPerChunk, (batch+2*p.Size()-1)/(2*p.Size()))
	p.For(batch, grain, t)
	t.s, t.weight = nil, nil
}

func (t *rowTask) Do(lo, hi, _ int) {
	s := t.s
	c := &s.m.Config
	dim := c.Dim
	switch t.op {
	case opNorm, opResidualNorm, opResidual:
		for b := lo; b < hi; b++ {
			x, xb := s.x[b*dim:(b+1)*dim], s.xb[b*dim:(b+1)*dim]
			if t.op != opNorm {
				kernels.Add(x, x, xb)
			}
			if t.op != opResidual {
				kernels.RMSNorm(xb, x, t.weight, c.NormEps)
			}
		}
	case opQKV:
		lw := &s.m.Weights.Layers[t.layer]
		qDim, kvDim, rd := c.QDim(), c.KVDim(), s.m.rope.AnglesLen()
		for b := lo; b < hi; b++ {
			q, k := s.q[b*qDim:(b+1)*qDim], s.k[b*kvDim:(b+1)*kvDim]
			if lw.Bq != nil {
				v := s.v[b*kvDim : (b+1)*kvDim]
				kernels.Add(q, q, lw.Bq)
				kernels.Add(k, k, lw.Bk)
				kernels.Add(v, v, lw.Bv)
			}
			cs := s.ropeCS[b*rd : (b+1)*rd]
			s.m.rope.Rotate(q, c.Heads, c.HeadDim, cs)
			s.m.rope.Rotate(k, c.KVHeads, c.HeadDim, cs)
		}
	case opSwiGLU:
		ffn := c.FFNDim
		kernels.SiLUMul(s.gate[lo*ffn:hi*ffn], s.up[lo*ffn:hi*ffn])
	}
}
