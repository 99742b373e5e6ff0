package bo

import (
	"errors"
	"fmt"
	"math"
)

// Dense symmetric matrices in this package are row-major []float64 of n*n
// entries. The sizes involved (a few hundred observations) make hand-written
// O(n³) routines perfectly adequate.

// errNotPositiveDefinite is returned by cholesky when a pivot is not positive.
var errNotPositiveDefinite = errors.New("bo: matrix is not positive definite")

// cholesky computes the lower-triangular L with A = L·Lᵀ for the n×n matrix a.
// Only the lower triangle of a is read. The result is a fresh slice whose upper
// triangle is zero.
func cholesky(a []float64, n int) ([]float64, error) {
	if len(a) != n*n {
		return nil, fmt.Errorf("bo: cholesky: matrix has %d entries, want %d", len(a), n*n)
	}
	l := make([]float64, n*n)
	for j := 0; j < n; j++ {
		lj := l[j*n : j*n+j]
		d := a[j*n+j] - dot(lj, lj)
		if !(d > 0) || math.IsInf(d, 0) {
			return nil, errNotPositiveDefinite
		}
		djj := math.Sqrt(d)
		l[j*n+j] = djj
		inv := 1 / djj
		for i := j + 1; i < n; i++ {
			li := l[i*n : i*n+j]
			l[i*n+j] = (a[i*n+j] - dot(li, lj)) * inv
		}
	}
	return l, nil
}

// choleskyJitter factorises a + jitter·I, starting with no jitter and then
// escalating the jitter tenfold from 1e-10·mean(diag) until the factorisation
// succeeds or the jitter would exceed 1e-2·mean(diag). It reports the jitter
// actually added. Kernel matrices of nearly duplicated points are singular to
// working precision; a little jitter is the standard, honest remedy.
func choleskyJitter(a []float64, n int) (l []float64, jitter float64, err error) {
	if l, err = cholesky(a, n); err == nil {
		return l, 0, nil
	}
	meanDiag := 0.0
	for i := 0; i < n; i++ {
		meanDiag += a[i*n+i]
	}
	meanDiag /= float64(max(n, 1))
	if !(meanDiag > 0) {
		meanDiag = 1
	}
	work := make([]float64, len(a))
	for jitter = 1e-10 * meanDiag; jitter <= 1e-2*meanDiag*1.0001; jitter *= 10 {
		copy(work, a)
		for i := 0; i < n; i++ {
			work[i*n+i] += jitter
		}
		if l, err = cholesky(work, n); err == nil {
			return l, jitter, nil
		}
	}
	return nil, 0, fmt.Errorf("bo: cholesky failed even with jitter %.3g: %w", jitter/10, errNotPositiveDefinite)
}

// solveLower solves L·x = b in place (b becomes x) for lower-triangular L.
func solveLower(l []float64, n int, b []float64) {
	for i := 0; i < n; i++ {
		b[i] = (b[i] - dot(l[i*n:i*n+i], b[:i])) / l[i*n+i]
	}
}

// solveUpperT solves Lᵀ·x = b in place for lower-triangular L.
func solveUpperT(l []float64, n int, b []float64) {
	for i := n - 1; i >= 0; i-- {
		s := b[i]
		for k := i + 1; k < n; k++ {
			s -= l[k*n+i] * b[k]
		}
		b[i] = s / l[i*n+i]
	}
}

// cholSolve solves (L·Lᵀ)·x = b in place.
func cholSolve(l []float64, n int, b []float64) {
	solveLower(l, n, b)
	solveUpperT(l, n, b)
}

// cholInverse returns (L·Lᵀ)⁻¹ as a full symmetric n×n matrix. It inverts L
// (n³/6 multiply-adds) and forms L⁻ᵀ·L⁻¹ over the lower triangle only.
func cholInverse(l []float64, n int) []float64 {
	// m = L⁻¹, lower triangular, built row by row from
	// m_i = (e_i − Σ_{k<i} L_ik·m_k) / L_ii so every inner loop is contiguous.
	m := make([]float64, n*n)
	for i := 0; i < n; i++ {
		mi := m[i*n : i*n+i+1]
		for k := 0; k < i; k++ {
			axpy(-l[i*n+k], m[k*n:k*n+k+1], mi[:k+1])
		}
		mi[i] = 1
		inv := 1 / l[i*n+i]
		for j := range mi {
			mi[j] *= inv
		}
	}
	// inv[i][j] = Σ_{k ≥ max(i,j)} m[k][i]·m[k][j]. Use rows of m: transpose so
	// the inner loop runs over contiguous memory.
	mt := make([]float64, n*n) // mt[i][k] = m[k][i], upper triangular
	for k := 0; k < n; k++ {
		for i := 0; i <= k; i++ {
			mt[i*n+k] = m[k*n+i]
		}
	}
	inv := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j <= i; j++ {
			s := dot(mt[i*n+i:i*n+n], mt[j*n+i:j*n+n])
			inv[i*n+j] = s
			inv[j*n+i] = s
		}
	}
	return inv
}

// logDetChol returns log det(L·Lᵀ).
func logDetChol(l []float64, n int) float64 {
	s := 0.0
	for i := 0; i < n; i++ {
		s += math.Log(l[i*n+i])
	}
	return 2 * s
}

// dot is the inner product of two equally long slices.
func dot(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}
