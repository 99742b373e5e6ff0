package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/milp-lite/milp-lite/internal/cputime"
	"github.com/milp-lite/milp-lite/quant"
)

// packedTile quantises tokens rows of cols activations for t and packs them
// as one tile of the batched kernels (packTile), returning the token-major
// quantised values as well.
func packedTile(ks *kernelSet, t quant.Type, x []float32, tokens, cols int) (a ilActs, xq []int8, xd []float32, xc []int32) {
	a = quantizeFor(ks, t, x)
	bs, per := t.BlockSize(), ilTermsPerBlock(t)
	nb := cols / bs
	xq, xd, xc = make([]int8, len(a.xq)), make([]float32, len(a.xd)), make([]int32, len(a.xc))
	packTile(a.xq, xq, tokens, nb, bs, 0, tokens)
	packTile(a.xd, xd, tokens, nb, 1, 0, tokens)
	packTile(a.xc, xc, tokens, nb, per, 0, tokens)
	return a, xq, xd, xc
}

// TestInterleavedGemmMatchesGemv: at every level with batched interleaved
// kernels, each token of a tile gets the bits of the level's single-token
// kernel, and the generic twin's value up to FMA rounding; the kernel writes
// only its tokens' sixteen results per group.
func TestInterleavedGemmMatchesGemv(t *testing.T) {
	r := rand.New(rand.NewPCG(81, 82))
	levels := 0
	forEachLevel(t, func(t testing.TB, l Level) {
		for _, typ := range interleavedTypes {
			kern := impl.interleavedGemmKernel(typ)
			if kern.run == nil {
				continue
			}
			levels++
			T, bs, bb, per := kern.tokens, typ.BlockSize(), typ.BlockBytes(), ilTermsPerBlock(typ)
			twinKern := interleavedGemmGeneric(interleavedGeneric(typ), T, bs, per)
			for _, nb := range []int{1, 2, 5, 9} {
				for _, groups := range []int{1, 3} {
					rows, cols := 16*groups, nb*bs
					w := randomBlocks(r, typ, rows*nb)
					extremes(r, typ, w)
					p := interleaveAs(typ, w, rows, cols)
					x := randVec(r, T*cols)
					clear(x[(T-1)*cols : (T-1)*cols+bs]) // a zero block (scale 0)
					a, xq, xd, xc := packedTile(&impl, typ, x, T, cols)
					ldo := rows + 5
					got := make([]float32, T*ldo)
					for i := range got {
						got[i] = 42
					}
					kern.run(p, groups, nb, xq, xd, xc, got, ldo)
					twin := make([]float32, T*ldo)
					twinKern(p, groups, nb, xq, xd, xc, twin, ldo)
					one := make([]float32, rows)
					for tok := 0; tok < T; tok++ {
						tq, td, tc := a.xq[tok*cols:(tok+1)*cols], a.xd[tok*nb:(tok+1)*nb], a.xc[tok*nb*per:(tok+1)*nb*per]
						impl.interleavedKernel(typ)(p, groups, nb, tq, td, tc, one)
						for i := 0; i < rows; i++ {
							g := got[tok*ldo+i]
							if math.Float32bits(g) != math.Float32bits(one[i]) {
								t.Fatalf("%s %s nb=%d token %d row %d: %g, single-token kernel %g", l, typ, nb, tok, i, g, one[i])
							}
							sc := termScale(typ, w[i*nb*bb:(i+1)*nb*bb], tq, td)
							if !closeTo(g, twin[tok*ldo+i], sc, 1e-6) {
								t.Fatalf("%s %s nb=%d token %d row %d: %g, generic twin %g", l, typ, nb, tok, i, g, twin[tok*ldo+i])
							}
						}
						for i := rows; i < ldo; i++ {
							if got[tok*ldo+i] != 42 {
								t.Fatalf("%s %s nb=%d token %d: wrote past its rows", l, typ, nb, tok)
							}
						}
					}
				}
			}
		}
	})
	if levels == 0 {
		t.Skip("no level of this CPU has the batched interleaved kernels")
	}
}

