package kernels

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/milp-lite/milp-lite/quant"
)

// forEachLevel runs f once per level this CPU and build can run, with that
// level's kernels installed, and restores the best level afterwards.
func forEachLevel(t testing.TB, f func(t testing.TB, l Level)) {
	t.Helper()
	levels := AvailableLevels()
	defer SetLevel(CurrentLevel())
	for _, l := range levels {
		if err := SetLevel(l); err != nil {
			t.Fatal(err)
		}
		f(t, l)
	}
}

// closeTo reports whether got is within rel·scale (+ a tiny absolute slack)
// of want, where scale is the sum of the magnitudes of the summed terms: the
// natural size of float32 summation error whatever the order.
func closeTo(got, want float32, scale float64, rel float64) bool {
	return math.Abs(float64(got)-float64(want)) <= rel*scale+1e-30
}

var vecLengths = []int{0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 129, 255, 576, 1000, 1536}

func TestVecKernelsMatchGeneric(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	forEachLevel(t, func(t testing.TB, l Level) {
		for _, n := range vecLengths {
			for _, big := range []float32{1, 1e18} {
				a, b := randVec(r, n), randVec(r, n)
				for i := range a {
					a[i] *= big
				}
				var absSum, abs1 float64
				for i := range a {
					absSum += math.Abs(float64(a[i]) * float64(b[i]))
					abs1 += math.Abs(float64(a[i]))
				}
				if g, w := impl.dot(a, b), dotGeneric(a, b); !closeTo(g, w, absSum, 1e-5) {
					t.Fatalf("%s dot n=%d big=%g: %g, generic %g", l, n, big, g, w)
				}
				if g, w := impl.sum(a), sumGeneric(a); !closeTo(g, w, abs1, 1e-5) {
					t.Fatalf("%s sum n=%d: %g, generic %g", l, n, g, w)
				}
				// axpy and scale are element-wise: exact (an FMA rounds once,
				// like the separate product of an exact power of two).
				y1, y2 := append([]float32(nil), b...), append([]float32(nil), b...)
				guard := append(append([]float32(nil), b...), 42) // a value past len(x) must survive
				impl.axpy(0.5, a, y1)
				axpyGeneric(0.5, a, y2)
				impl.axpy(0.5, a, guard[:n+1])
				for i := range y1 {
					if y1[i] != y2[i] {
						t.Fatalf("%s axpy n=%d index %d: %g, generic %g", l, n, i, y1[i], y2[i])
					}
				}
				if guard[n] != 42 {
					t.Fatalf("%s axpy n=%d wrote past x's length", l, n)
				}
				s1, s2 := append(append([]float32(nil), a...), 7), append([]float32(nil), a...)
				impl.scale(-0.25, s1[:n])
				scaleGeneric(-0.25, s2)
				for i := range s2 {
					if s1[i] != s2[i] {
						t.Fatalf("%s scale n=%d index %d: %g, generic %g", l, n, i, s1[i], s2[i])
					}
				}
				if s1[n] != 7 {
					t.Fatalf("%s scale n=%d wrote past the end", l, n)
				}
			}
		}
		if f := impl.peakFMA(1000); f <= 0 || f%1000 != 0 {
			t.Fatalf("%s peakFMA(1000) = %d flops", l, f)
		}
	})
}

// quantTypes are the formats with integer-dot kernels.
var quantTypes = []quant.Type{quant.Q8_0, quant.Q4_0, quant.Q5_0, quant.Q4_1, quant.Q5_1, quant.Q4_K, quant.Q5_K, quant.Q6_K}

// hasOffsetQ32 reports the 32-wide formats whose dots take block sums.
func hasOffsetQ32(t quant.Type) bool { return t == quant.Q4_1 || t == quant.Q5_1 }

