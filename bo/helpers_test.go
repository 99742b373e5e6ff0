package bo

import (
	"math"
	"math/rand/v2"
	"testing"
)

// gaussJordanInverse inverts an n×n matrix by Gauss–Jordan elimination with
// partial pivoting and also returns log|det|. It is the naive, independent
// float64 reference the Cholesky-based code is checked against.
func gaussJordanInverse(t *testing.T, a []float64, n int) ([]float64, float64) {
	t.Helper()
	m := append([]float64(nil), a...)
	inv := make([]float64, n*n)
	for i := 0; i < n; i++ {
		inv[i*n+i] = 1
	}
	logDet := 0.0
	for c := 0; c < n; c++ {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r*n+c]) > math.Abs(m[p*n+c]) {
				p = r
			}
		}
		if m[p*n+c] == 0 {
			t.Fatalf("reference inverse: singular matrix")
		}
		for k := 0; k < n; k++ {
			m[c*n+k], m[p*n+k] = m[p*n+k], m[c*n+k]
			inv[c*n+k], inv[p*n+k] = inv[p*n+k], inv[c*n+k]
		}
		piv := m[c*n+c]
		logDet += math.Log(math.Abs(piv))
		for k := 0; k < n; k++ {
			m[c*n+k] /= piv
			inv[c*n+k] /= piv
		}
		for r := 0; r < n; r++ {
			if r == c {
				continue
			}
			f := m[r*n+c]
			for k := 0; k < n; k++ {
				m[r*n+k] -= f * m[c*n+k]
				inv[r*n+k] -= f * inv[c*n+k]
			}
		}
	}
	return inv, logDet
}

// randomSPD returns a random well-conditioned symmetric positive definite matrix.
func randomSPD(n int, rng *rand.Rand) []float64 {
	b := make([]float64, n*n)
	for i := range b {
		b[i] = rng.NormFloat64()
	}
	a := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			s := 0.0
			for k := 0; k < n; k++ {
				s += b[i*n+k] * b[j*n+k]
			}
			a[i*n+j] = s
		}
		a[i*n+i] += float64(n)
	}
	return a
}

func assertClose(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > tol*math.Max(1, math.Abs(want)) {
		t.Fatalf("%s = %.12g, want %.12g (tol %g)", what, got, want, tol)
	}
}

// checkGrad compares an analytic gradient with central finite differences.
func checkGrad(t *testing.T, what string, f func(x []float64) float64, x, grad []float64, h, tol float64) {
	t.Helper()
	for i := range x {
		xp := append([]float64(nil), x...)
		xm := append([]float64(nil), x...)
		xp[i] += h
		xm[i] -= h
		fd := (f(xp) - f(xm)) / (2 * h)
		if math.Abs(fd-grad[i]) > tol*math.Max(1, math.Abs(fd)) {
			t.Fatalf("%s: ∂/∂x%d analytic %.10g, finite difference %.10g", what, i, grad[i], fd)
		}
	}
}
