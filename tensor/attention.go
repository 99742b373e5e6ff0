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

// AttentionBuffers is the scratch of the backward pass, allocated once per
// sequence length and reused: per-query-head key and value gradients (summed
// into their shared KV head at the end, so heads run in parallel without
// sharing writes) and one score row per worker.
type AttentionBuffers struct {
	dk, dv []float32 // T rows of Heads×HeadSize
	scores [][]float32
}

// NewAttentionBuffers allocates the scratch for shape a.
func NewAttentionBuffers(a AttentionShape) *AttentionBuffers {
	n := kernels.Default().Size()
	b := &AttentionBuffers{dk: make([]float32, a.T*a.qDim()), dv: make([]float32, a.T*a.qDim()), scores: make([][]float32, n)}
	for i := range b.scores {
		b.scores[i] = make([]float32, a.T)
	}
	return b
}

// Attention writes out = softmax(q·kᵀ/√d)·v per query row and head, and keeps
// each row's log-sum-exp in lse (T×Heads): the backward pass recomputes the
// probabilities from it instead of storing a T×T matrix per head.
func Attention(a AttentionShape, out, lse, q, k, v []float32, buf *AttentionBuffers) {
	kernels.Default().For(a.T*a.Heads, 1, kernels.TaskFunc(func(lo, hi, worker int) {
		hs, qd, kd := a.HeadSize, a.qDim(), a.kvDim()
		group := a.Heads / a.KVHeads
		scale := float32(1 / math.Sqrt(float64(hs)))
		for i := lo; i < hi; i++ {
			t, h := i/a.Heads, i%a.Heads
			qh := q[t*qd+h*hs : t*qd+(h+1)*hs]
			off := (h / group) * hs
			s := buf.scores[worker][:t+1]
			m := float32(math.Inf(-1))
			for j := range s {
				s[j] = kernels.Dot(qh, k[j*kd+off:j*kd+off+hs]) * scale
				m = max(m, s[j])
			}
			var sum float64
			for j, x := range s {
				e := float32(math.Exp(float64(x - m)))
				s[j] = e
				sum += float64(e)
			}
			o := out[t*qd+h*hs : t*qd+(h+1)*hs]
			clear(o)
			inv := float32(1 / sum)
			for j, p := range s {
				kernels.Axpy(p*inv, v[j*kd+off:j*kd+off+hs], o)
			}
			lse[t*a.Heads+h] = m + float32(math.Log(sum))
		}
	}))
}

// AttentionBackward writes dq, dk and dv from dout. With p the recomputed
// probabilities of a row and D = dout·out, ds_j = p_j·(dout·v_j − D).
func AttentionBackward(a AttentionShape, dq, dk, dv, dout, out, lse, q, k, v []float32, buf *AttentionBuffers) {
	hs, qd, kd := a.HeadSize, a.qDim(), a.kvDim()
	dkh, dvh := buf.dk[:a.T*qd], buf.dv[:a.T*qd]
	clear(dkh)
	clear(dvh)
	clear(dq[:a.T*qd])
	kernels.Default().For(a.Heads, 1, kernels.TaskFunc(func(lo, hi, worker int) {
		group := a.Heads / a.KVHeads
		scale := float32(1 / math.Sqrt(float64(hs)))
		for h := lo; h < hi; h++ {
			off := (h / group) * hs
			for t := 0; t < a.T; t++ {
				qh := q[t*qd+h*hs : t*qd+(h+1)*hs]
				do := dout[t*qd+h*hs : t*qd+(h+1)*hs]
				dqh := dq[t*qd+h*hs : t*qd+(h+1)*hs]
				D := kernels.Dot(do, out[t*qd+h*hs:t*qd+(h+1)*hs])
				l := lse[t*a.Heads+h]
				for j := 0; j <= t; j++ {
					kj := k[j*kd+off : j*kd+off+hs]
					p := float32(math.Exp(float64(kernels.Dot(qh, kj)*scale - l)))
					ds := p * (kernels.Dot(do, v[j*kd+off:j*kd+off+hs]) - D) * scale
					kernels.Axpy(ds, kj, dqh)
					kernels.Axpy(ds, qh, dkh[j*qd+h*hs:j*qd+(h+1)*hs])
					kernels.Axpy(p, do, dvh[j*qd+h*hs:j*qd+(h+1)*hs])
				}
			}
		}
	}))
	group := a.Heads / a.KVHeads
	for t := 0; t < a.T; t++ {
		dkt, dvt := dk[t*kd:(t+1)*kd], dv[t*kd:(t+1)*kd]
		clear(dkt)
		clear(dvt)
		for h := 0; h < a.Heads; h++ {
			off := (h / group) * hs
			kernels.Add(dkt[off:off+hs], dkt[off:off+hs], dkh[t*qd+h*hs:t*qd+(h+1)*hs])
			kernels.Add(dvt[off:off+hs], dvt[off:off+hs], dvh[t*qd+h*hs:t*qd+(h+1)*hs])
		}
	}
}

// Attention on the tape: q is T×(Heads·HeadSize), k and v T×(KVHeads·HeadSize).
func (tp *Tape) Attention(q, k, v *Tensor, heads, kvHeads int) *Tensor {
	a := AttentionShape{T: q.Rows, Heads: heads, KVHeads: kvHeads, HeadSize: q.Cols / heads}
	out := New(q.Rows, q.Cols)
	lse := make([]float32, a.T*heads)
	buf := NewAttentionBuffers(a)
	Attention(a, out.Data, lse, q.Data, k.Data, v.Data, buf)
	tp.record(func() {
		dq, dk, dv := make([]float32, len(q.Data)), make([]float32, len(k.Data)), make([]float32, len(v.Data))
		AttentionBackward(a, dq, dk, dv, out.Grad, out.Data, lse, q.Data, k.Data, v.Data, buf)
		kernels.Add(q.Grad, q.Grad, dq)
		kernels.Add(k.Grad, k.Grad, dk)
		kernels.Add(v.Grad, v.Grad, dv)
	})
	return out
}
