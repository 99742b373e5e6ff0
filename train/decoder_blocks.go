package train

import (
	"math/rand/v2"

	"github.com/milp-lite/milp-lite/kernels"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/tensor"
)

// attentionForward: x2 = x + Wo·attention(rope(Wq·n1), rope(Wk·n1), Wv·n1),
// n1 = rmsnorm(x), with each linear site's LoRA term added to its output.
func (d *Decoder) attentionForward(l int, p float32, rng *rand.Rand) {
	c := &d.m.Config
	lw := &d.m.Weights.Layers[l]
	a := &d.layers[l]
	n, dim, qd, kd := d.n, c.Dim, c.QDim(), c.KVDim()
	tensor.RMSNorm(a.n1, a.rstd1, a.x, lw.AttnNorm, dim, n, c.NormEps)
	q, k, v := a.q[:n*qd], a.k[:n*kd], a.v[:n*kd]
	tensor.FrozenLinear(q, lw.Wq, a.n1, n)
	tensor.FrozenLinear(k, lw.Wk, a.n1, n)
	tensor.FrozenLinear(v, lw.Wv, a.n1, n)
	d.siteForward(l, nn.SiteQ, q, a.n1, p, rng)
	d.siteForward(l, nn.SiteK, k, a.n1, p, rng)
	d.siteForward(l, nn.SiteV, v, a.n1, p, rng)
	if lw.Bq != nil {
		for t := 0; t < n; t++ {
			kernels.Add(q[t*qd:(t+1)*qd], q[t*qd:(t+1)*qd], lw.Bq)
			kernels.Add(k[t*kd:(t+1)*kd], k[t*kd:(t+1)*kd], lw.Bk)
			kernels.Add(v[t*kd:(t+1)*kd], v[t*kd:(t+1)*kd], lw.Bv)
		}
	}
	tensor.RoPE(d.m.RoPE(), q, c.Heads, c.HeadDim, d.ropeFwd, n)
	tensor.RoPE(d.m.RoPE(), k, c.KVHeads, c.HeadDim, d.ropeFwd, n)
	tensor.Attention(d.shape(), a.att, a.lse, a.probs, q, k, v, d.attn)
	o := a.x2[:n*dim]
	tensor.FrozenLinear(o, lw.Wo, a.att, n)
	d.siteForward(l, nn.SiteO, o, a.att, p, rng)
	kernels.Add(o, o, a.x[:n*dim])
}

// feedForwardForward: next = x2 + Wdown·(silu(Wgate·n2) ⊙ Wup·n2), n2 = rmsnorm(x2).
func (d *Decoder) feedForwardForward(l int, next []float32, p float32, rng *rand.Rand) {
	c := &d.m.Config
	lw := &d.m.Weights.Layers[l]
	a := &d.layers[l]
	n, dim, ffn := d.n, c.Dim, c.FFNDim
	tensor.RMSNorm(a.n2, a.rstd2, a.x2, lw.FFNNorm, dim, n, c.NormEps)
	gate, up, h := a.gate[:n*ffn], a.up[:n*ffn], a.h[:n*ffn]
	tensor.FrozenLinear(gate, lw.Gate, a.n2, n)
	tensor.FrozenLinear(up, lw.Up, a.n2, n)
	d.siteForward(l, nn.SiteGate, gate, a.n2, p, rng)
	d.siteForward(l, nn.SiteUp, up, a.n2, p, rng)
	d.swiglu.Forward(h, gate, up)
	out := next[:n*dim]
	tensor.FrozenLinear(out, lw.Down, h, n)
	d.siteForward(l, nn.SiteDown, out, h, p, rng)
	kernels.Add(out, out, a.x2[:n*dim])
}

// feedForwardBackward turns d.dx, the gradient of the block's output, into
// the gradient of its input x2 (in place: the residual passes it through).
func (d *Decoder) feedForwardBackward(l int) {
	c := &d.m.Config
	lw := &d.m.Weights.Layers[l]
	a := &d.layers[l]
	n, dim, ffn := d.n, c.Dim, c.FFNDim
	dx := d.dx[:n*dim]
	dh := d.dh[:n*ffn]
	tensor.FrozenLinearBackward(dh, lw.Down, dx, n)
	d.siteBackward(l, nn.SiteDown, dh, dx, a.h)
	dgate, dup := d.dgate[:n*ffn], d.dup[:n*ffn]
	clear(dgate)
	clear(dup)
	d.swiglu.Backward(dgate, dup, a.gate[:n*ffn], a.up[:n*ffn], dh)
	dn, tmp := d.dn[:n*dim], d.tmp[:n*dim]
	tensor.FrozenLinearBackward(dn, lw.Gate, dgate, n)
	tensor.FrozenLinearBackward(tmp, lw.Up, dup, n)
	kernels.Add(dn, dn, tmp)
	d.siteBackward(l, nn.SiteGate, dn, dgate, a.n2)
	d.siteBackward(l, nn.SiteUp, dn, dup, a.n2)
	d.normBack.Run(dx, a.x2, lw.FFNNorm, a.rstd2, dn, dim, n)
}

