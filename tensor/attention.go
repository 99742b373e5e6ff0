package tensor

import (
	"math"

	"github.com/milp-lite/milp-lite/kernels"
)

// AttentionShape is causal grouped-query self-attention over T positions:
// query head h reads key/value head h/(Heads/KVHeads); position t sees 0..t.
type AttentionShape struct {
	T, Heads, KVHeads, HeadSize int
}

func (a AttentionShape) qDim() int  { return a.Heads * a.HeadSize }
func (a AttentionShape) kvDim() int { return a.KVHeads * a.HeadSize }

// attnBlock is the number of query rows handled together: their scores
// against every key they can see form one matrix product (queries × keys),
// and so do the probability-weighted values. 64 rows keep a block's score
// matrix (64×T) in L2 and waste little of the causal triangle: a block of
// queries computes the masked corner of its diagonal square only.
const attnBlock = 64

// AttentionBuffers is the scratch of both passes, allocated once per
// sequence length and reused: per-query-head key and value gradients (summed
// into their shared KV head at the end, so heads run in parallel without
// sharing writes), per worker two attnBlock×T score matrices and a
// single-worker pool whose GEMM runs on that worker's goroutine (a GEMM on
// the shared pool cannot be started from inside one of its loops).
type AttentionBuffers struct {
	shape  AttentionShape // the largest shape the buffers serve (shorter T is fine)
	dk, dv []float32      // per query head, HeadSize rows of T (transposed: see backwardBlock)
	s, ds  [][]float32    // per worker: a block's scores or probabilities, and their gradient
	ot     [][]float32    // per worker: a block's output or dq, transposed (HeadSize×attnBlock)
	pools  []*kernels.Pool
	task   attentionTask
	// cuts[n-1] is the exponential's cut for a row of n scores (see
	// forwardBlock), computed once per shape rather than once per row and
	// head (it takes a logarithm).
	cuts []float32
}

// NewAttentionBuffers allocates the scratch for shape a.
func NewAttentionBuffers(a AttentionShape) *AttentionBuffers {
	b := &AttentionBuffers{shape: a, dk: make([]float32, a.T*a.qDim()), dv: make([]float32, a.T*a.qDim()), cuts: make([]float32, a.T)}
	for i := range b.cuts {
		b.cuts[i] = kernels.ExpMinArg + float32(math.Log(float64(i+1))) + 1
	}
	b.ensureWorkers()
	return b
}

// ensureWorkers gives every worker of the default pool its scratch: once at
// creation, and again only if the pool was resized since.
func (b *AttentionBuffers) ensureWorkers() {
	a := b.shape
	rows := min(attnBlock, a.T)
	for len(b.pools) < kernels.Default().Size() {
		b.s = append(b.s, make([]float32, rows*a.T))
		b.ds = append(b.ds, make([]float32, rows*a.T))
		b.ot = append(b.ot, make([]float32, rows*a.HeadSize))
		b.pools = append(b.pools, kernels.NewPool(1))
	}
}

// attentionTask is one pass over the layer, handed to the pool without a
// closure so that a training step allocates nothing.
type attentionTask struct {
	a                  AttentionShape
	backward           bool
	out, lse, q, k, v  []float32
	probs              []float32 // nil, or every block's probabilities (AttentionProbsLen)
	dq, dout, dkh, dvh []float32
	buf                *AttentionBuffers
	blocks             int // query blocks per head
	scale              float32
	hs, qd, kd, group  int
}

func (t *attentionTask) init(a AttentionShape, buf *AttentionBuffers, backward bool) {
	*t = attentionTask{a: a, buf: buf, backward: backward,
		blocks: (a.T + attnBlock - 1) / attnBlock, scale: float32(1 / math.Sqrt(float64(a.HeadSize))),
		hs: a.HeadSize, qd: a.qDim(), kd: a.kvDim(), group: a.Heads / a.KVHeads}
}

func (t *attentionTask) Do(lo, hi, worker int) {
	for i := lo; i < hi; i++ {
		if t.backward {
			h := i
			for qb := 0; qb < t.blocks; qb++ {
				t.backwardBlock(h, qb, worker)
			}
			continue
		}
		// The longest blocks (the last queries) first, so the short ones
		// even out the workers' loads at the end.
		qb, h := t.blocks-1-i/t.a.Heads, i%t.a.Heads
		t.forwardBlock(h, qb, worker)
	}
}

