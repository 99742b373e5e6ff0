package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/milp-lite/milp-lite/quant"
)

// interleavedTypes are the types with an interleaved layout.
var interleavedTypes = []quant.Type{quant.Q8_0, quant.Q4_0}

// deinterleave reads an interleaved copy back into plain rows, from the
// layouts' descriptions rather than the packers' loops.
func deinterleave(t quant.Type, p []byte, rows, cols int) []byte {
	nb, bb := cols/quant.QK, t.BlockBytes()
	out := make([]byte, len(p))
	for r := 0; r < rows; r++ {
		g, l := r/16, r%16
		for b := 0; b < nb; b++ {
			base := (g*nb + b) * 16 * bb
			blk := out[r*nb*bb+b*bb:][:bb]
			blk[0], blk[1] = p[base+2*l], p[base+2*l+1]
			for i := 0; i < bb-2; i++ {
				v := p[base+32+(i/4)*64+4*l+i%4]
				if t == quant.Q8_0 {
					v -= 128
				}
				blk[2+i] = v
			}
		}
	}
	return out
}

func interleaveAs(t quant.Type, data []byte, rows, cols int) []byte {
	if t == quant.Q4_0 {
		return interleaveQ4_0(data, rows, cols)
	}
	return interleaveQ8_0(data, rows, cols)
}

func interleavedGeneric(t quant.Type) interleavedGemv {
	if t == quant.Q4_0 {
		return gemvQ4_0x16Generic
	}
	return gemvQ8_0x16Generic
}

func rowDotGeneric(t quant.Type, w []byte, xq []int8, xd []float32) float32 {
	if t == quant.Q4_0 {
		return dotQ4_0Generic(w, xq, xd)
	}
	return dotQ8_0Generic(w, xq, xd)
}

// TestInterleaveRoundTrip: every byte of every block, Q8_0's −128
// included, comes back from the interleaved layout, which is exactly as
// large.
func TestInterleaveRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(61, 62))
	for _, typ := range interleavedTypes {
		for _, shape := range [][2]int{{16, 32}, {32, 96}, {48, 576}} {
			rows, cols := shape[0], shape[1]
			w := randomBlocks(r, typ, rows*cols/quant.QK)
			w[2], w[3] = 0x80, 0x7f // −128 and 127 in Q8_0; nibbles 0/8 and 15/7 in Q4_0
			p := interleaveAs(typ, w, rows, cols)
			if len(p) != len(w) {
				t.Fatalf("%s %d×%d: interleaved %d bytes, plain %d", typ, rows, cols, len(p), len(w))
			}
			back := deinterleave(typ, p, rows, cols)
			for i := range w {
				if back[i] != w[i] {
					t.Fatalf("%s %d×%d: byte %d is %#x after the round trip, was %#x", typ, rows, cols, i, back[i], w[i])
				}
			}
		}
	}
}

// TestInterleavedGemvMatchesRowDots: the interleaved products, at every
// level that has them, against their generic twins (same order of float
// operations up to FMA rounding) and against the plain generic row dots
// (another order).
func TestInterleavedGemvMatchesRowDots(t *testing.T) {
	r := rand.New(rand.NewPCG(63, 64))
	levels := 0
	forEachLevel(t, func(t testing.TB, l Level) {
		for _, typ := range interleavedTypes {
			kern := impl.interleavedKernel(typ)
			if kern == nil {
				continue
			}
			levels++
			bb := typ.BlockBytes()
			for _, nb := range []int{1, 2, 3, 18, 48} {
				for _, groups := range []int{1, 2, 5} {
					rows, cols := 16*groups, nb*quant.QK
					w := randomBlocks(r, typ, rows*nb)
					for i := 0; i < 40; i++ { // extreme quants: −128 in Q8_0, 0/8 nibbles in Q4_0
						blk := r.IntN(rows * nb)
						w[blk*bb+2+r.IntN(bb-2)] = 0x80
					}
					p := interleaveAs(typ, w, rows, cols)
					xq, xd := make([]int8, cols), make([]float32, nb)
					impl.quantizeQ8(randVec(r, cols), xq, xd)
					xc := make([]int32, nb)
					blockBiasTerms(xq, ilOffset(typ), xc)
					got := make([]float32, rows+1)
					got[rows] = 42
					kern(p, groups, nb, xq, xd, xc, got[:rows])
					twin := make([]float32, rows)
					interleavedGeneric(typ)(p, groups, nb, xq, xd, xc, twin)
					for i := 0; i < rows; i++ {
						row := w[i*nb*bb : (i+1)*nb*bb]
						sc := termScale(typ, row, xq, xd)
						if !closeTo(got[i], twin[i], sc, 1e-6) {
							t.Fatalf("%s %s nb=%d row %d: %g, generic twin %g", l, typ, nb, i, got[i], twin[i])
						}
						if want := rowDotGeneric(typ, row, xq, xd); !closeTo(got[i], want, sc, 1e-5) {
							t.Fatalf("%s %s nb=%d row %d: %g, row dot %g", l, typ, nb, i, got[i], want)
						}
					}
					if got[rows] != 42 {
						t.Fatalf("%s %s nb=%d: wrote past the rows", l, typ, nb)
					}
				}
			}
		}
	})
	if levels == 0 {
		t.Skip("no level of this CPU has the interleaved kernels")
	}
}