// randomBlocks fills nb blocks of t with random bytes and then sets every
// f16 scale to a finite value drawn from a wide range (including tiny,
// subnormal and huge), so that bit patterns the quantiser never produces are
// covered too.
func randomBlocks(r *rand.Rand, t quant.Type, nb int) []byte {
	bb := t.BlockBytes()
	w := make([]byte, nb*bb)
	for i := range w {
		w[i] = byte(r.Uint32())
	}
	scales := []float32{0, 1e-7, 3e-5, 0.001, 0.02, 1, -0.5, 100, 40000}
	f16 := func(off int) {
		v := scales[r.IntN(len(scales))] * float32(0.5+r.Float64())
		binary.LittleEndian.PutUint16(w[off:], quant.F32ToF16(v))
	}
	for b := 0; b < nb; b++ {
		o := b * bb
		switch t {
		case quant.Q8_0, quant.Q4_0, quant.Q5_0, quant.Q4_1, quant.Q5_1, quant.Q4_K, quant.Q5_K:
			f16(o)
			if t == quant.Q4_K || t == quant.Q5_K || hasOffsetQ32(t) {
				f16(o + 2) // dmin or m
			}
		case quant.Q6_K:
			f16(o + 208)
		}
	}
	return w
}

// randomActs returns n activations with the given magnitude, some blocks
// all zero, quantised for type t (xm: the 32-block sums for Q4_1/Q5_1).
func randomActs(r *rand.Rand, t quant.Type, n int, mag float64) (x []float32, xq []int8, xd []float32, xs []int16, xm []float32) {
	x = make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64() * mag)
	}
	if n >= 64 {
		clear(x[32:64]) // an all-zero block (scale 0)
	}
	xq = make([]int8, n)
	if t.BlockSize() == quant.QK {
		xd, xm = make([]float32, n/32), make([]float32, n/32)
		quantizeActQ8(x, xq, xd)
		actBlockSums(xq, xd, xm)
	} else {
		xd, xs = make([]float32, n/256), make([]int16, n/16)
		quantizeActQ8K(x, xq, xd, xs)
	}
	return
}

// termScale is Σ|w_i·x̂_i| counting a K format's scaled values and its
// offsets (minimums, Q6_K's -32) separately: the float work of a kernel
// is relative to that, even when the two cancel.
func termScale(t quant.Type, w []byte, xq []int8, xd []float32) float64 {
	n := len(xq)
	deq := make([]float32, n)
	_ = quant.Dequantize(t, w, deq)
	off := make([]float32, n)
	if t.BlockSize() == quant.QKK {
		z := append([]byte(nil), w...)
		bb := t.BlockBytes()
		for b := 0; b < len(z)/bb; b++ {
			blk := z[b*bb : (b+1)*bb]
			switch t {
			case quant.Q4_K:
				clear(blk[16:])
			case quant.Q5_K:
				clear(blk[16:])
			case quant.Q6_K:
				clear(blk[:192])
			}
		}
		_ = quant.Dequantize(t, z, off)
	}
	if hasOffsetQ32(t) {
		// The offset m alone: every 4- and 5-bit value zero.
		z := append([]byte(nil), w...)
		bb := t.BlockBytes()
		for b := 0; b < len(z)/bb; b++ {
			clear(z[b*bb+4 : (b+1)*bb])
		}
		_ = quant.Dequantize(t, z, off)
	}
	bs := t.BlockSize()
	var s float64
	for i := range deq {
		x := math.Abs(float64(xq[i]) * float64(xd[i/bs]))
		s += (math.Abs(float64(deq[i]-off[i])) + math.Abs(float64(off[i]))) * x
	}
	return s
}