// AttentionProbsLen is the number of values Attention keeps in probs for
// shape a: per head, each block of queries' probabilities over the keys
// it sees, about T²/2 + T·32 per head.
func AttentionProbsLen(a AttentionShape) int {
	return a.Heads * probsPerHead(a.T)
}

// probsPerHead is the kept probabilities of one head: blocks of full
// attnBlock rows and then the last, possibly partial, one.
func probsPerHead(T int) int {
	blocks := (T + attnBlock - 1) / attnBlock
	last := T - (blocks-1)*attnBlock
	return probsOffset(blocks-1) + last*T
}

// probsOffset is where query block qb starts within a head's probabilities:
// blocks before it are full, block b holding attnBlock×(b+1)·attnBlock.
func probsOffset(qb int) int { return attnBlock * attnBlock * qb * (qb + 1) / 2 }

// Attention writes out = softmax(q·kᵀ/√d)·v per query row and head, and keeps
// each row's log-sum-exp in lse (T×Heads). probs is nil or holds
// AttentionProbsLen(a) values: then the probabilities themselves are kept
// there and AttentionBackward reads them; without it, it recomputes them
// from lse (trading a T×T/2 matrix per head and layer for a second product
// and exponential per score).
func Attention(a AttentionShape, out, lse, probs, q, k, v []float32, buf *AttentionBuffers) {
	buf.ensureWorkers()
	t := &buf.task
	t.init(a, buf, false)
	t.out, t.lse, t.probs, t.q, t.k, t.v = out, lse, probs, q, k, v
	kernels.Default().For(t.blocks*a.Heads, 1, t)
	*t = attentionTask{}
}

// forwardBlock computes head h's output rows of query block qb: S = Q·Kᵀ over
// the keys the block's queries see, a causal softmax per row, then S·V.
func (t *attentionTask) forwardBlock(h, qb, worker int) {
	a, hs, qd, kd := t.a, t.hs, t.qd, t.kd
	t0 := qb * attnBlock
	rows := min(attnBlock, a.T-t0)
	nk := t0 + rows
	off := (h / t.group) * hs
	s := t.buf.s[worker][:rows*nk]
	if t.probs != nil {
		s = t.probs[h*probsPerHead(a.T)+probsOffset(qb):][:rows*nk]
	}
	pool := t.buf.pools[worker]
	pool.GEMM(false, true, rows, nk, hs, t.q[t0*qd+h*hs:], qd, t.k[off:], kd, s, nk, false)
	for i := 0; i < rows; i++ {
		pos := t0 + i
		row := s[i*nk : (i+1)*nk]
		seen := row[:pos+1]
		m := kernels.Max(seen) // SIMD, bit-exact with a loop keeping x > m
		m *= t.scale           // the scale is positive: the maximum of the scaled row
		// No subnormal weights into P·V: after the division by the sum
		// (≤ the row's length) an exponential below 2⁻¹²⁵·len would be
		// one, so those are zero from the start, in the same pass as the
		// exponentials.
		sum := kernels.ExpScaled(seen, t.scale, m, t.buf.cuts[len(seen)-1])
		kernels.Scale(1/sum, seen)
		clear(row[pos+1:])
		t.lse[pos*a.Heads+h] = m + float32(math.Log(float64(sum)))
	}
	// O = P·V, computed as Oᵀ = Vᵀ·Pᵀ: the head size (often 8..64) is then
	// the short side of the product, where the kernel's tile is narrow,
	// and the block of queries the wide one.
	ot := t.buf.ot[worker][:hs*rows]
	pool.GEMM(true, true, hs, rows, nk, t.v[off:], kd, s, nk, ot, rows, false)
	scatterTransposed(t.out[t0*qd+h*hs:], qd, ot, rows, hs)
}

// scatterTransposed writes the hs×rows matrix src into rows of dst (stride
// ld): dst[i*ld+c] = src[c*rows+i].
func scatterTransposed(dst []float32, ld int, src []float32, rows, hs int) {
	for i := 0; i < rows; i++ {
		d := dst[i*ld : i*ld+hs]
		for c := range d {
			d[c] = src[c*rows+i]
		}
	}
}