// attentionBackward turns d.dx, the gradient of x2, into the gradient of x.
func (d *Decoder) attentionBackward(l int) {
	c := &d.m.Config
	lw := &d.m.Weights.Layers[l]
	a := &d.layers[l]
	n, dim, qd, kd := d.n, c.Dim, c.QDim(), c.KVDim()
	dx := d.dx[:n*dim]
	datt := d.datt[:n*qd]
	tensor.FrozenLinearBackward(datt, lw.Wo, dx, n)
	d.siteBackward(l, nn.SiteO, datt, dx, a.att)
	dq, dk, dv := d.dq[:n*qd], d.dk[:n*kd], d.dv[:n*kd]
	tensor.AttentionBackward(d.shape(), dq, dk, dv, datt, a.att, a.lse, a.probs, a.q, a.k, a.v, d.attn)
	tensor.RoPE(d.m.RoPE(), dq, c.Heads, c.HeadDim, d.ropeBwd, n)
	tensor.RoPE(d.m.RoPE(), dk, c.KVHeads, c.HeadDim, d.ropeBwd, n)
	dn, tmp := d.dn[:n*dim], d.tmp[:n*dim]
	tensor.FrozenLinearBackward(dn, lw.Wq, dq, n)
	tensor.FrozenLinearBackward(tmp, lw.Wk, dk, n)
	kernels.Add(dn, dn, tmp)
	tensor.FrozenLinearBackward(tmp, lw.Wv, dv, n)
	kernels.Add(dn, dn, tmp)
	d.siteBackward(l, nn.SiteQ, dn, dq, a.n1)
	d.siteBackward(l, nn.SiteK, dn, dk, a.n1)
	d.siteBackward(l, nn.SiteV, dn, dv, a.n1)
	d.normBack.Run(dx, a.x, lw.AttnNorm, a.rstd1, dn, dim, n)
}

func (d *Decoder) shape() tensor.AttentionShape {
	c := &d.m.Config
	return tensor.AttentionShape{T: d.n, Heads: c.Heads, KVHeads: c.KVHeads, HeadSize: c.HeadDim}
}

// outputForward normalises the final hidden states and computes the loss
// over the rows that carry weight, leaving the logits' gradient in d.logits.
func (d *Decoder) outputForward(targets []int32, weights []float32) float64 {
	c := &d.m.Config
	dim := c.Dim
	d.rows, d.targets, d.weights = d.rows[:0], d.targets[:0], d.weights[:0]
	for t, w := range weights {
		if w != 0 {
			d.rows = append(d.rows, t)
			d.targets = append(d.targets, targets[t])
			d.weights = append(d.weights, w)
		}
	}
	tensor.RMSNorm(d.nf, d.rstdf, d.xf, d.m.Weights.OutputNorm, dim, d.n, c.NormEps)
	m := len(d.rows)
	if m == 0 {
		return 0
	}
	// Gather the weighted rows so the output head multiplies only them.
	sel := d.tmp[:m*dim]
	for i, t := range d.rows {
		copy(sel[i*dim:(i+1)*dim], d.nf[t*dim:(t+1)*dim])
	}
	logits := d.logits[:m*c.VocabSize]
	tensor.FrozenLinear(logits, d.m.Weights.Output, sel, m)
	return d.xent.Loss(logits, c.VocabSize, d.targets, d.weights)
}

// outputBackward sets d.dx to the gradient of the final hidden states.
func (d *Decoder) outputBackward() {
	c := &d.m.Config
	dim, n, m := c.Dim, d.n, len(d.rows)
	dn := d.dn[:n*dim]
	clear(dn)
	if m == 0 {
		clear(d.dx[:n*dim])
		return
	}
	sel := d.tmp[:m*dim]
	tensor.FrozenLinearBackward(sel, d.m.Weights.Output, d.logits[:m*c.VocabSize], m)
	for i, t := range d.rows {
		copy(dn[t*dim:(t+1)*dim], sel[i*dim:(i+1)*dim])
	}
	dx := d.dx[:n*dim]
	clear(dx)
	d.normBack.Run(dx, d.xf, d.m.Weights.OutputNorm, d.rstdf, dn, dim, n)
}