func quantDot(ks *kernelSet, t quant.Type, w []byte, xq []int8, xd []float32, xs []int16, xm []float32) float32 {
	switch t {
	case quant.Q8_0:
		return ks.dotQ8_0(w, xq, xd)
	case quant.Q4_0:
		return ks.dotQ4_0(w, xq, xd)
	case quant.Q5_0:
		return ks.dotQ5_0(w, xq, xd)
	case quant.Q4_1:
		return ks.dotQ4_1(w, xq, xd, xm)
	case quant.Q5_1:
		return ks.dotQ5_1(w, xq, xd, xm)
	case quant.Q4_K:
		return ks.dotQ4_K(w, xq, xd, xs)
	case quant.Q5_K:
		return ks.dotQ5_K(w, xq, xd, xs)
	}
	return ks.dotQ6_K(w, xq, xd, xs)
}

func TestQuantDotsMatchGeneric(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	gen := genericKernels()
	forEachLevel(t, func(t testing.TB, l Level) {
		for _, typ := range quantTypes {
			for _, nb := range []int{0, 1, 2, 3, 5, 8, 18, 27, 28} {
				for _, mag := range []float64{1, 1e-20, 1e6} {
					n := nb * typ.BlockSize()
					w := randomBlocks(r, typ, nb)
					_, xq, xd, xs, xm := randomActs(r, typ, n, mag)
					got, want := quantDot(&impl, typ, w, xq, xd, xs, xm), quantDot(&gen, typ, w, xq, xd, xs, xm)
					if sc := termScale(typ, w, xq, xd); !closeTo(got, want, sc, 1e-5) {
						t.Fatalf("%s %s nb=%d mag=%g: %g, generic %g (term scale %g)", l, typ, nb, mag, got, want, sc)
					}
				}
			}
		}
	})
}

// actQuantBound is how far Σ w_i·x_i can move when x is rounded to 8 bits
// as MatMul does for typ: each x_i moves by at most half its block's step
// max|x|/127, so the sum moves by at most Σ_blocks step/2 · Σ_block |w_i|.
// Zero for types that use the activations as they are.
func actQuantBound(typ quant.Type, w, x []float32) float64 {
	bs := 0
	switch typ {
	case quant.Q8_0, quant.Q4_0, quant.Q5_0, quant.Q4_1, quant.Q5_1:
		bs = 32
	case quant.Q4_K, quant.Q5_K, quant.Q6_K:
		bs = 256
	default:
		return 0
	}
	var bound float64
	for b := 0; b < len(x)/bs; b++ {
		var amax, wabs float64
		for i := b * bs; i < (b+1)*bs; i++ {
			amax = math.Max(amax, math.Abs(float64(x[i])))
			wabs += math.Abs(float64(w[i]))
		}
		bound += amax / 127 / 2 * wabs * (1 + 1e-6)
	}
	return bound
}

// TestQuantMatMulWithinActivationBound: the quantised matmul against a
// float64 product of the dequantised weights and the exact activations,
// within the activation-rounding bound plus float32 summation error.
func TestQuantMatMulWithinActivationBound(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	forEachLevel(t, func(t testing.TB, l Level) {
		types := append(append([]quant.Type{}, quantTypes...), quant.F16, quant.BF16)
		// 576 and 896 are SmolLM2's and Qwen2.5-0.5B's widths (not whole
		// 256-blocks: the K formats skip them); the minimum-bytes override
		// also splits the small matrices across the pool.
		shapes := []struct {
			rows, cols int
			split      bool
		}{{23, 768, false}, {9, 576, true}, {17, 896, false}, {31, 896, true}}
		minBytes := matVecMinBytesPerWorker
		defer func() { matVecMinBytesPerWorker = minBytes }()
		for _, typ := range types {
			for _, sh := range shapes {
				rows, cols := sh.rows, sh.cols
				if cols%typ.BlockSize() != 0 {
					continue
				}
				matVecMinBytesPerWorker = minBytes
				if sh.split {
					matVecMinBytesPerWorker = 0
				}
				for _, batch := range []int{1, 3} {
					w, deq := randMatrix(t, r, typ, rows, cols)
					x := randVec(r, batch*cols)
					for i := 0; i < 32; i++ {
						x[i] *= 50 // an outlier block, as real activations have
					}
					got := make([]float32, batch*rows)
					NewPool(2).MatMul(got, w, x, batch)
					for b := 0; b < batch; b++ {
						for i := 0; i < rows; i++ {
							var want, scale float64
							for j := 0; j < cols; j++ {
								p := float64(deq[i*cols+j]) * float64(x[b*cols+j])
								want += p
								scale += math.Abs(p)
							}
							tol := actQuantBound(typ, deq[i*cols:(i+1)*cols], x[b*cols:(b+1)*cols]) + 1e-5*scale
							if d := math.Abs(float64(got[b*rows+i]) - want); d > tol {
								t.Fatalf("%s %s %dx%d batch %d: out[%d][%d] = %g, want %g ± %g", l, typ, rows, cols, batch, b, i, got[b*rows+i], want, tol)
							}
						}
					}
				}
			}
		}
	})
}

