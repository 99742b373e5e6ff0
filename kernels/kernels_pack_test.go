package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/milp-lite/milp-lite/quant"
)

// TestTransposeMatchesGeneric checks both packing orders (transpose and
// packPanel) against the generic transpose, which is itself checked, and
// that neither writes past k·n.
func TestTransposeMatchesGeneric(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	forEachLevel(t, func(t testing.TB, l Level) {
		for _, n := range []int{1, 3, 4, 5, 6, 8, 12, 13, 15, 16, 20, 24, 32} {
			for _, k := range []int{0, 1, 7, 8, 9, 31, 64, 256, 261} {
				ld := k + 5
				src := randVec(r, n*ld)
				want := make([]float32, k*n+3)
				transposeGeneric(k, src, ld, want, n)
				for _, f := range []struct {
					name string
					fn   func(k int, src []float32, ld int, dst []float32, n int)
				}{{"transpose", impl.transpose}, {"packPanel", impl.packPanel}} {
					got := randVec(r, k*n+3)
					copy(want[k*n:], got[k*n:])
					f.fn(k, src, ld, got, n)
					for i := range want {
						if got[i] != want[i] {
							t.Fatalf("%s %s n=%d k=%d: dst[%d] = %g, want %g", l, f.name, n, k, i, got[i], want[i])
						}
					}
				}
				for j := 0; j < n && k > 0; j++ { // and the reference itself
					if want[(k-1)*n+j] != src[j*ld+k-1] {
						t.Fatalf("transposeGeneric n=%d k=%d wrong at column %d", n, k, j)
					}
				}
			}
		}
	})
}

// TestPackStripsMatchesIndexing: packStrips at every level puts value
// src[p·ld + s·width + i] at dst[s·dstStride + p·width + i], for widths
// around every size its copies take (eight, four, two, one at a time),
// and leaves the gaps between strips and the end of dst alone.
func TestPackStripsMatchesIndexing(t *testing.T) {
	r := rand.New(rand.NewPCG(35, 36))
	forEachLevel(t, func(t testing.TB, l Level) {
		for _, width := range []int{1, 2, 3, 4, 5, 6, 7, 8, 12, 15, 16, 17, 32} {
			for _, rows := range []int{0, 1, 2, 9} {
				for _, strips := range []int{1, 3} {
					ld := strips*width + r.IntN(3)
					dstStride := rows*width + r.IntN(3)
					src := randVec(r, max(1, rows*ld))
					dst := randVec(r, strips*dstStride+4)
					want := append([]float32(nil), dst...)
					for p := 0; p < rows; p++ {
						for s := 0; s < strips; s++ {
							for i := 0; i < width; i++ {
								want[s*dstStride+p*width+i] = src[p*ld+s*width+i]
							}
						}
					}
					impl.packStrips(rows, src, ld, dst, dstStride, width, strips)
					for i := range want {
						if dst[i] != want[i] {
							t.Fatalf("%s width=%d rows=%d strips=%d: dst[%d] = %g, want %g", l, width, rows, strips, i, dst[i], want[i])
						}
					}
				}
			}
		}
	})
}

// TestDequantMatchesQuant: the GEMM's weight expanders (Q8_0, Q4_0, Q5_0,
// Q4_K, Q6_K blocks;
// F16 values, from random bits, so subnormals, infinities and NaNs too) give
// package quant's values bit for bit at every level, and write nothing past
// their destination.
func TestDequantMatchesQuant(t *testing.T) {
	r := rand.New(rand.NewPCG(33, 34))
	forEachLevel(t, func(t testing.TB, l Level) {
		for _, c := range []struct {
			typ    quant.Type
			expand func(w []byte, dst []float32)
		}{{quant.Q8_0, impl.dequantQ8_0}, {quant.Q4_0, impl.dequantQ4_0}, {quant.Q4_K, impl.dequantQ4_K},
			{quant.Q5_0, impl.dequantQ5_0}, {quant.Q6_K, impl.dequantQ6_K}, {quant.F16, impl.dequantF16}} {
			for _, nb := range []int{0, 1, 2, 7, 9} {
				n := nb * c.typ.BlockSize()
				if c.typ == quant.F16 {
					n = nb*8 + nb%3 // the F16 expander takes any length
				}
				w := make([]byte, n/c.typ.BlockSize()*c.typ.BlockBytes())
				if c.typ == quant.F16 {
					for i := range w {
						w[i] = byte(r.Uint32())
					}
				} else {
					w = randomBlocks(r, c.typ, nb)
				}
				got, want := make([]float32, n+1), make([]float32, n)
				got[n] = 42
				c.expand(w, got[:n])
				if err := quant.Dequantize(c.typ, w, want); err != nil {
					t.Fatal(err)
				}
				for i := range want {
					same := math.Float32bits(got[i]) == math.Float32bits(want[i])
					bothNaN := math.IsNaN(float64(got[i])) && math.IsNaN(float64(want[i]))
					if !same && !bothNaN {
						t.Fatalf("%s %s n=%d [%d] = %g, want %g", l, c.typ, n, i, got[i], want[i])
					}
				}
				if got[n] != 42 {
					t.Fatalf("%s %s wrote past dst", l, c.typ)
				}
			}
		}
	})
}

