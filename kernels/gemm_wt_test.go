package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/milp-lite/milp-lite/quant"
)

// TestGemmWTTileMatchesGeneric checks the level's X·Wᵀ tile against its
// portable twin for lengths around the unrolling (every remainder of the
// AVX-512 tile's four steps a trip) and strides wider than the
// rows, and that it writes nothing outside its 32 rows of 8 values.
func TestGemmWTTileMatchesGeneric(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	forEachLevel(t, func(t testing.TB, l Level) {
		if impl.gemmWT == nil {
			return
		}
		wtRows, wtTokens := impl.gemmWTRows, impl.gemmWTTokens
		for _, k := range []int{0, 1, 2, 3, 4, 6, 7, 16, 64, 577} {
			ldw, ldc := k+3, 13
			w := randVec(r, wtRows*ldw)
			x := randVec(r, k*wtTokens)
			got := make([]float32, wtTokens*ldc)
			want := make([]float32, wtTokens*ldc)
			for i := range got {
				got[i], want[i] = -7, -7
			}
			impl.gemmWT(k, w, ldw, x, got, ldc, w, 8)
			gemmWTGeneric(wtRows, wtTokens, k, w, ldw, x, want, ldc)
			for i := range got {
				tok, row := i/ldc, i%ldc
				var scale float64
				if row < wtRows {
					for p := 0; p < k; p++ {
						scale += math.Abs(float64(w[row*ldw+p]) * float64(x[p*wtTokens+tok]))
					}
				}
				if !closeTo(got[i], want[i], scale, 1e-6) {
					t.Fatalf("%s k=%d: c[token %d][%d] = %g, want %g", l, k, tok, row, got[i], want[i])
				}
			}
		}
	})
}

// TestMatMulWTAgainstNaive: batches through W read in place, against a
// float64 reference, with full and partial tiles in both directions (m
// around 32 and 128, n a multiple of 8 or not) and weight types read in
// place (F32) or expanded per task (the float path: MatMul takes Q8_0 to
// the integer kernels where the level has them).
func TestMatMulWTAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(43, 44))
	forEachLevel(t, func(t testing.TB, l Level) {
		for _, c := range []struct{ m, n, k int }{{2, 8, 64}, {32, 64, 96}, {33, 37, 256}, {130, 200, 64}, {64, 16, 576}} {
			for _, typ := range []quant.Type{quant.F32, quant.F16, quant.Q8_0, quant.Q4_K} {
				if c.k%typ.BlockSize() != 0 {
					continue
				}
				w, deq := randMatrix(t, r, typ, c.n, c.k)
				x := randVec(r, c.m*c.k)
				got := make([]float32, c.m*c.n)
				NewPool(3).gemmW(c.m, x, w, true, got, c.n)
				for b := 0; b < c.m; b++ {
					for i := 0; i < c.n; i++ {
						var want, scale float64
						for p := 0; p < c.k; p++ {
							v := float64(deq[i*c.k+p]) * float64(x[b*c.k+p])
							want += v
							scale += math.Abs(v)
						}
						if math.Abs(float64(got[b*c.n+i])-want) > 1e-5*scale+1e-6 {
							t.Fatalf("%s %s %+v: out[%d][%d] = %g, want %g", l, typ, c, b, i, got[b*c.n+i], want)
						}
					}
				}
			}
		}
	})
}

func BenchmarkGemmWTTile(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, k := range []int{576, 1536} {
		b.Run(fmt.Sprint("k=", k), func(b *testing.B) {
			benchLevels(b, func(b *testing.B) {
				if impl.gemmWT == nil {
					b.Skip("no tile at this level")
				}
				wtRows, wtTokens := impl.gemmWTRows, impl.gemmWTTokens
				w, x, c := randVec(r, wtRows*k), randVec(r, k*wtTokens), make([]float32, wtTokens*wtRows)
				for b.Loop() {
					impl.gemmWT(k, w, k, x, c, wtRows, w, 0)
				}
				b.ReportMetric(2*float64(wtRows*wtTokens*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		})
	}
}

// TestMatMulManyMatchesMatMul: products sharing one batch give, bit for
// bit, what MatMul gives one by one, for matrices of different types and
// heights (partial 8-row blocks among them) and for a single token, whose
// products share one matrix-vector loop when their kinds agree.
func TestMatMulManyMatchesMatMul(t *testing.T) {
	r := rand.New(rand.NewPCG(45, 46))
	const k = 256
	sets := [][]quant.Type{
		{quant.F32, quant.Q8_0, quant.Q4_K},  // a batch of one: one matVec each
		{quant.Q8_0, quant.Q4_0, quant.Q5_0}, // a batch of one: a shared matVec
		{quant.Q4_K, quant.Q6_K},
		{quant.F32, quant.F32, quant.F32, quant.F32, quant.F32}, // more than a shared matVec holds
	}
	forEachLevel(t, func(t testing.TB, l Level) {
		for _, set := range sets {
			var mats []*Matrix
			for i, typ := range set {
				rows := 40 + 13*i
				w, _ := randMatrix(t, r, typ, rows, k)
				mats = append(mats, w)
			}
			for _, batch := range []int{1, 2, 45} {
				x := randVec(r, batch*k)
				prods := make([]Product, len(mats))
				for i, w := range mats {
					prods[i] = Product{Dst: make([]float32, batch*w.Rows), W: w}
				}
				p := NewPool(2)
				p.MatMulMany(x, batch, prods)
				for i, w := range mats {
					want := make([]float32, batch*w.Rows)
					p.MatMul(want, w, x, batch)
					for j := range want {
						if prods[i].Dst[j] != want[j] {
							t.Fatalf("%s batch %d product %d (%s): value %d is %g, MatMul gives %g", l, batch, i, w.Type, j, prods[i].Dst[j], want[j])
						}
					}
				}
			}
		}
	})
}