func TestHalfDotsMatchGeneric(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	forEachLevel(t, func(t testing.TB, l Level) {
		for _, n := range vecLengths {
			x := randVec(r, n)
			w := make([]byte, 2*n)
			for i := range w {
				w[i] = byte(r.Uint32())
			}
			for i := 0; i < n; i++ { // keep halves finite: clear the top exponent bit
				w[2*i+1] &^= 0x40
			}
			var scale, scaleBF float64
			for i := 0; i < n; i++ {
				scale += math.Abs(float64(f16le(w[2*i:])) * float64(x[i]))
				scaleBF += math.Abs(float64(bf16le(w[2*i:])) * float64(x[i]))
			}
			if g, want := impl.dotF16(w, x), dotF16Generic(w, x); !closeTo(g, want, scale, 1e-5) {
				t.Fatalf("%s dotF16 n=%d: %g, generic %g", l, n, g, want)
			}
			if g, want := impl.dotBF16(w, x), dotBF16Generic(w, x); !closeTo(g, want, scaleBF, 1e-5) {
				t.Fatalf("%s dotBF16 n=%d: %g, generic %g", l, n, g, want)
			}
		}
	})
}

// TestGEMMMicroMatchesNaive: every level's register tile against a plain
// sum, overwriting and accumulating, inside a wider C whose gaps must stay
// untouched.
func TestGEMMMicroMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	forEachLevel(t, func(t testing.TB, l Level) {
		mr, nr := impl.gemmMR, impl.gemmNR
		for _, k := range []int{0, 1, 2, 7, 64} {
			for _, acc := range []bool{false, true} {
				a, b := randVec(r, k*mr), randVec(r, k*nr)
				ldc := nr + 5
				c := randVec(r, mr*ldc)
				got := slices.Clone(c)
				impl.gemmMicro(k, a, b, got, ldc, acc)
				for i := 0; i < mr; i++ {
					for j := 0; j < ldc; j++ {
						want, mag := c[i*ldc+j], math.Abs(float64(c[i*ldc+j]))
						if j < nr {
							if !acc {
								want, mag = 0, 0
							}
							for p := 0; p < k; p++ {
								want += a[p*mr+i] * b[p*nr+j]
								mag += math.Abs(float64(a[p*mr+i] * b[p*nr+j]))
							}
						}
						if g := got[i*ldc+j]; !closeTo(g, want, mag, 1e-6) {
							t.Fatalf("%s k=%d acc=%v: c[%d][%d] = %g, want %g", l, k, acc, i, j, g, want)
						}
					}
				}
			}
		}
	})
}

