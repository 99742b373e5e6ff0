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

// Apply rotates nHeads consecutive heads of headSize values in x for position pos.
func (r *RoPE) Apply(x []float32, nHeads, headSize, pos int) {
	half := r.Dims / 2
	for i := 0; i < half; i++ {
		// Angles in float64: at long positions pos·theta loses digits in float32.
		sin, cos := math.Sincos(float64(pos) * r.freq[i])
		r.rotatePair(x, nHeads, headSize, i, float32(cos), float32(sin))
	}
}

// Angles writes the cosines and sines of position pos into cs (Dims values:
// the Dims/2 cosines, then the Dims/2 sines). A batch of tokens meets the
// same positions in every layer: computing them once per batch and rotating
// with Rotate saves a sine and a cosine per pair, head and layer.
func (r *RoPE) Angles(pos int, cs []float32) {
	half := r.Dims / 2
	cs = cs[:2*half]
	for i := 0; i < half; i++ {
		sin, cos := math.Sincos(float64(pos) * r.freq[i])
		cs[i], cs[half+i] = float32(cos), float32(sin)
	}
}

// Rotate is Apply with the angles of one position precomputed by Angles.
func (r *RoPE) Rotate(x []float32, nHeads, headSize int, cs []float32) {
	half := r.Dims / 2
	for i := 0; i < half; i++ {
		r.rotatePair(x, nHeads, headSize, i, cs[i], cs[half+i])
	}
}

// rotatePair rotates pair i of every head by the angle of cosine c, sine s.
func (r *RoPE) rotatePair(x []float32, nHeads, headSize, i int, c, s float32) {
	a, b := 2*i, 2*i+1
	if r.NeoX {
		a, b = i, i+r.Dims/2
	}
	for h := 0; h < nHeads; h++ {
		head := x[h*headSize : h*headSize+headSize]
		x0, x1 := head[a], head[b]
		head[a] = x0*c - x1*s
		head[b] = x0*s + x1*c
	}
}