// TestMatMulInterleavedChunks: generation's product over any chunk of rows,
// aligned to the sixteen-row groups or not, and over matrices whose rows
// are no multiple of sixteen (no interleaved copy), equals the row dots;
// through the pool too.
func TestMatMulInterleavedChunks(t *testing.T) {
	r := rand.New(rand.NewPCG(65, 66))
	forEachLevel(t, func(tb testing.TB, l Level) {
		for _, typ := range interleavedTypes {
			cols := 96
			nb, bb := cols/quant.QK, typ.BlockBytes()
			for _, rows := range []int{48, 40, 16} {
				data := randomBlocks(r, typ, rows*nb)
				w, err := NewMatrix(typ, rows, cols, data)
				if err != nil {
					tb.Fatal(err)
				}
				x := randVec(r, cols)
				xq, xd := make([]int8, cols), make([]float32, nb)
				impl.quantizeQ8(x, xq, xd)
				want := make([]float32, rows)
				for i := range want {
					want[i] = rowDotGeneric(typ, data[i*nb*bb:(i+1)*nb*bb], xq, xd)
				}
				check := func(what string, got []float32, lo, hi int) {
					for i := lo; i < hi; i++ {
						sc := termScale(typ, data[i*nb*bb:(i+1)*nb*bb], xq, xd)
						if !closeTo(got[i], want[i], sc, 1e-5) {
							tb.Fatalf("%s %s %d rows, %s: row %d is %g, want %g", l, typ, rows, what, i, got[i], want[i])
						}
					}
				}
				// The pool, small products not split and split.
				for _, minBytes := range []int{1 << 30, 1} {
					old := SetMatVecMinBytes(minBytes)
					got := make([]float32, rows)
					NewPool(2).MatMul(got, w, x, 1)
					SetMatVecMinBytes(old)
					check("MatMul", got, 0, rows)
				}
				if impl.interleavedKernel(typ) == nil || w.interleaved() == nil {
					continue
				}
				// Every chunk [lo, hi) directly.
				task := &matMulTask{batch: 1, xq: xq, xd: xd, ks: impl, il: true, xc8: make([]int32, nb), xc4: make([]int32, nb)}
				blockBiasTerms(xq, ilOffset(quant.Q8_0), task.xc8)
				blockBiasTerms(xq, ilOffset(quant.Q4_0), task.xc4)
				for lo := 0; lo <= rows; lo += 3 {
					for hi := lo; hi <= rows; hi += 5 {
						got := make([]float32, rows)
						task.rowsInterleaved(w, got, lo, hi)
						check("chunk", got, lo, hi)
						for i := range got {
							if (i < lo || i >= hi) && got[i] != 0 {
								tb.Fatalf("%s %s chunk [%d,%d) wrote row %d", l, typ, lo, hi, i)
							}
						}
					}
				}
			}
		}
	})
}

// FuzzInterleavedGemv: fuzzed quants, scales made finite, both types, every
// level with the kernels against the generic twins.
func FuzzInterleavedGemv(f *testing.F) {
	f.Add(make([]byte, 16*34), int64(1), false)
	f.Add([]byte("sixteen rows of one block of bytes, arbitrary ones here"), int64(-3), true)
	f.Fuzz(func(t *testing.T, raw []byte, seed int64, q4 bool) {
		typ := quant.Q8_0
		if q4 {
			typ = quant.Q4_0
		}
		r := rand.New(rand.NewPCG(uint64(seed), 2))
		nb := 1 + r.IntN(4)
		rows, cols, bb := 16, nb*quant.QK, typ.BlockBytes()
		w := make([]byte, rows*nb*bb)
		for i := range w {
			if len(raw) > 0 {
				w[i] = raw[i%len(raw)] ^ byte(i/len(raw))
			}
		}
		for b := 0; b < rows*nb; b++ {
			w[b*bb+1] &^= 0x40 // finite scales
		}
		p := interleaveAs(typ, w, rows, cols)
		xq, xd := make([]int8, cols), make([]float32, nb)
		genericKernels().quantizeQ8(randVec(r, cols), xq, xd)
		xc := make([]int32, nb)
		blockBiasTerms(xq, ilOffset(typ), xc)
		want := make([]float32, rows)
		interleavedGeneric(typ)(p, 1, nb, xq, xd, xc, want)
		forEachLevel(t, func(tb testing.TB, l Level) {
			kern := impl.interleavedKernel(typ)
			if kern == nil {
				return
			}
			got := make([]float32, rows)
			kern(p, 1, nb, xq, xd, xc, got)
			for i := range got {
				sc := termScale(typ, w[i*nb*bb:(i+1)*nb*bb], xq, xd)
				if !closeTo(got[i], want[i], sc, 1e-6) && !(math.IsNaN(float64(got[i])) && math.IsNaN(float64(want[i]))) {
					tb.Fatalf("%s %s row %d: %g, generic %g", l, typ, i, got[i], want[i])
				}
			}
		})
	})
}