// TestGEMMAgainstNaive covers every transpose combination, sizes that leave
// partial register tiles and blocks, k beyond one k-block, and accumulation.
func TestGEMMAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 20))
	shapes := [][3]int{{1, 1, 1}, {5, 7, 3}, {12, 32, 16}, {13, 33, 17}, {37, 70, 300}, {100, 260, 9}, {6, 16, 0}}
	forEachLevel(t, func(t testing.TB, l Level) {
		for _, s := range shapes {
			m, n, k := s[0], s[1], s[2]
			for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
				for _, accumulate := range []bool{false, true} {
					a, b := randVec(r, m*k), randVec(r, k*n)
					lda, ldb, ldc := k, n, n+3 // a padded C checks ldc
					if tr[0] {
						lda = m
					}
					if tr[1] {
						ldb = k
					}
					c := randVec(r, m*ldc)
					c0 := append([]float32(nil), c...)
					NewPool(2).GEMM(tr[0], tr[1], m, n, k, a, lda, b, ldb, c, ldc, accumulate)
					for i := 0; i < m; i++ {
						for j := 0; j < ldc; j++ {
							if j >= n {
								if c[i*ldc+j] != c0[i*ldc+j] {
									t.Fatalf("%s GEMM %v wrote C outside its columns", l, s)
								}
								continue
							}
							var want, scale float64
							if accumulate {
								want, scale = float64(c0[i*ldc+j]), math.Abs(float64(c0[i*ldc+j]))
							}
							for p := 0; p < k; p++ {
								var av, bv float32
								if tr[0] {
									av = a[p*lda+i]
								} else {
									av = a[i*lda+p]
								}
								if tr[1] {
									bv = b[j*ldb+p]
								} else {
									bv = b[p*ldb+j]
								}
								want += float64(av) * float64(bv)
								scale += math.Abs(float64(av) * float64(bv))
							}
							if d := math.Abs(float64(c[i*ldc+j]) - want); d > 1e-5*scale+1e-6 {
								t.Fatalf("%s GEMM %v trans %v acc %v: C[%d][%d] = %g, want %g", l, s, tr, accumulate, i, j, c[i*ldc+j], want)
							}
						}
					}
				}
			}
		}
	})
}

// TestMatMulF32BatchUsesGEMM: the batched F32 paths (GEMM) agree with the
// per-row dot path.
func TestMatMulF32BatchUsesGEMM(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	rows, cols, batch := 45, 130, 2*gemmMinBatch+1
	w := NewF32Matrix(rows, cols, randVec(r, rows*cols))
	x := randVec(r, batch*cols)
	forEachLevel(t, func(t testing.TB, l Level) {
		got := make([]float32, batch*rows)
		NewPool(2).MatMul(got, w, x, batch)
		for b := 0; b < batch; b++ {
			for i := 0; i < rows; i++ {
				want := dotGeneric(w.f32[i*cols:(i+1)*cols], x[b*cols:(b+1)*cols])
				if math.Abs(float64(got[b*rows+i]-want)) > 1e-4 {
					t.Fatalf("%s: out[%d][%d] = %g, want %g", l, b, i, got[b*rows+i], want)
				}
			}
		}
		dy := randVec(r, batch*rows)
		dx := make([]float32, batch*cols)
		NewPool(2).MatMulT(dx, w, dy, batch)
		for b := 0; b < batch; b++ {
			for j := 0; j < cols; j++ {
				var want float64
				for i := 0; i < rows; i++ {
					want += float64(w.f32[i*cols+j]) * float64(dy[b*rows+i])
				}
				if math.Abs(float64(dx[b*cols+j])-want) > 1e-4 {
					t.Fatalf("%s: dx[%d][%d] = %g, want %g", l, b, j, dx[b*cols+j], want)
				}
			}
		}
	})
}

func TestElementwiseKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	forEachLevel(t, func(t testing.TB, l Level) {
		for _, n := range vecLengths {
			x := randVec(r, n)
			for i := range x {
				x[i] *= 8
			}
			e := append([]float32(nil), x...)
			sum := impl.expShift(e, 3)
			var want float64
			for i, v := range x {
				w := math.Exp(float64(v) - 3)
				want += w
				if math.Abs(float64(e[i])-w) > 2e-6*w {
					t.Fatalf("%s expShift(%g) = %g, want %g", l, v, e[i], w)
				}
			}
			if math.Abs(float64(sum)-want) > 1e-5*want {
				t.Fatalf("%s expShift sum %g, want %g", l, sum, want)
			}
			g, u := append([]float32(nil), x...), randVec(r, n)
			impl.siluMul(g, u)
			for i, v := range x {
				w := float64(v) / (1 + math.Exp(-float64(v))) * float64(u[i])
				if math.Abs(float64(g[i])-w) > 2e-6*math.Abs(w)+1e-30 {
					t.Fatalf("%s siluMul(%g, %g) = %g, want %g", l, v, u[i], g[i], w)
				}
			}
		}
	})
}

