package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

// naiveAttention is the definition written out in float64, one (query, key)
// pair at a time: the outputs and, for the gradient dout of the outputs, the
// gradients of q, k and v.
func naiveAttention(a AttentionShape, q, k, v, dout []float32) (out, dq, dk, dv []float64) {
	hs, qd, kd := a.HeadSize, a.qDim(), a.kvDim()
	group := a.Heads / a.KVHeads
	out, dq = make([]float64, a.T*qd), make([]float64, a.T*qd)
	dk, dv = make([]float64, a.T*kd), make([]float64, a.T*kd)
	scale := 1 / math.Sqrt(float64(hs))
	dot := func(x []float32, y []float32) float64 {
		s := 0.0
		for i := range x {
			s += float64(x[i]) * float64(y[i])
		}
		return s
	}
	for t := 0; t < a.T; t++ {
		for h := 0; h < a.Heads; h++ {
			off := (h / group) * hs
			qh := q[t*qd+h*hs : t*qd+(h+1)*hs]
			do := dout[t*qd+h*hs : t*qd+(h+1)*hs]
			p := make([]float64, t+1)
			m, sum := math.Inf(-1), 0.0
			for j := range p {
				p[j] = dot(qh, k[j*kd+off:j*kd+off+hs]) * scale
				m = math.Max(m, p[j])
			}
			for j := range p {
				p[j] = math.Exp(p[j] - m)
				sum += p[j]
			}
			o := out[t*qd+h*hs : t*qd+(h+1)*hs]
			for j := range p {
				p[j] /= sum
				for c := range o {
					o[c] += p[j] * float64(v[j*kd+off+c])
				}
			}
			D := 0.0
			for c := range o {
				D += float64(do[c]) * o[c]
			}
			for j := range p {
				ds := p[j] * (dot(do, v[j*kd+off:j*kd+off+hs]) - D) * scale
				for c := 0; c < hs; c++ {
					dq[t*qd+h*hs+c] += ds * float64(k[j*kd+off+c])
					dk[j*kd+off+c] += ds * float64(qh[c])
					dv[j*kd+off+c] += p[j] * float64(do[c])
				}
			}
		}
	}
	return out, dq, dk, dv
}

// TestAttentionBlocksMatchNaive runs sequences longer than one query block
// (including a partial last block and a sequence shorter than the buffers
// were made for) against the pair-by-pair definition, forward and backward.
func TestAttentionBlocksMatchNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	for _, c := range []struct{ T, bufT, heads, kv, hs int }{
		{150, 150, 4, 2, 8}, {64, 200, 3, 3, 5}, {129, 129, 2, 1, 48},
	} {
		a := AttentionShape{T: c.T, Heads: c.heads, KVHeads: c.kv, HeadSize: c.hs}
		q, k, v := randTensor(rng, c.T, a.qDim(), 1), randTensor(rng, c.T, a.kvDim(), 1), randTensor(rng, c.T, a.kvDim(), 1)
		dout := randTensor(rng, c.T, a.qDim(), 1)
		buf := NewAttentionBuffers(AttentionShape{T: c.bufT, Heads: c.heads, KVHeads: c.kv, HeadSize: c.hs})
		wOut, wdq, wdk, wdv := naiveAttention(a, q.Data, k.Data, v.Data, dout.Data)
		// Probabilities recomputed in the backward pass, then kept (twice
		// over the same kept values: the backward pass must not spoil them).
		var kept []float32
		for _, keep := range []bool{false, true, true} {
			out, lse := make([]float32, c.T*a.qDim()), make([]float32, c.T*c.heads)
			if keep && kept == nil {
				kept = make([]float32, AttentionProbsLen(a))
				Attention(a, out, lse, kept, q.Data, k.Data, v.Data, buf)
			} else {
				Attention(a, out, lse, nil, q.Data, k.Data, v.Data, buf)
			}
			var probs []float32
			if keep {
				probs = kept
			}
			dq, dk, dv := make([]float32, len(q.Data)), make([]float32, len(k.Data)), make([]float32, len(v.Data))
			for i := range dq { // AttentionBackward writes: stale values must not survive
				dq[i], dk[i%len(dk)] = 7, 7
			}
			AttentionBackward(a, dq, dk, dv, dout.Data, out, lse, probs, q.Data, k.Data, v.Data, buf)
			for _, x := range []struct {
				name string
				got  []float32
				want []float64
			}{{"out", out, wOut}, {"dq", dq, wdq}, {"dk", dk, wdk}, {"dv", dv, wdv}} {
				for i, w := range x.want {
					if math.Abs(float64(x.got[i])-w) > 2e-5*(1+math.Abs(w)) {
						t.Fatalf("T=%d heads=%d/%d hs=%d keep=%v: %s[%d] = %g, want %g", c.T, c.heads, c.kv, c.hs, keep, x.name, i, x.got[i], w)
					}
				}
			}
		}
	}
}

// TestAttentionProbsHaveNoSubnormals: two keys score 0 and the rest −87,
// whose exponential (1.6e-38) is normal but whose probability (half that)
// is not: the kept probabilities must be zero or normal (subnormal weights
// would make P·V micro-coded on x86), and the output still matches the
// float64 definition.
func TestAttentionProbsHaveNoSubnormals(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	a := AttentionShape{T: 40, Heads: 1, KVHeads: 1, HeadSize: 4}
	q, k, v := New(a.T, 4), New(a.T, 4), randTensor(rng, a.T, 4, 1)
	for i := 0; i < a.T; i++ {
		q.Data[i*4] = 2 // score = 2·k₀/√4 = k₀
		if i >= 2 {
			k.Data[i*4] = -87
		}
	}
	buf := NewAttentionBuffers(a)
	out, lse := make([]float32, a.T*a.qDim()), make([]float32, a.T*a.Heads)
	probs := make([]float32, AttentionProbsLen(a))
	Attention(a, out, lse, probs, q.Data, k.Data, v.Data, buf)
	for i, p := range probs {
		if p != 0 && p < 0x1p-126 {
			t.Fatalf("probability %d = %g is subnormal", i, p)
		}
	}
	want, _, _, _ := naiveAttention(a, q.Data, k.Data, v.Data, make([]float32, len(out)))
	for i := range out {
		if math.Abs(float64(out[i])-want[i]) > 1e-5 {
			t.Fatalf("out[%d] = %g, want %g", i, out[i], want[i])
		}
	}
}
