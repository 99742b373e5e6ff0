package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/viterin/vek/vek32"
)

// The kernels against an independent implementation, vek, at every level:
// vek's own SIMD (or, where it has none, plain loops) sums in an order of
// its choosing, so agreement is judged by a bound that holds for any order.
//
// Every value has a magnitude in [0.5, 1) and a random sign. A float32 sum
// of n products, in any order, is within γₙ·Σ|aᵢbᵢ| of the exact value
// (γₙ = nu/(1−nu), u = 2⁻²⁴; a fused multiply-add only rounds less), so two
// such sums differ by at most 2γₙ·Σ|aᵢbᵢ| ≤ 2γₙ·n. Each product is at least
// 0.25 in magnitude, and for n up to maxRefTerms that bound stays below it:
// a kernel that drops or repeats a single term (a vector tail, a block edge)
// cannot pass.
const maxRefTerms = 1000

var refLengths = []int{1, 3, 5, 7, 9, 15, 17, 31, 33, 63, 65, 127, 129, 255, 257, 577, 999}

// refVec is n values of magnitude in [0.5, 1) with random signs.
func refVec(r *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = 0.5 + 0.5*r.Float32()
		if r.IntN(2) == 0 {
			v[i] = -v[i]
		}
	}
	return v
}

// gamma is γₙ for float32.
func gamma(n int) float64 {
	nu := float64(n) * 0x1p-24
	return nu / (1 - nu)
}

// sumBound is how far two float32 sums, in any orders, of the products
// a[i]·b[i·stride] may lie apart.
func sumBound(a, b []float32, stride int) float64 {
	var s float64
	for i := range a {
		s += math.Abs(float64(a[i]) * float64(b[i*stride]))
	}
	return 2 * gamma(len(a)) * s
}

func TestDotAgainstVek(t *testing.T) {
	if g := 2 * gamma(maxRefTerms) * maxRefTerms; g >= 0.25 {
		t.Fatalf("the bound for %d terms (%g) cannot tell a missing term", maxRefTerms, g)
	}
	r := rand.New(rand.NewPCG(21, 22))
	forEachLevel(t, func(t testing.TB, l Level) {
		for _, n := range refLengths {
			a, b := refVec(r, n), refVec(r, n)
			got, want := Dot(a, b), vek32.Dot(a, b)
			if d := math.Abs(float64(got) - float64(want)); d > sumBound(a, b, 1) {
				t.Errorf("%s: Dot n=%d = %g, vek %g: %g apart, bound %g", l, n, got, want, d, sumBound(a, b, 1))
			}
		}
	})
}

// TestAxpyAgainstVek: vek has no axpy; y + αx is its MulNumber then Add,
// two roundings of which ours (fused or not) shares at most both, so each
// element lies within 2γ₂·(|αx|+|y|) of vek's.
func TestAxpyAgainstVek(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	forEachLevel(t, func(t testing.TB, l Level) {
		for _, n := range refLengths {
			x, y0 := refVec(r, n), refVec(r, n)
			alpha := refVec(r, 1)[0]
			want := vek32.Add(y0, vek32.MulNumber(x, alpha))
			y := append([]float32(nil), y0...)
			Axpy(alpha, x, y)
			for i := range y {
				bound := 2 * gamma(2) * (math.Abs(float64(alpha)*float64(x[i])) + math.Abs(float64(y0[i])))
				if d := math.Abs(float64(y[i]) - float64(want[i])); d > bound {
					t.Fatalf("%s: Axpy n=%d element %d = %g, vek %g", l, n, i, y[i], want[i])
				}
			}
		}
	})
}

// checkProduct compares c (m×n) with vek's product of a (m×k) and b (k×n),
// all row-major, element by element within the bound of a k-term sum.
func checkProduct(t testing.TB, what string, c, a, b []float32, m, k, n int) {
	t.Helper()
	want := vek32.MatMul(a, b, k)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			bound := sumBound(a[i*k:(i+1)*k], b[j:], n)
			if d := math.Abs(float64(c[i*n+j]) - float64(want[i*n+j])); d > bound {
				t.Fatalf("%s: element (%d, %d) = %g, vek %g: %g apart, bound %g", what, i, j, c[i*n+j], want[i*n+j], d, bound)
			}
		}
	}
}

// transpose returns the cols×rows transpose of a row-major rows×cols matrix.
func transpose(a []float32, rows, cols int) []float32 {
	out := make([]float32, len(a))
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			out[j*rows+i] = a[i*cols+j]
		}
	}
	return out
}

// refShapes are odd m×k×n products: below and above the register tiles and
// the GEMM's k block, with one row (m = 1: MatMul's matrix-vector path) and
// one column (n = 1).
var refShapes = [][3]int{{1, 1, 1}, {1, 129, 37}, {1, 999, 5}, {3, 7, 1}, {37, 129, 1}, {5, 17, 3}, {13, 67, 29}, {29, 257, 41}, {97, 301, 13}}

// TestProductsAgainstVek: GEMM computes a·b, and MatMul x·Wᵀ for a batch
// of rows x (the matrix-vector path for one, the packed GEMM from the stored
// matrix for more), which is vek's x times the transposed weights.
func TestProductsAgainstVek(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 26))
	forEachLevel(t, func(t testing.TB, l Level) {
		for _, s := range refShapes {
			m, k, n := s[0], s[1], s[2]
			a, b := refVec(r, m*k), refVec(r, k*n)
			c := make([]float32, m*n)
			GEMM(false, false, m, n, k, a, k, b, n, c, n, false)
			checkProduct(t, fmt.Sprintf("%s: GEMM %d×%d×%d", l, m, k, n), c, a, b, m, k, n)

			// The same shape as m vectors x of k values through n rows of W.
			w := refVec(r, n*k)
			MatMul(c, NewF32Matrix(n, k, w), a, m)
			checkProduct(t, fmt.Sprintf("%s: MatMul of %d×%d by %d vectors", l, n, k, m), c, a, transpose(w, n, k), m, k, n)
		}
	})
}