// TestRMSNormSameBitsAtEveryLevel: the SIMD sum of squares keeps the
// generic lanes and order, so RMSNorm gives the generic bits at every
// level, for every length, huge and tiny values included; and it is right
// (against float64, and its returned scale is the one applied).
func TestRMSNormSameBitsAtEveryLevel(t *testing.T) {
	r := rand.New(rand.NewPCG(27, 28))
	type input struct{ x, w []float32 }
	var inputs []input
	for _, n := range vecLengths[1:] {
		for _, mag := range []float32{1, 1e-20, 1e18} {
			x, w := randVec(r, n), randVec(r, n)
			for i := range x {
				x[i] *= mag
			}
			inputs = append(inputs, input{x, w})
		}
	}
	want := make([][]float32, len(inputs))
	defer SetLevel(CurrentLevel())
	if err := SetLevel(Generic); err != nil {
		t.Fatal(err)
	}
	for i, in := range inputs {
		want[i] = make([]float32, len(in.x))
		scale := RMSNorm(want[i], in.x, in.w, 1e-5)
		var ss float64
		for _, v := range in.x {
			ss += float64(v) * float64(v)
		}
		ref := 1 / math.Sqrt(ss/float64(len(in.x))+1e-5)
		if math.Abs(float64(scale)-ref) > 1e-6*ref {
			t.Fatalf("n=%d: scale %g, want %g", len(in.x), scale, ref)
		}
		for j, v := range in.x {
			if want[i][j] != v*scale*in.w[j] {
				t.Fatalf("n=%d: dst[%d] = %g, want x·scale·w = %g", len(in.x), j, want[i][j], v*scale*in.w[j])
			}
		}
	}
	forEachLevel(t, func(t testing.TB, l Level) {
		for i, in := range inputs {
			got := append(make([]float32, len(in.x)), 7) // a sentinel past dst
			RMSNorm(got[:len(in.x)], in.x, in.w, 1e-5)
			for j := range want[i] {
				if math.Float32bits(got[j]) != math.Float32bits(want[i][j]) {
					t.Fatalf("%s n=%d: dst[%d] = %g, generic %g", l, len(in.x), j, got[j], want[i][j])
				}
			}
			if got[len(in.x)] != 7 {
				t.Fatalf("%s n=%d: wrote past dst", l, len(in.x))
			}
		}
	})
}

// TestAddInPlaceSameBits: Add in place (an AXPY by one) gives the bits of
// Add into a third slice, signed zeros, infinities and NaNs included.
func TestAddInPlaceSameBits(t *testing.T) {
	r := rand.New(rand.NewPCG(29, 30))
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), 1e38, -1e38, 1e-45}
	forEachLevel(t, func(t testing.TB, l Level) {
		for _, n := range vecLengths {
			a, b := randVec(r, n), randVec(r, n)
			for i := range a {
				if r.IntN(4) == 0 {
					a[i], b[i] = special[r.IntN(len(special))], special[r.IntN(len(special))]
				}
			}
			want := make([]float32, n)
			Add(want, a, b)
			Add(a, a, b)
			for i := range a {
				if math.Float32bits(a[i]) != math.Float32bits(want[i]) && !(math.IsNaN(float64(a[i])) && math.IsNaN(float64(want[i]))) {
					t.Fatalf("%s n=%d: in place %g, into a third slice %g", l, n, a[i], want[i])
				}
			}
		}
	})
}