// quantizerInputs are activations that probe the rounding rule: values on
// and next to the .5 ties of v·127/amax, zero and all-zero blocks, signed
// zeros, subnormals, huge values, an infinity and a NaN.
func quantizerInputs(r *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64() * math.Exp(r.NormFloat64()*3))
	}
	for b := 0; b+32 <= n; b += 32 {
		blk := x[b : b+32]
		switch (b / 32) % 9 {
		case 1: // exact ties: amax 127 makes inv 1
			blk[0] = 127
			for i := 1; i < 32; i++ {
				blk[i] = float32(i-16) + 0.5
			}
		case 2:
			clear(blk)
		case 3:
			blk[5] = float32(math.Inf(1))
		case 4:
			blk[9] = float32(math.NaN())
		case 5:
			for i := range blk {
				blk[i] = math.Float32frombits(uint32(r.IntN(1 << 23))) // subnormals
			}
		case 6:
			blk[3] = 3e38
			blk[4] = -3.3e38
		case 7:
			blk[0] = float32(math.Copysign(0, -1))
			for i := 1; i < 32; i++ {
				blk[i] = math.Nextafter32(float32(i-16)+0.5, float32(r.IntN(2)*1000-500))
			}
			blk[31] = -127
		}
	}
	return x
}

func TestQuantizersBitExact(t *testing.T) {
	r := rand.New(rand.NewPCG(35, 36))
	forEachLevel(t, func(t testing.TB, l Level) {
		for _, nb := range []int{0, 1, 3, 9, 40} {
			x := quantizerInputs(r, 256*nb)
			for _, k := range []bool{false, true} {
				bs := 32
				if k {
					bs = 256
				}
				m := len(x) / bs
				gq, wq := make([]int8, len(x)+1), make([]int8, len(x))
				gd, wd := make([]float32, m), make([]float32, m)
				gs, ws := make([]int16, 16*m+1), make([]int16, 16*m)
				gq[len(x)], gs[16*m] = 99, 99
				if k {
					impl.quantizeQ8K(x, gq[:len(x)], gd, gs[:16*m])
					quantizeActQ8K(x, wq, wd, ws)
				} else {
					impl.quantizeQ8(x, gq[:len(x)], gd)
					quantizeActQ8(x, wq, wd)
				}
				for i := range wd {
					if math.Float32bits(gd[i]) != math.Float32bits(wd[i]) {
						t.Fatalf("%s K=%v scale %d: %g, generic %g", l, k, i, gd[i], wd[i])
					}
				}
				for i := range wq {
					if gq[i] != wq[i] {
						t.Fatalf("%s K=%v q[%d] (x=%g): %d, generic %d", l, k, i, x[i], gq[i], wq[i])
					}
				}
				for i := range ws {
					if k && gs[i] != ws[i] {
						t.Fatalf("%s sum %d: %d, generic %d", l, i, gs[i], ws[i])
					}
				}
				if gq[len(x)] != 99 || gs[16*m] != 99 {
					t.Fatalf("%s K=%v wrote past the end", l, k)
				}
			}
		}
	})
	// The reference's rounding rule, by hand: ties to even, scale max/127.
	x := make([]float32, 32)
	x[0], x[1], x[2], x[3] = 127, 2.5, -3.5, 0.49999997
	q, d := make([]int8, 32), make([]float32, 1)
	quantizeActQ8(x, q, d)
	if d[0] != 1 || q[0] != 127 || q[1] != 2 || q[2] != -4 || q[3] != 0 {
		t.Fatalf("quantizeActQ8: d %g, q %v", d[0], q[:4])
	}
	x[5] = float32(math.NaN())
	quantizeActQ8(x, q, d)
	if !math.IsNaN(float64(d[0])) || q[0] != 0 {
		t.Fatalf("a NaN block: d %g, q[0] %d", d[0], q[0])
	}
}

// TestMatMulBatchRowsIndependentOfBatch: for every weight type the batched
// path gives a token bit-for-bit the same output whatever else is in its
// batch (≥ 2, up to more than one group of X panels, which F32 runs group
// by group), and MatMulT likewise.
func TestMatMulBatchRowsIndependentOfBatch(t *testing.T) {
	r := rand.New(rand.NewPCG(37, 38))
	const most = 300
	rows, cols := 70, 512
	x := randVec(r, most*cols)
	dy := randVec(r, most*rows)
	forEachLevel(t, func(t testing.TB, l Level) {
		for _, typ := range []quant.Type{quant.F32, quant.F16, quant.Q8_0, quant.Q4_0, quant.Q4_K, quant.Q6_K, quant.Q5_0} {
			w, _ := randMatrix(t, r, typ, rows, cols)
			var ref, refT []float32
			for _, batch := range []int{2, 13, 40, most} {
				out, outT := make([]float32, batch*rows), make([]float32, batch*cols)
				p := NewPool(2)
				p.MatMul(out, w, x[(most-batch)*cols:], batch)
				p.MatMulT(outT, w, dy[(most-batch)*rows:], batch)
				last, lastT := out[(batch-1)*rows:], outT[(batch-1)*cols:]
				if ref == nil {
					ref, refT = last, lastT
					continue
				}
				for j := range ref {
					if last[j] != ref[j] {
						t.Fatalf("%s %s batch %d: out[%d] = %g, batch 2 %g", l, typ, batch, j, last[j], ref[j])
					}
				}
				for j := range refT {
					if lastT[j] != refT[j] {
						t.Fatalf("%s %s MatMulT batch %d: dx[%d] = %g, batch 2 %g", l, typ, batch, j, lastT[j], refT[j])
					}
				}
			}
		}
	})
}

