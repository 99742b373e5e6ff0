package kernels

import "math"

// RoPE holds the rotation frequencies of rotary position embeddings for one
// head size, computed once per model rather than once per token.
type RoPE struct {
	Dims int       // how many leading dimensions of each head rotate (even)
	NeoX bool      // pairs (i, i+Dims/2) instead of (2i, 2i+1)
	freq []float64 // theta_i for i < Dims/2
}

// NewRoPE prepares rotations for dims dimensions with base frequency base.
// factors, when not nil, divides each frequency (Llama 3's rope_freqs tensor);
// linearScale > 1 stretches positions by that factor (linear RoPE scaling).
func NewRoPE(dims int, base float64, neox bool, factors []float32, linearScale float64) *RoPE {
	r := &RoPE{Dims: dims, NeoX: neox, freq: make([]float64, dims/2)}
	for i := range r.freq {
		f := math.Pow(base, -2*float64(i)/float64(dims))
		if factors != nil {
			f /= float64(factors[i])
		}
		if linearScale > 0 {
			f /= linearScale
		}
		r.freq[i] = f
	}
	return r
}

// AnglesLen is how many values Angles writes for one position.
func (r *RoPE) AnglesLen() int { return 2 * r.Dims }

// Angles writes the rotation of position pos into cs (AnglesLen values) in
// the form the SIMD kernels take: Dims multipliers for each value and Dims
// for its partner (the other value of its pair), so that a rotated value is
// x·cos + partner·(∓sin), a product and a fused-free sum per lane. A batch
// of tokens meets the same positions in every layer: computing them once
// per batch and rotating with Rotate saves a sine and a cosine per pair,
// head and layer.
func (r *RoPE) Angles(pos int, cs []float32) {
	half, dims := r.Dims/2, r.Dims
	cos, sin := cs[:dims], cs[dims:2*dims]
	for i := 0; i < half; i++ {
		s64, c64 := math.Sincos(float64(pos) * r.freq[i])
		c, s := float32(c64), float32(s64)
		a, b := 2*i, 2*i+1
		if r.NeoX {
			a, b = i, i+half
		}
		cos[a], cos[b] = c, c
		sin[a], sin[b] = -s, s
	}
}

// Rotate is Apply with the angles of one position precomputed by Angles.
func (r *RoPE) Rotate(x []float32, nHeads, headSize int, cs []float32) {
	cs = cs[:2*r.Dims]
	_ = x[nHeads*headSize-1]
	switch {
	case !r.NeoX && r.Dims%16 == 0 && impl.ropePairs != nil:
		impl.ropePairs(x, nHeads, headSize, cs)
	case r.NeoX && r.Dims%32 == 0 && impl.ropeHalves != nil:
		impl.ropeHalves(x, nHeads, headSize, cs)
	default:
		ropeGeneric(x, nHeads, headSize, cs, r.NeoX)
	}
}

// ropeGeneric is Rotate's portable twin: value j of each head becomes
// x[j]·cos[j] + x[partner(j)]·sin[j], each product rounded before the sum
// (the explicit conversions keep a compiler from fusing them), as the
// SIMD kernels compute it.
func ropeGeneric(x []float32, nHeads, headSize int, cs []float32, neox bool) {
	dims := len(cs) / 2
	cos, sin := cs[:dims], cs[dims:]
	half := dims / 2
	for h := 0; h < nHeads; h++ {
		head := x[h*headSize : h*headSize+dims]
		for i := 0; i < half; i++ {
			a, b := 2*i, 2*i+1
			if neox {
				a, b = i, i+half
			}
			x0, x1 := head[a], head[b]
			head[a] = float32(x0*cos[a]) + float32(x1*sin[a])
			head[b] = float32(x1*cos[b]) + float32(x0*sin[b])
		}
	}
}
