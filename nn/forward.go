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
		s.forwardBatch(batch)
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

// forwardBatch leaves the final hidden states of the batch in s.x.
//
// Each block ends by adding its output to the residual stream x; that add
// is fused with the norm that starts the next block (see rows.go), so a
// block begins with xb = rmsnorm(x) already computed.
func (s *State) forwardBatch(tokens []int32) {
	c := &s.m.Config
	w := s.m.Weights
	batch := len(tokens)
	for b, t := range tokens {
		row := w.TokenEmbd.Row(int(t), s.xb[b*c.Dim:(b+1)*c.Dim])
		copy(s.x[b*c.Dim:(b+1)*c.Dim], row)
	}
	// Every layer rotates the batch's tokens by the same angles.
	rd := s.m.rope.AnglesLen()
	for b := range batch {
		s.m.rope.Angles(s.Pos+b, s.ropeCS[b*rd:(b+1)*rd])
	}
	s.rows(opNorm, 0, w.Layers[0].AttnNorm, batch)
	for l := range w.Layers {
		s.attentionBlock(l, batch)
		s.rows(opResidualNorm, l, w.Layers[l].FFNNorm, batch)
		s.feedForwardBlock(l, batch)
		if l+1 < len(w.Layers) {
			s.rows(opResidualNorm, l+1, w.Layers[l+1].AttnNorm, batch)
		} else {
			s.rows(opResidual, l, nil, batch)
		}
	}
}

// attentionBlock computes Wo · attention(rope(Wq·n), rope(Wk·n), Wv·n) into
// xb, from n = rmsnorm(x) in xb; the caller adds it to x.
func (s *State) attentionBlock(l, batch int) {
	c := &s.m.Config
	lw := &s.m.Weights.Layers[l]
	dim, qDim, kvDim := c.Dim, c.QDim(), c.KVDim()
	xb := s.xb[:batch*dim]
	q, k, v := s.q[:batch*qDim], s.k[:batch*kvDim], s.v[:batch*kvDim]
	s.prods = [3]kernels.Product{{Dst: q, W: lw.Wq}, {Dst: k, W: lw.Wk}, {Dst: v, W: lw.Wv}}
	kernels.MatMulMany(xb, batch, s.prods[:3])
	if len(s.adapters) > 0 {
		s.adapt(l, SiteQ, q, xb, batch)
		s.adapt(l, SiteK, k, xb, batch)
		s.adapt(l, SiteV, v, xb, batch)
	}
	s.rows(opQKV, l, nil, batch)

	att := s.att[:batch*qDim]
	s.attn = kernels.AttentionArgs{
		Out: att, Q: q,
		Batch: batch, Pos0: s.Pos, Heads: c.Heads, KVHeads: c.KVHeads, HeadSize: c.HeadDim,
	}
	if s.kv == KVF16 {
		kernels.F16FromF32(s.keys16[l][s.Pos*kvDim:], k)
		kernels.F16FromF32(s.values16[l][s.Pos*kvDim:], v)
		s.attn.K16, s.attn.V16 = s.keys16[l], s.values16[l]
	} else {
		copy(s.keys[l][s.Pos*kvDim:], k)
		copy(s.values[l][s.Pos*kvDim:], v)
		s.attn.K, s.attn.V = s.keys[l], s.values[l]
	}
	kernels.Attention(&s.attn)
	kernels.MatMul(xb, lw.Wo, att, batch)
	s.adapt(l, SiteO, xb, att, batch)
}

// feedForwardBlock computes Wdown · (silu(Wgate·n) ⊙ Wup·n) into xb, from
// n = rmsnorm(x) in xb; the caller adds it to x.
func (s *State) feedForwardBlock(l, batch int) {
	c := &s.m.Config
	lw := &s.m.Weights.Layers[l]
	dim, ffn := c.Dim, c.FFNDim
	xb := s.xb[:batch*dim]
	gate, up := s.gate[:batch*ffn], s.up[:batch*ffn]
	s.prods = [3]kernels.Product{{Dst: gate, W: lw.Gate}, {Dst: up, W: lw.Up}}
	kernels.MatMulMany(xb, batch, s.prods[:2])
	if len(s.adapters) > 0 {
		s.adapt(l, SiteGate, gate, xb, batch)
		s.adapt(l, SiteUp, up, xb, batch)
	}
	s.rows(opSwiGLU, l, nil, batch)
	kernels.MatMul(xb, lw.Down, gate, batch)
	s.adapt(l, SiteDown, xb, gate, batch)
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