// TestElementwiseBoundsAndMax: the elementwise kernels touch exactly
// len(x) elements (a sentinel after the slice survives; the AVX-512 ones
// run the last len%16 under a mask), and max finds what maxOf finds,
// passing over NaNs after the first element and never reading past the end.
func TestElementwiseBoundsAndMax(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 26))
	const sentinel = 1e30
	forEachLevel(t, func(t testing.TB, l Level) {
		for _, n := range vecLengths {
			if n == 0 {
				continue
			}
			buf := append(randVec(r, n), sentinel, sentinel)
			x := buf[:n]
			if got, want := impl.max(x), maxOf(x); got != want {
				t.Fatalf("%s max n=%d = %g, want %g", l, n, got, want)
			}
			if n > 1 {
				x[r.IntN(n-1)+1] = float32(math.NaN())
				if got, want := impl.max(x), maxOf(x); got != want {
					t.Fatalf("%s max n=%d with a NaN = %g, want %g", l, n, got, want)
				}
				x[0] = float32(math.NaN())
				if got := impl.max(x); !math.IsNaN(float64(got)) {
					t.Fatalf("%s max n=%d with x[0] NaN = %g, want NaN", l, n, got)
				}
			}
			for i := range x {
				x[i] = -float32(i) - 1 // all negative: a masked-off zero would win
			}
			if got := impl.max(x); got != -1 {
				t.Fatalf("%s max of -1..-%d = %g", l, n, got)
			}
			impl.expShift(x, 0)
			up := append(randVec(r, n), sentinel)
			impl.siluMul(x, up[:n])
			if buf[n] != sentinel || buf[n+1] != sentinel || up[n] != sentinel {
				t.Fatalf("%s n=%d: a kernel wrote past the slice", l, n)
			}
		}
	})
}

// TestExpSameBitsOnAmd64Levels: AVX-512's exp is AVX2's on sixteen lanes,
// so they agree bit for bit (a prompt's softmax and SwiGLU do not change
// with MILP_KERNELS=avx2), sums aside, whose order differs.
func TestExpSameBitsOnAmd64Levels(t *testing.T) {
	have := map[Level]bool{}
	for _, l := range AvailableLevels() {
		have[l] = true
	}
	if !have[AVX2] || !have[AVX512] {
		t.Skip("needs the AVX2 and AVX-512 levels")
	}
	defer SetLevel(CurrentLevel())
	x := make([]float32, 0, 100003)
	for i := 0; i < 100000; i++ {
		x = append(x, -110+float32(i)*(200.0/100000))
	}
	x = append(x, float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)))
	run := func(l Level) (e, s []float32) {
		if err := SetLevel(l); err != nil {
			t.Fatal(err)
		}
		e, s = append([]float32(nil), x...), append([]float32(nil), x...)
		impl.expShift(e[:len(e)&^15], 0.5) // whole vectors at both levels
		up := make([]float32, len(s))
		for i := range up {
			up[i] = 1.5
		}
		impl.siluMul(s[:len(s)&^15], up)
		return
	}
	e2, s2 := run(AVX2)
	e5, s5 := run(AVX512)
	for i := range x {
		if math.Float32bits(e2[i]) != math.Float32bits(e5[i]) || math.Float32bits(s2[i]) != math.Float32bits(s5[i]) {
			t.Fatalf("x=%g: exp %g (avx2) vs %g (avx512), silu %g vs %g", x[i], e2[i], e5[i], s2[i], s5[i])
		}
	}
}

