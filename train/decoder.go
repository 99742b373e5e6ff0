package train

import (
	"fmt"
	"math/rand/v2"

	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/tensor"
)

// Decoder runs a model differentiably on sequences of at most T tokens. It
// reads the model's weights in place (they stay frozen: only input
// gradients flow through them) and trains the LoRA set's modules. Every
// buffer is allocated once, in NewDecoder, and reused by every step.
type Decoder struct {
	m       *nn.Model
	set     *lora.Set // nil: the base model alone (evaluation)
	T       int
	Dropout float32

	n      int // tokens of the current sequence
	layers []layerActs
	attn   *tensor.AttentionBuffers

	// Final norm and output head, for the rows that carry loss only.
	xf, nf, rstdf []float32
	rows          []int     // the positions with a non-zero weight
	logits        []float32 // len(rows) rows of VocabSize; the gradient after the loss
	targets       []int32
	weights       []float32
	xent          *tensor.CrossEntropyRows
	swiglu        tensor.ParallelSwiGLU
	normBack      tensor.ParallelRMSNormBackward

	// The rotary angles of positions 0..T-1, forwards and backwards
	// (tensor.RoPEAngles): the same every step.
	ropeFwd, ropeBwd []float32

	// Backward scratch.
	dx, dn, tmp, dq, dk, dv, datt, dgate, dup, dh []float32
	lowest                                        int // lowest layer with LoRA: backward stops there
}

// keepProbsBytes bounds the memory of kept attention probabilities (all
// layers): 256 MiB holds T = 256 for 30 layers of 9 heads about six times
// over, while T = 2048 for such a model would need 2.3 GiB and recomputes.
const keepProbsBytes = 256 << 20

// layerActs are one block's saved activations, T rows each.
type layerActs struct {
	x, n1, rstd1  []float32 // block input, attention norm
	q, k, v       []float32 // q and k after rotation
	att, lse      []float32 // attention output and its rows' log-sum-exp
	probs         []float32 // attention probabilities (nil: recomputed in Backward)
	x2, n2, rstd2 []float32 // after the attention residual, FFN norm
	gate, up, h   []float32 // FFN pre-activations and silu(gate)·up
	caches        [nn.NumSites]*lora.SiteCache
}

// NewDecoder prepares a decoder for sequences of up to T tokens.
func NewDecoder(m *nn.Model, set *lora.Set, T int) (*Decoder, error) {
	c := &m.Config
	if T < 2 || T > c.ContextLen {
		return nil, fmt.Errorf("sequence length %d is outside 2..%d (the model's context)", T, c.ContextLen)
	}
	d := &Decoder{m: m, set: set, T: T, layers: make([]layerActs, c.Layers), lowest: c.Layers}
	dim, qd, kd, ffn := c.Dim, c.QDim(), c.KVDim(), c.FFNDim
	f := func(n int) []float32 { return make([]float32, T*n) }
	dropout := set != nil && set.Config.Dropout > 0
	for l := range d.layers {
		a := &d.layers[l]
		a.x, a.n1, a.rstd1 = f(dim), f(dim), f(1)
		a.q, a.k, a.v, a.att, a.lse = f(qd), f(kd), f(kd), f(qd), f(c.Heads)
		a.x2, a.n2, a.rstd2 = f(dim), f(dim), f(1)
		a.gate, a.up, a.h = f(ffn), f(ffn), f(ffn)
		if set != nil {
			for s := nn.Site(0); s < nn.NumSites; s++ {
				if sm := set.At(l, s); sm != nil {
					a.caches[s] = sm.NewCache(T, dropout)
					d.lowest = min(d.lowest, l)
				}
			}
		}
	}
	shape := tensor.AttentionShape{T: T, Heads: c.Heads, KVHeads: c.KVHeads, HeadSize: c.HeadDim}
	d.attn = tensor.NewAttentionBuffers(shape)
	// Keeping the attention probabilities spares the backward pass a
	// product and an exponential per score, for about T²/2 values per head
	// and layer: kept while that stays within keepProbsBytes (training
	// that reaches Backward only; evaluation has set == nil).
	if n := tensor.AttentionProbsLen(shape); set != nil && 4*n*c.Layers <= keepProbsBytes {
		for l := range d.layers {
			d.layers[l].probs = make([]float32, n)
		}
	}
	rope := m.RoPE()
	d.ropeFwd, d.ropeBwd = f(rope.AnglesLen()), f(rope.AnglesLen())
	tensor.RoPEAngles(rope, d.ropeFwd, 0, 1, T)
	tensor.RoPEAngles(rope, d.ropeBwd, 0, -1, T)
	d.xf, d.nf, d.rstdf = f(dim), f(dim), f(1)
	d.rows = make([]int, 0, T)
	d.logits = f(c.VocabSize)
	d.targets, d.weights = make([]int32, 0, T), make([]float32, 0, T)
	d.xent = tensor.NewCrossEntropyRows(T)
	wide := max(dim, qd, ffn)
	d.dx, d.dn, d.tmp = f(dim), f(dim), f(wide)
	d.dq, d.dk, d.dv, d.datt = f(qd), f(kd), f(kd), f(qd)
	d.dgate, d.dup, d.dh = f(ffn), f(ffn), f(ffn)
	return d, nil
}