// AttentionBackward writes dq, dk and dv from dout. With p the
// probabilities of a row (from probs, or recomputed when probs is nil) and
// D = dout·out, ds_j = p_j·(dout·v_j − D). It leaves probs unchanged.
func AttentionBackward(a AttentionShape, dq, dk, dv, dout, out, lse, probs, q, k, v []float32, buf *AttentionBuffers) {
	hs, qd, kd := a.HeadSize, a.qDim(), a.kvDim()
	dkh, dvh := buf.dk[:a.T*qd], buf.dv[:a.T*qd]
	clear(dkh)
	clear(dvh)
	buf.ensureWorkers()
	t := &buf.task
	t.init(a, buf, true)
	t.out, t.lse, t.probs, t.q, t.k, t.v = out, lse, probs, q, k, v
	t.dq, t.dout, t.dkh, t.dvh = dq, dout, dkh, dvh
	// One task per query head: the blocks of a head add into the same rows
	// of that head's key and value gradients.
	kernels.Default().For(a.Heads, 1, t)
	*t = attentionTask{}
	group := a.Heads / a.KVHeads
	clear(dk[:a.T*kd])
	clear(dv[:a.T*kd])
	for h := 0; h < a.Heads; h++ {
		off := (h / group) * hs
		for c := 0; c < hs; c++ {
			gk, gv := dkh[(h*hs+c)*a.T:(h*hs+c+1)*a.T], dvh[(h*hs+c)*a.T:(h*hs+c+1)*a.T]
			for pos := range gk {
				dk[pos*kd+off+c] += gk[pos]
				dv[pos*kd+off+c] += gv[pos]
			}
		}
	}
}

// backwardBlock handles head h's query block qb: it recomputes P, then
// dV += Pᵀ·dO, dS = P ⊙ (dO·Vᵀ − D)/√d, dQ = dS·K and dK += dSᵀ·Q, each a
// matrix product over the block. Products whose result has HeadSize
// columns are computed transposed (HeadSize rows), for the reason given in
// forwardBlock; so the per-head key and value gradients are kept as
// HeadSize rows of T.
func (t *attentionTask) backwardBlock(h, qb, worker int) {
	a, hs, qd, kd := t.a, t.hs, t.qd, t.kd
	t0 := qb * attnBlock
	rows := min(attnBlock, a.T-t0)
	nk := t0 + rows
	off := (h / t.group) * hs
	p, dp := t.buf.s[worker][:rows*nk], t.buf.ds[worker][:rows*nk]
	pool := t.buf.pools[worker]
	qh, doh := t.q[t0*qd+h*hs:], t.dout[t0*qd+h*hs:]
	dkT, dvT := t.dkh[h*hs*a.T:(h+1)*hs*a.T], t.dvh[h*hs*a.T:(h+1)*hs*a.T]
	if t.probs != nil {
		p = t.probs[h*probsPerHead(a.T)+probsOffset(qb):][:rows*nk]
	} else {
		pool.GEMM(false, true, rows, nk, hs, qh, qd, t.k[off:], kd, p, nk, false)
		for i := 0; i < rows; i++ {
			pos := t0 + i
			row := p[i*nk : (i+1)*nk]
			kernels.ExpScaled(row[:pos+1], t.scale, t.lse[pos*a.Heads+h], kernels.ExpMinArg)
			clear(row[pos+1:])
		}
	}
	pool.GEMM(false, true, rows, nk, hs, doh, qd, t.v[off:], kd, dp, nk, false)
	pool.GEMM(true, false, hs, nk, rows, doh, qd, p, nk, dvT, a.T, true) // dVᵀ += dOᵀ·P
	for i := 0; i < rows; i++ {
		pos := t0 + i
		do, o := t.dout[pos*qd+h*hs:pos*qd+(h+1)*hs], t.out[pos*qd+h*hs:pos*qd+(h+1)*hs]
		var D float32
		for c, x := range do {
			D += x * o[c]
		}
		kernels.SoftmaxGrad(p[i*nk:i*nk+pos+1], dp[i*nk:i*nk+pos+1], D, t.scale)
		clear(dp[i*nk+pos+1 : (i+1)*nk])
	}
	ds := dp
	pool.GEMM(true, false, hs, nk, rows, qh, qd, ds, nk, dkT, a.T, true) // dKᵀ += Qᵀ·dS
	ot := t.buf.ot[worker][:hs*rows]
	pool.GEMM(true, true, hs, rows, nk, t.k[off:], kd, ds, nk, ot, rows, false) // dQᵀ = Kᵀ·dSᵀ
	scatterTransposed(t.dq[t0*qd+h*hs:], qd, ot, rows, hs)
}
