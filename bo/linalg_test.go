package bo

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The classic hand-checkable example: A = L·Lᵀ with L = [[2,0,0],[6,1,0],[-8,5,3]].
func TestCholeskyKnown3x3(t *testing.T) {
	a := []float64{4, 12, -16, 12, 37, -43, -16, -43, 98}
	want := []float64{2, 0, 0, 6, 1, 0, -8, 5, 3}
	l, err := cholesky(a, 3)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		assertClose(t, "L entry", l[i], want[i], 1e-14)
	}
	assertClose(t, "log det", logDetChol(l, 3), math.Log(36), 1e-14)
	// Solve A x = b for b = A·[1,2,3].
	b := []float64{4 + 24 - 48, 12 + 74 - 129, -16 - 86 + 294}
	cholSolve(l, 3, b)
	for i, w := range []float64{1, 2, 3} {
		assertClose(t, "solution", b[i], w, 1e-12)
	}
}

func TestCholeskyReconstructsAndInverts(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, n := range []int{1, 2, 7, 30} {
		a := randomSPD(n, rng)
		l, err := cholesky(a, n)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				if j > i && l[i*n+j] != 0 {
					t.Fatalf("n=%d: L not lower triangular", n)
				}
				s := 0.0
				for k := 0; k < n; k++ {
					s += l[i*n+k] * l[j*n+k]
				}
				assertClose(t, "L·Lᵀ", s, a[i*n+j], 1e-10)
			}
		}
		ref, refLogDet := gaussJordanInverse(t, a, n)
		inv := cholInverse(l, n)
		for i := range inv {
			assertClose(t, "inverse", inv[i], ref[i], 1e-10)
		}
		assertClose(t, "log det", logDetChol(l, n), refLogDet, 1e-10)
	}
}

func TestCholeskyJitterOnSingularMatrix(t *testing.T) {
	// Rank one: v·vᵀ, singular for n > 1.
	v := []float64{1, 2, 3, 4}
	n := len(v)
	a := make([]float64, n*n)
	for i := range v {
		for j := range v {
			a[i*n+j] = v[i] * v[j]
		}
	}
	if _, err := cholesky(a, n); err == nil {
		t.Fatal("plain Cholesky of a singular matrix succeeded")
	}
	l, jitter, err := choleskyJitter(a, n)
	if err != nil {
		t.Fatal(err)
	}
	if !(jitter > 0) {
		t.Fatalf("jitter = %g, want > 0", jitter)
	}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			s := 0.0
			for k := 0; k < n; k++ {
				s += l[i*n+k] * l[j*n+k]
			}
			want := a[i*n+j]
			if i == j {
				want += jitter
			}
			assertClose(t, "L·Lᵀ = A + jitter·I", s, want, 1e-9)
		}
	}
	// A positive definite matrix needs no jitter.
	if _, j, err := choleskyJitter([]float64{2, 1, 1, 2}, 2); err != nil || j != 0 {
		t.Fatalf("jitter on a PD matrix: %g, %v", j, err)
	}
	// An indefinite matrix fails even with the largest jitter, with an error.
	if _, _, err := choleskyJitter([]float64{1, 0, 0, -5}, 2); err == nil {
		t.Fatal("indefinite matrix factorised")
	}
	if _, err := cholesky([]float64{1, 2, 3}, 2); err == nil {
		t.Fatal("wrong-sized matrix accepted")
	}
}

func TestTriangularSolves(t *testing.T) {
	l := []float64{2, 0, 0, 6, 1, 0, -8, 5, 3}
	x := []float64{1, -2, 0.5}
	// b = L·x, then Lᵀ·x.
	b := []float64{2, 6 - 2, -8 - 10 + 1.5}
	solveLower(l, 3, b)
	for i := range x {
		assertClose(t, "L solve", b[i], x[i], 1e-14)
	}
	c := []float64{2*1 + 6*-2 - 8*0.5, 1*-2 + 5*0.5, 3 * 0.5}
	solveUpperT(l, 3, c)
	for i := range x {
		assertClose(t, "Lᵀ solve", c[i], x[i], 1e-14)
	}
}
