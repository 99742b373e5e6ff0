package bo

import (
	"fmt"
	"math/rand/v2"
	"sync"
)

// Sobol generates a scrambled Sobol sequence in [0,1)^d.
//
// Dimension 1 is the van der Corput sequence; dimension j ≥ 2 uses the
// (j−1)-th primitive polynomial over GF(2) in order of degree (found here by
// search, not taken from a table) with initial direction numbers m_k drawn
// odd and below 2^k from a fixed generator. Any such choice yields a valid
// digital sequence: every one-dimensional projection of the first 2^m points
// puts exactly one point in each interval [i/2^m, (i+1)/2^m), and the first two
// dimensions form a (0,m,2)-net. Scrambling is a random digital shift (XOR of
// each coordinate with a random 32-bit word), which preserves these properties
// while making the design random and seedable.
type Sobol struct {
	dim   int
	dirs  [][32]uint32 // dirs[j][k] = v_{k+1} for dimension j
	shift []uint32
	state []uint32
	index uint64
}

// NewSobol returns a d-dimensional Sobol generator scrambled with rng (nil: no
// scrambling).
func NewSobol(d int, rng *rand.Rand) (*Sobol, error) {
	if d <= 0 || d > 4096 {
		return nil, fmt.Errorf("bo: NewSobol: dimension %d out of range 1..4096", d)
	}
	s := &Sobol{dim: d, dirs: make([][32]uint32, d), shift: make([]uint32, d), state: make([]uint32, d)}
	polys := primitivePolys(d - 1)
	init := rand.New(rand.NewPCG(0x50b01, 0xd1ec7))
	for k := 0; k < 32; k++ {
		s.dirs[0][k] = 1 << (31 - k)
	}
	for j := 1; j < d; j++ {
		p := polys[j-1]
		deg := p.degree
		m := make([]uint32, 33) // m[k] for k = 1..32
		for k := 1; k <= deg; k++ {
			// Odd and below 2^k; m_1 = 1.
			m[k] = uint32(init.IntN(1<<(k-1)))*2 + 1
		}
		for k := deg + 1; k <= 32; k++ {
			v := m[k-deg] ^ (m[k-deg] << deg)
			for i := 1; i < deg; i++ {
				if p.coeffs>>(deg-1-i)&1 == 1 { // a_i
					v ^= m[k-i] << i
				}
			}
			m[k] = v
		}
		for k := 1; k <= 32; k++ {
			s.dirs[j][k-1] = m[k] << (32 - k)
		}
	}
	if rng != nil {
		for j := range s.shift {
			s.shift[j] = rng.Uint32()
		}
	}
	return s, nil
}

// Next returns the next point of the sequence (the first is the shifted
// origin). It writes into dst if it has length d, else allocates.
func (s *Sobol) Next(dst []float64) []float64 {
	if len(dst) != s.dim {
		dst = make([]float64, s.dim)
	}
	if s.index > 0 {
		// Gray-code order: flip the direction number of the lowest zero bit of index−1.
		c := 0
		for i := s.index - 1; i&1 == 1; i >>= 1 {
			c++
		}
		for j := range s.state {
			s.state[j] ^= s.dirs[j][c]
		}
	}
	s.index++
	for j := range dst {
		dst[j] = float64(s.state[j]^s.shift[j]) / (1 << 32)
	}
	return dst
}

// LatinHypercube returns n points in [0,1)^d, one in each of the n equal slices
// of every coordinate, jittered within the slice.
func LatinHypercube(n, d int, rng *rand.Rand) [][]float64 {
	pts := make([][]float64, n)
	for i := range pts {
		pts[i] = make([]float64, d)
	}
	for j := 0; j < d; j++ {
		perm := rng.Perm(n)
		for i := range pts {
			pts[i][j] = (float64(perm[i]) + rng.Float64()) / float64(n)
		}
	}
	return pts
}

// gf2Poly is a polynomial over GF(2) of the given degree: x^deg + a_1·x^{deg−1}
// + … + a_{deg−1}·x + 1, with a_1..a_{deg−1} stored in coeffs (a_1 highest).
type gf2Poly struct {
	degree int
	coeffs uint64
}

var (
	polyMu    sync.Mutex
	polyCache []gf2Poly
	polyNext  = struct{ deg, a int }{1, 0}
)

// primitivePolys returns the first count primitive polynomials over GF(2),
// ordered by degree then coefficients.
func primitivePolys(count int) []gf2Poly {
	polyMu.Lock()
	defer polyMu.Unlock()
	for len(polyCache) < count {
		deg, a := polyNext.deg, polyNext.a
		full := uint64(1)<<deg | uint64(a)<<1 | 1
		if isPrimitive(full, deg) {
			polyCache = append(polyCache, gf2Poly{degree: deg, coeffs: uint64(a)})
		}
		a++
		if a >= 1<<(deg-1) {
			polyNext.deg, polyNext.a = deg+1, 0
		} else {
			polyNext.a = a
		}
	}
	return polyCache[:count]
}

// isPrimitive reports whether p (degree deg, bit i = coefficient of x^i) is
// primitive: x has multiplicative order exactly 2^deg − 1 modulo p.
func isPrimitive(p uint64, deg int) bool {
	order := uint64(1)<<deg - 1
	if gf2PowMod(2, order, p, deg) != 1 {
		return false
	}
	for _, q := range primeFactors(order) {
		if gf2PowMod(2, order/q, p, deg) == 1 {
			return false
		}
	}
	return true
}

// gf2MulMod multiplies a and b modulo p over GF(2).
func gf2MulMod(a, b, p uint64, deg int) uint64 {
	var r uint64
	for b != 0 {
		if b&1 == 1 {
			r ^= a
		}
		b >>= 1
		a <<= 1
		if a>>deg&1 == 1 {
			a ^= p
		}
	}
	return r
}

// gf2PowMod computes base^e modulo p over GF(2).
func gf2PowMod(base, e, p uint64, deg int) uint64 {
	r := uint64(1)
	if deg == 1 { // modulo x+1 everything reduces to 0 or 1; x ≡ 1
		return 1
	}
	for e > 0 {
		if e&1 == 1 {
			r = gf2MulMod(r, base, p, deg)
		}
		base = gf2MulMod(base, base, p, deg)
		e >>= 1
	}
	return r
}

// primeFactors returns the distinct prime factors of n.
func primeFactors(n uint64) []uint64 {
	var f []uint64
	for q := uint64(2); q*q <= n; q++ {
		if n%q == 0 {
			f = append(f, q)
			for n%q == 0 {
				n /= q
			}
		}
	}
	if n > 1 {
		f = append(f, n)
	}
	return f
}