// Forward runs tokens (at most T) through the model and returns the loss
// Σ_t weights[t]·(−log p(targets[t] | tokens[..t])). Positions of weight 0
// cost no output-head work. rng draws dropout masks (nil: no dropout, as in
// evaluation). The activations are kept for Backward.
func (d *Decoder) Forward(tokens, targets []int32, weights []float32, rng *rand.Rand) (float64, error) {
	c := &d.m.Config
	n := len(tokens)
	if n == 0 || n > d.T || len(targets) != n || len(weights) != n {
		return 0, fmt.Errorf("train: %d tokens, %d targets, %d weights for sequences of up to %d", n, len(targets), len(weights), d.T)
	}
	for i, t := range tokens {
		if t < 0 || int(t) >= c.VocabSize || targets[i] < 0 || int(targets[i]) >= c.VocabSize {
			return 0, fmt.Errorf("train: token at position %d is outside the vocabulary of %d", i, c.VocabSize)
		}
	}
	d.n = n
	p := float32(0)
	if rng != nil && d.set != nil {
		p = d.set.Config.Dropout
	}
	tensor.FrozenEmbedding(d.layers[0].x, d.m.Weights.TokenEmbd, tokens)
	for l := range d.layers {
		next := d.xf
		if l+1 < len(d.layers) {
			next = d.layers[l+1].x
		}
		d.attentionForward(l, p, rng)
		d.feedForwardForward(l, next, p, rng)
	}
	return d.outputForward(targets, weights), nil
}

// Backward adds the gradient of the last Forward's loss to the LoRA
// modules' GradA and GradB.
func (d *Decoder) Backward() {
	if d.set == nil {
		return
	}
	d.outputBackward()
	for l := len(d.layers) - 1; l >= d.lowest; l-- {
		d.feedForwardBackward(l)
		d.attentionBackward(l)
	}
}

// siteForward applies the LoRA at (l, site), if any: y += ΔW·x.
func (d *Decoder) siteForward(l int, site nn.Site, y, x []float32, p float32, rng *rand.Rand) {
	if d.set == nil {
		return
	}
	if sm := d.set.At(l, site); sm != nil {
		sm.Forward(y, x, d.n, d.layers[l].caches[site], p, rng)
	}
}

// siteBackward adds the LoRA's input gradient at (l, site) to dx.
func (d *Decoder) siteBackward(l int, site nn.Site, dx, dy, x []float32) {
	if sm := d.set.At(l, site); sm != nil {
		sm.Backward(dx, dy, x, d.n, d.layers[l].caches[site])
	}
}
