package nn

import (
	"fmt"

	"github.com/milp-lite/milp-lite/kernels"
)

// Forward runs tokens through the model at the sequence's next positions and
// appends them to the KV cache. It returns the logits of the last token, or,
// with all, of every token (len(tokens) rows of VocabSize). The returned slice
// belongs to the State and is overwritten by the next call.
func (s *State) Forward(tokens []int32, all bool) ([]float32, error) {
	c := &s.m.Config
	if s.Pos+len(tokens) > s.Ctx {
		return nil, fmt.Errorf("context full: %d tokens already, %d more do not fit in %d", s.Pos, len(tokens), s.Ctx)
	}
	for i, t := range tokens {
		if t < 0 || int(t) >= c.VocabSize {
			return nil, fmt.Errorf("token %d at index %d is outside the vocabulary of %d", t, i, c.VocabSize)
		}
	}
	if all && cap(s.allLogits) < len(tokens)*c.VocabSize {
		s.allLogits = make([]float32, len(tokens)*c.VocabSize)
	}
	for start := 0; start < len(tokens); start += s.maxBatch {
		batch := tokens[start:min(start+s.maxBatch, len(tokens))]
		for b := range batch {
			s.positions[b] = int32(s.Pos + b)
		}
		s.forward(batch, s.positions[:len(batch)], s)
		if all {
			s.outputs(len(batch), s.allLogits[start*c.VocabSize:(start+len(batch))*c.VocabSize])
		}
		s.Pos += len(batch)
		s.tokens = append(s.tokens, batch...)
	}
	if all {
		return s.allLogits[:len(tokens)*c.VocabSize], nil
	}
	if len(tokens) > 0 {
		last := (len(tokens) - 1) % s.maxBatch
		s.output(s.x[last*c.Dim:(last+1)*c.Dim], s.logits)
	}
	return s.logits, nil
}

// forward runs token rows at the given positions through the blocks,
// leaving their final hidden states in a.x.
//
// Each block ends by adding its output to the residual stream x; that add
// is fused with the norm that starts the next block (see rows.go), so a
// block begins with xb = rmsnorm(x) already computed.
func (a *activations) forward(tokens, positions []int32, ops sequenceOps) {
	c := &a.m.Config
	w := a.m.Weights
	rows := len(tokens)
	for b, t := range tokens {
		row := w.TokenEmbd.Row(int(t), a.xb[b*c.Dim:(b+1)*c.Dim])
		copy(a.x[b*c.Dim:(b+1)*c.Dim], row)
	}
	rd := a.m.rope.AnglesLen()
	for b, p := range positions {
		a.m.rope.Angles(int(p), a.ropeCS[b*rd:(b+1)*rd])
	}
	a.rows(opNorm, 0, w.Layers[0].AttnNorm, rows)
	for l := range w.Layers {
		a.attentionBlock(l, rows, ops)
		a.rows(opResidualNorm, l, w.Layers[l].FFNNorm, rows)
		a.feedForwardBlock(l, rows, ops)
		if l+1 < len(w.Layers) {
			a.rows(opResidualNorm, l+1, w.Layers[l+1].AttnNorm, rows)
		} else {
			a.rows(opResidual, l, nil, rows)
		}
	}
}

// attentionBlock computes Wo · attention(rope(Wq·n), rope(Wk·n), Wv·n) into
// xb, from n = rmsnorm(x) in xb; the caller adds it to x.
func (a *activations) attentionBlock(l, rows int, ops sequenceOps) {
	c := &a.m.Config
	lw := &a.m.Weights.Layers[l]
	dim, qDim, kvDim := c.Dim, c.QDim(), c.KVDim()
	xb := a.xb[:rows*dim]
	q, k, v := a.q[:rows*qDim], a.k[:rows*kvDim], a.v[:rows*kvDim]
	a.prods = [3]kernels.Product{{Dst: q, W: lw.Wq}, {Dst: k, W: lw.Wk}, {Dst: v, W: lw.Wv}}
	kernels.MatMulMany(xb, rows, a.prods[:3])
	ops.adapt(l, SiteQ, q, xb, rows)
	ops.adapt(l, SiteK, k, xb, rows)
	ops.adapt(l, SiteV, v, xb, rows)
	a.rows(opQKV, l, nil, rows)
	ops.attend(a, l, rows)
	att := a.att[:rows*qDim]
	kernels.MatMul(xb, lw.Wo, att, rows)
	ops.adapt(l, SiteO, xb, att, rows)
}

// feedForwardBlock computes Wdown · (silu(Wgate·n) ⊙ Wup·n) into xb, from
// n = rmsnorm(x) in xb; the caller adds it to x.
func (a *activations) feedForwardBlock(l, rows int, ops sequenceOps) {
	c := &a.m.Config
	lw := &a.m.Weights.Layers[l]
	dim, ffn := c.Dim, c.FFNDim
	xb := a.xb[:rows*dim]
	gate, up := a.gate[:rows*ffn], a.up[:rows*ffn]
	a.prods = [3]kernels.Product{{Dst: gate, W: lw.Gate}, {Dst: up, W: lw.Up}}
	kernels.MatMulMany(xb, rows, a.prods[:2])
	ops.adapt(l, SiteGate, gate, xb, rows)
	ops.adapt(l, SiteUp, up, xb, rows)
	a.rows(opSwiGLU, l, nil, rows)
	kernels.MatMul(xb, lw.Down, gate, rows)
	ops.adapt(l, SiteDown, xb, gate, rows)
}

// attend implements sequenceOps for one sequence: the rows are its next
// tokens, at positions Pos onwards.
func (s *State) attend(a *activations, l, rows int) {
	c := &s.m.Config
	kvDim := c.KVDim()
	k, v := a.k[:rows*kvDim], a.v[:rows*kvDim]
	s.attn = kernels.AttentionArgs{
		Out: a.att[:rows*c.QDim()], Q: a.q[:rows*c.QDim()],
		Batch: rows, Pos0: s.Pos, Heads: c.Heads, KVHeads: c.KVHeads, HeadSize: c.HeadDim,
	}
	s.kvCache.store(l, s.Pos, k, v, &s.attn)
	kernels.Attention(&s.attn)
}

// output computes one token's logits from its final hidden state.
func (s *State) output(x, logits []float32) {
	c := &s.m.Config
	n := s.xb[:c.Dim]
	kernels.RMSNorm(n, x, s.m.Weights.OutputNorm, c.NormEps)
	kernels.MatMul(logits, s.m.Weights.Output, n, 1)
}

// outputs computes the logits of every token of the batch.
func (s *State) outputs(batch int, logits []float32) {
	c := &s.m.Config
	xb := s.xb[:batch*c.Dim]
	for b := 0; b < batch; b++ {
		kernels.RMSNorm(xb[b*c.Dim:(b+1)*c.Dim], s.x[b*c.Dim:(b+1)*c.Dim], s.m.Weights.OutputNorm, c.NormEps)
	}
	kernels.MatMul(logits, s.m.Weights.Output, xb, batch)
}