// TestMatMulIntegerBatch: a batch through a Q8_0, Q4_0, Q5_0, Q4_K or Q6_K
// matrix, whatever its size and however many products share it (MatMul,
// MatMulMany, beside products of another block size and of a type without
// batched kernels), gives each token the bits the token gets alone
// (generation's product) at a level with the batched kernels, and at every
// level stays within the activations' 8-bit rounding of the float product;
// the other products of a MatMulMany get MatMul's bits; through the pool
// too.
func TestMatMulIntegerBatch(t *testing.T) {
	r := rand.New(rand.NewPCG(83, 84))
	pool := NewPool(2)
	forEachLevel(t, func(tb testing.TB, l Level) {
		for _, typ := range []quant.Type{quant.Q8_0, quant.Q4_0, quant.Q5_0, quant.Q4_K, quant.Q6_K} {
			for _, p := range []*Pool{Default(), pool} {
				rows, cols := 48, 2*quant.QKK
				w, deq := randMatrix(tb, r, typ, rows, cols)
				w2, _ := randMatrix(tb, r, typ, 32, cols)
				other := quant.Q4_K // another block size
				if typ.BlockSize() == quant.QKK {
					other = quant.Q8_0
				}
				w3, _ := randMatrix(tb, r, other, 16, cols)
				w5k, _ := randMatrix(tb, r, quant.Q5_K, 32, cols) // no batched kernels
				for _, batch := range []int{2, 7, 8, 9, 19} {
					x := randVec(r, batch*cols)
					got := make([]float32, batch*rows)
					p.MatMul(got, w, x, batch)
					many, many2 := make([]float32, batch*rows), make([]float32, batch*32)
					many3, many5k := make([]float32, batch*16), make([]float32, batch*32)
					p.MatMulMany(x, batch, []Product{{Dst: many5k, W: w5k}, {Dst: many, W: w}, {Dst: many3, W: w3}, {Dst: many2, W: w2}})
					want3, want5k := make([]float32, batch*16), make([]float32, batch*32)
					p.MatMul(want3, w3, x, batch)
					p.MatMul(want5k, w5k, x, batch)
					for i := range want3 {
						if many3[i] != want3[i] {
							tb.Fatalf("%s %s batch %d: %s product's value %d is %g in MatMulMany, %g in MatMul", l, typ, batch, other, i, many3[i], want3[i])
						}
					}
					for i := range want5k {
						if many5k[i] != want5k[i] {
							tb.Fatalf("%s %s batch %d: Q5_K product's value %d is %g in MatMulMany, %g in MatMul", l, typ, batch, i, many5k[i], want5k[i])
						}
					}
					one, one2 := make([]float32, rows), make([]float32, 32)
					for b := 0; b < batch; b++ {
						xb := x[b*cols : (b+1)*cols]
						p.MatMul(one, w, xb, 1)
						p.MatMul(one2, w2, xb, 1)
						for i := 0; i < rows; i++ {
							g := got[b*rows+i]
							if impl.interleavedGemmKernel(typ).run != nil && (g != one[i] || many[b*rows+i] != one[i]) {
								tb.Fatalf("%s %s batch %d token %d row %d: %g (MatMulMany %g), alone %g", l, typ, batch, b, i, g, many[b*rows+i], one[i])
							}
							want := dotGeneric(deq[i*cols:(i+1)*cols], xb)
							bound := actQuantBound(typ, deq[i*cols:(i+1)*cols], xb) + 1e-5*absDot(deq[i*cols:(i+1)*cols], xb)
							if math.Abs(float64(g-want)) > bound || math.Abs(float64(many[b*rows+i]-want)) > bound {
								tb.Fatalf("%s %s batch %d token %d row %d: %g (MatMulMany %g), float product %g (bound %g)", l, typ, batch, b, i, g, many[b*rows+i], want, bound)
							}
						}
						for i := 0; i < 32; i++ {
							if impl.interleavedGemmKernel(typ).run != nil && many2[b*32+i] != one2[i] {
								tb.Fatalf("%s %s batch %d token %d: second product row %d is %g, alone %g", l, typ, batch, b, i, many2[b*32+i], one2[i])
							}
						}
					}
				}
			}
		}
	})
}