// FuzzDot: any float32 data, any length, at every level, against the
// generic dot.
func FuzzDot(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8}, uint16(1))
	f.Add(make([]byte, 4*70), uint16(3))
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		n := len(data) / 8
		a, b := make([]float32, n), make([]float32, n)
		var scale float64
		for i := 0; i < n; i++ {
			a[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[8*i:]))
			b[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[8*i+4:]))
			if !isFinite(a[i]) || !isFinite(b[i]) || math.Abs(float64(a[i])) > 1e15 || math.Abs(float64(b[i])) > 1e15 {
				a[i], b[i] = 1, float32(split)
			}
			scale += math.Abs(float64(a[i]) * float64(b[i]))
		}
		want := dotGeneric(a, b)
		forEachLevel(t, func(tb testing.TB, l Level) {
			if got := impl.dot(a, b); !closeTo(got, want, scale, 1e-5) {
				tb.Fatalf("%s dot n=%d: %g, generic %g", l, n, got, want)
			}
		})
	})
}

func isFinite(v float32) bool { return !math.IsNaN(float64(v)) && !math.IsInf(float64(v), 0) }

// FuzzQuantDot: raw block bytes (scales made finite) and activations from
// the fuzzer, every quantised format, every level, against the generic dot.
func FuzzQuantDot(f *testing.F) {
	f.Add(make([]byte, 300), int64(1), uint8(0))
	f.Add([]byte("some blocks of arbitrary bytes"), int64(-5), uint8(4))
	for i, typ := range quantTypes { // three blocks of every format
		raw := make([]byte, 3*typ.BlockBytes())
		for j := range raw {
			raw[j] = byte(j*131 + 7)
		}
		f.Add(raw, int64(i), uint8(i))
	}
	f.Fuzz(func(t *testing.T, raw []byte, seed int64, which uint8) {
		typ := quantTypes[int(which)%len(quantTypes)]
		bb := typ.BlockBytes()
		nb := min(len(raw)/bb, 8)
		w := append([]byte(nil), raw[:nb*bb]...)
		r := rand.New(rand.NewPCG(uint64(seed), 1))
		// Make scales finite: clear the top exponent bit of each f16.
		for b := 0; b < nb; b++ {
			o := b * bb
			switch typ {
			case quant.Q6_K:
				w[o+209] &^= 0x40
			case quant.Q4_K, quant.Q5_K, quant.Q4_1, quant.Q5_1:
				w[o+3] &^= 0x40
				fallthrough
			default:
				w[o+1] &^= 0x40
			}
		}
		_, xq, xd, xs, xm := randomActs(r, typ, nb*typ.BlockSize(), math.Exp(r.NormFloat64()*5))
		gen := genericKernels()
		want := quantDot(&gen, typ, w, xq, xd, xs, xm)
		sc := termScale(typ, w, xq, xd)
		forEachLevel(t, func(tb testing.TB, l Level) {
			if got := quantDot(&impl, typ, w, xq, xd, xs, xm); !closeTo(got, want, sc, 1e-5) {
				tb.Fatalf("%s %s nb=%d: %g, generic %g", l, typ, nb, got, want)
			}
		})
	})
}

var _ = fmt.Sprint

// TestGEMMRowsIndependentOfShape: a row of C is bit-for-bit the same
// whether it is computed alone, in an edge tile or inside a full tile, with
// or without k-blocking: the batch a token is in must not change its result.
func TestGEMMRowsIndependentOfShape(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 26))
	n, k := 70, 600
	a, b := randVec(r, 40*k), randVec(r, n*k)
	forEachLevel(t, func(t testing.TB, l Level) {
		ref := make([]float32, n)
		NewPool(2).GEMM(false, true, 1, n, k, a[7*k:8*k], k, b, k, ref, n, false)
		for _, m := range []int{2, 8, 13, 40} {
			c := make([]float32, m*n)
			NewPool(2).GEMM(false, true, m, n, k, a[(8-min(8, m))*k:], k, b, k, c, n, false)
			row := c[(min(8, m)-1)*n : min(8, m)*n]
			for j := range ref {
				if row[j] != ref[j] {
					t.Fatalf("%s m=%d: C[row][%d] = %g, alone %g", l, m, j, row[j], ref[j])
				}
			}
		}
	})
}
