package bo

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestPrimitivePolynomialCounts(t *testing.T) {
	// The number of primitive polynomials of degree s over GF(2) is φ(2^s−1)/s.
	want := map[int]int{1: 1, 2: 1, 3: 2, 4: 2, 5: 6, 6: 6, 7: 18, 8: 16}
	got := map[int]int{}
	for _, p := range primitivePolys(1 + 1 + 2 + 2 + 6 + 6 + 18 + 16 + 1) {
		got[p.degree]++
	}
	for s, w := range want {
		if got[s] != w {
			t.Fatalf("degree %d: %d primitive polynomials, want %d", s, got[s], w)
		}
	}
	// x+1, x²+x+1, x³+x+1, x³+x²+1 come first (a_1 is the high bit of coeffs).
	ps := primitivePolys(4)
	if ps[0] != (gf2Poly{1, 0}) || ps[1] != (gf2Poly{2, 1}) || ps[2] != (gf2Poly{3, 1}) || ps[3] != (gf2Poly{3, 2}) {
		t.Fatalf("first polynomials %v", ps)
	}
}

func TestSobolStratification(t *testing.T) {
	const d, m = 40, 8
	n := 1 << m
	s, err := NewSobol(d, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	pts := make([][]float64, n)
	for i := range pts {
		pts[i] = s.Next(nil)
		for _, v := range pts[i] {
			if v < 0 || v >= 1 {
				t.Fatalf("point %v outside [0,1)", pts[i])
			}
		}
	}
	// Every coordinate: exactly one point in each interval of width 2^-m.
	for j := 0; j < d; j++ {
		seen := make([]bool, n)
		for _, p := range pts {
			k := int(p[j] * float64(n))
			if seen[k] {
				t.Fatalf("dimension %d: two points in interval %d", j, k)
			}
			seen[k] = true
		}
	}
	// Dimensions 1 and 2 form a (0,m,2)-net: every elementary box of area 2^-m
	// (2^a × 2^(m−a) grid) holds exactly one point.
	for a := 0; a <= m; a++ {
		seen := map[[2]int]bool{}
		for _, p := range pts {
			key := [2]int{int(p[0] * float64(int(1)<<a)), int(p[1] * float64(int(1)<<(m-a)))}
			if seen[key] {
				t.Fatalf("(0,m,2)-net violated in the %d×%d grid", 1<<a, 1<<(m-a))
			}
			seen[key] = true
		}
	}
}

// l2StarDiscrepancy is Warnock's closed form of the L2 star discrepancy.
func l2StarDiscrepancy(pts [][]float64) float64 {
	n := float64(len(pts))
	d := len(pts[0])
	a := math.Pow(1.0/3, float64(d))
	b := 0.0
	for _, p := range pts {
		prod := 1.0
		for _, v := range p {
			prod *= (1 - v*v) / 2
		}
		b += prod
	}
	c := 0.0
	for _, p := range pts {
		for _, q := range pts {
			prod := 1.0
			for k := 0; k < d; k++ {
				prod *= 1 - math.Max(p[k], q[k])
			}
			c += prod
		}
	}
	return math.Sqrt(a - 2*b/n + c/(n*n))
}

func TestSobolLowerDiscrepancyThanRandomAndLHS(t *testing.T) {
	const d, n = 6, 128
	rng := rand.New(rand.NewPCG(3, 4))
	s, _ := NewSobol(d, rng)
	var sob, rnd [][]float64
	for i := 0; i < n; i++ {
		sob = append(sob, s.Next(nil))
		p := make([]float64, d)
		for j := range p {
			p[j] = rng.Float64()
		}
		rnd = append(rnd, p)
	}
	lhs := LatinHypercube(n, d, rng)
	ds, dr, dl := l2StarDiscrepancy(sob), l2StarDiscrepancy(rnd), l2StarDiscrepancy(lhs)
	t.Logf("L2 star discrepancy: sobol %.4g, LHS %.4g, random %.4g", ds, dl, dr)
	if !(ds < 0.7*dr) || !(ds < dl) {
		t.Fatalf("Sobol discrepancy %g not clearly below random %g and LHS %g", ds, dr, dl)
	}
	// LHS stratifies each coordinate.
	for j := 0; j < d; j++ {
		seen := make([]bool, n)
		for _, p := range lhs {
			seen[int(p[j]*n)] = true
		}
		for k, ok := range seen {
			if !ok {
				t.Fatalf("LHS dimension %d misses slice %d", j, k)
			}
		}
	}
	if _, err := NewSobol(0, nil); err == nil {
		t.Fatal("dimension 0 accepted")
	}
}

func TestSobolScramblingIsSeeded(t *testing.T) {
	a, _ := NewSobol(3, rand.New(rand.NewPCG(9, 9)))
	b, _ := NewSobol(3, rand.New(rand.NewPCG(9, 9)))
	c, _ := NewSobol(3, rand.New(rand.NewPCG(9, 10)))
	pa, pb, pc := a.Next(nil), b.Next(nil), c.Next(nil)
	for j := range pa {
		if pa[j] != pb[j] {
			t.Fatal("same seed, different points")
		}
	}
	if pa[0] == pc[0] && pa[1] == pc[1] {
		t.Fatal("different seeds, same points")
	}
}