// absDot is Σ|a_i·b_i|, the scale of float32 summation error.
func absDot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += math.Abs(float64(a[i]) * float64(b[i]))
	}
	return s
}

// BenchmarkMatMulIntegerVsFloat is prompt processing (128 tokens) through
// Q8_0, Q4_0, Q5_0, Q4_K and Q6_K matrices of SmolLM2's, Qwen2.5-0.5B's and
// TinyLlama's FFN shapes (the K formats where the width is whole
// super-blocks), by the path MatMul takes at this level (int, where it has
// the batched kernels) and by the float GEMM on dequantised tiles. -count
// repeats a sub-benchmark back to back, so alternate by running the binary
// in a loop; on a loaded machine, one thread (-test.cpu 1) and its CPU time
// per product (cpu-ns/op) are steadier than the wall time:
//
//	go test -c -o k.test ./kernels
//	for i in 1 2 3 4 5 6; do ./k.test -test.run X -test.bench IntegerVsFloat -test.benchtime 10x; done | benchstat -col /path -
func BenchmarkMatMulIntegerVsFloat(b *testing.B) {
	r := rand.New(rand.NewPCG(85, 85))
	const m = 128
	for _, shape := range [][2]int{{1536, 576}, {4864, 896}, {5632, 2048}} {
		n, k := shape[0], shape[1]
		for _, typ := range []quant.Type{quant.Q8_0, quant.Q4_0, quant.Q5_0, quant.Q4_K, quant.Q6_K} {
			if k%typ.BlockSize() != 0 {
				continue
			}
			w, _ := randMatrix(b, r, typ, n, k)
			x, c := randVec(r, m*k), make([]float32, m*n)
			for _, path := range []string{"float", "int"} {
				b.Run(fmt.Sprintf("%dx%d/%s/path=%s", n, k, typ, path), func(b *testing.B) {
					run := func() {
						if path == "int" {
							MatMul(c, w, x, m)
						} else {
							Default().gemmW(m, x, w, true, c, n)
						}
					}
					run() // the interleaved copy is made on first use
					cpu0, _ := cputime.Process()
					for b.Loop() {
						run()
					}
					b.ReportMetric(float64(2*m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
					if cpu1, ok := cputime.Process(); ok && cpu1 > cpu0 {
						b.ReportMetric(float64((cpu1-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
					}
				})
			}
		}
	}
}

// TestMatMulIntegerBatchAllocs: once its buffers have grown, a batched
// integer product allocates nothing (a batch of decode steps runs it at
// every step).
func TestMatMulIntegerBatchAllocs(t *testing.T) {
	r := rand.New(rand.NewPCG(86, 87))
	const batch, cols = 9, quant.QKK
	wq, _ := randMatrix(t, r, quant.Q8_0, 32, cols)
	wk, _ := randMatrix(t, r, quant.Q4_K, 16, cols)
	x := randVec(r, batch*cols)
	dq, dk := make([]float32, batch*32), make([]float32, batch*16)
	products := []Product{{Dst: dq, W: wq}, {Dst: dk, W: wk}}
	run := func() {
		MatMul(dq, wq, x, batch)
		MatMulMany(x, batch, products)
	}
	run()
	if n := testing.AllocsPerRun(20, run); n != 0 {
		t.Errorf("%s: %v allocations per batched product", CurrentLevel(), n)
	}
}