// TestMatMulTQuantBatchAgainstNaive: the GEMM path of MatMulT for quantised
// weights, with column counts that split 256-blocks across tasks and panels
// (and, for F32 and BF16, a last panel short of columns), k in one slice
// and in two.
func TestMatMulTQuantBatchAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(39, 40))
	forEachLevel(t, func(t testing.TB, l Level) {
		for _, typ := range []quant.Type{quant.Q8_0, quant.Q4_K, quant.Q6_K, quant.BF16, quant.F32} {
			for _, shape := range [][2]int{{37, 1280}, {300, 256}, {5, 96}, {301, 100}} {
				rows, cols, batch := shape[0], shape[1], 7
				if cols%typ.BlockSize() != 0 {
					continue
				}
				w, deq := randMatrix(t, r, typ, rows, cols)
				dy := randVec(r, batch*rows)
				got := randVec(r, batch*cols)
				NewPool(2).MatMulT(got, w, dy, batch)
				x := randVec(r, batch*cols)
				gotF := randVec(r, batch*rows)
				NewPool(2).MatMul(gotF, w, x, batch)
				for b := 0; b < batch; b++ {
					for j := 0; j < cols; j++ {
						var want, sc float64
						for i := 0; i < rows; i++ {
							want += float64(deq[i*cols+j]) * float64(dy[b*rows+i])
							sc += math.Abs(float64(deq[i*cols+j]) * float64(dy[b*rows+i]))
						}
						if d := math.Abs(float64(got[b*cols+j]) - want); d > 1e-5*sc+1e-6 {
							t.Fatalf("%s %s %v: dx[%d][%d] = %g, want %g", l, typ, shape, b, j, got[b*cols+j], want)
						}
					}
					for i := 0; i < rows; i++ {
						var want, sc float64
						for j := 0; j < cols; j++ {
							want += float64(deq[i*cols+j]) * float64(x[b*cols+j])
							sc += math.Abs(float64(deq[i*cols+j]) * float64(x[b*cols+j]))
						}
						if d := math.Abs(float64(gotF[b*rows+i]) - want); d > 1e-5*sc+1e-6 {
							t.Fatalf("%s %s %v: y[%d][%d] = %g, want %g", l, typ, shape, b, i, gotF[b*rows+i], want)
						}
					}
				}
			}
		}
	})
}

// TestMatMulTLongKSplitsA: dY·W with a long k (an output head's vocabulary)
// packs more A than cache holds, so the tasks split A as well as B; the
// result must match a float64 reference and, bit for bit, the same token
// computed in a batch small enough not to split.
func TestMatMulTLongKSplitsA(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	rows, batch := 6000, 40 // 4 A panels × 12 × 6000 floats > aCacheBytes
	forEachLevel(t, func(t testing.TB, l Level) {
		for _, tc := range []struct {
			typ  quant.Type
			cols int
		}{{quant.F32, 96}, {quant.F32, 100}, {quant.Q8_0, 96}, {quant.Q4_K, 512}} {
			w, deq := randMatrix(t, r, tc.typ, rows, tc.cols)
			dy := randVec(r, batch*rows)
			for _, workers := range []int{2, 3} {
				got := randVec(r, batch*tc.cols)
				NewPool(workers).MatMulT(got, w, dy, batch)
				for _, b := range []int{0, 17, batch - 1} {
					for j := 0; j < tc.cols; j++ {
						var want, sc float64
						for i := 0; i < rows; i++ {
							p := float64(deq[i*tc.cols+j]) * float64(dy[b*rows+i])
							want, sc = want+p, sc+math.Abs(p)
						}
						if d := math.Abs(float64(got[b*tc.cols+j]) - want); d > 1e-5*sc {
							t.Fatalf("%s %s ×%d workers: dx[%d][%d] = %g, want %g", l, tc.typ, workers, b, j, got[b*tc.cols+j], want)
						}
					}
				}
				small := make([]float32, 2*tc.cols)
				NewPool(workers).MatMulT(small, w, dy[(batch-2)*rows:], 2)
				for j, v := range small[tc.cols:] {
					if v != got[(batch-1)*tc.cols+j] {
						t.Fatalf("%s %s: dx[%d] of the last token is %g in a batch of %d, %g in a batch of 2", l, tc.typ, j, got[(batch-1)*tc.cols+j], batch, v)
					}
				}
			}
		}
	})
}
