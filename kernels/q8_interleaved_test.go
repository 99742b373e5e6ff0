package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/milp-lite/milp-lite/quant"
)

// deinterleaveQ8_0 reads the interleaved layout back into plain Q8_0 rows,
// independently of interleaveQ8_0's loops (offsets from the layout's
// description).
func deinterleaveQ8_0(p []byte, rows, cols int) []byte {
	nb := cols / quant.QK
	out := make([]byte, len(p))
	for r := 0; r < rows; r++ {
		g, l := r/16, r%16
		for b := 0; b < nb; b++ {
			base := (g*nb + b) * 544
			blk := out[r*nb*34+b*34:][:34]
			blk[0], blk[1] = p[base+2*l], p[base+2*l+1]
			for i := 0; i < 32; i++ {
				blk[2+i] = p[base+32+(i/4)*64+4*l+i%4] - 128
			}
		}
	}
	return out
}

// TestInterleaveQ8_0RoundTrip: every byte of every block, −128 included,
// comes back from the interleaved layout, which is exactly as large.
func TestInterleaveQ8_0RoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(61, 62))
	for _, shape := range [][2]int{{16, 32}, {32, 96}, {48, 576}} {
		rows, cols := shape[0], shape[1]
		w := randomBlocks(r, quant.Q8_0, rows*cols/quant.QK)
		w[2], w[3] = 0x80, 0x7f // −128 and 127
		p := interleaveQ8_0(w, rows, cols)
		if len(p) != len(w) {
			t.Fatalf("%d×%d: interleaved %d bytes, Q8_0 %d", rows, cols, len(p), len(w))
		}
		back := deinterleaveQ8_0(p, rows, cols)
		for i := range w {
			if back[i] != w[i] {
				t.Fatalf("%d×%d: byte %d is %#x after the round trip, was %#x", rows, cols, i, back[i], w[i])
			}
		}
	}
}

// TestGemvQ8_0x16MatchesRowDots: the interleaved product, at every level
// that has it, against its generic twin (same order of float operations up
// to FMA rounding) and against the plain generic row dot (another order).
func TestGemvQ8_0x16MatchesRowDots(t *testing.T) {
	r := rand.New(rand.NewPCG(63, 64))
	levels := 0
	forEachLevel(t, func(t testing.TB, l Level) {
		if impl.gemvQ8_0x16 == nil {
			return
		}
		levels++
		for _, nb := range []int{1, 2, 3, 18, 48} {
			for _, groups := range []int{1, 2, 5} {
				rows, cols := 16*groups, nb*quant.QK
				w := randomBlocks(r, quant.Q8_0, rows*nb)
				for i := 0; i < 40; i++ { // some −128 quants
					blk := r.IntN(rows * nb)
					w[blk*34+2+r.IntN(32)] = 0x80
				}
				p := interleaveQ8_0(w, rows, cols)
				xq, xd := make([]int8, cols), make([]float32, nb)
				impl.quantizeQ8(randVec(r, cols), xq, xd)
				xc := make([]int32, nb)
				q8BiasTerms(xq, xc)
				got := make([]float32, rows+1)
				got[rows] = 42
				impl.gemvQ8_0x16(p, groups, nb, xq, xd, xc, got[:rows])
				twin := make([]float32, rows)
				gemvQ8_0x16Generic(p, groups, nb, xq, xd, xc, twin)
				for i := 0; i < rows; i++ {
					row := w[i*nb*34 : (i+1)*nb*34]
					sc := termScale(quant.Q8_0, row, xq, xd)
					if !closeTo(got[i], twin[i], sc, 1e-6) {
						t.Fatalf("%s nb=%d row %d: %g, generic twin %g", l, nb, i, got[i], twin[i])
					}
					if want := dotQ8_0Generic(row, xq, xd); !closeTo(got[i], want, sc, 1e-5) {
						t.Fatalf("%s nb=%d row %d: %g, row dot %g", l, nb, i, got[i], want)
					}
				}
				if got[rows] != 42 {
					t.Fatalf("%s nb=%d: wrote past the rows", l, nb)
				}
			}
		}
	})
	if levels == 0 {
		t.Skip("no level of this CPU has the interleaved Q8_0 kernel")
	}
}

// TestMatMulQ8_0InterleavedChunks: generation's Q8_0 product over any chunk
// of rows, aligned to the sixteen-row groups or not, and over matrices whose
// rows are no multiple of sixteen (no interleaved copy), equals the row
// dots; through the pool, with several matrices sharing one call.
func TestMatMulQ8_0InterleavedChunks(t *testing.T) {
	r := rand.New(rand.NewPCG(65, 66))
	forEachLevel(t, func(tb testing.TB, l Level) {
		cols := 96
		nb := cols / quant.QK
		for _, rows := range []int{48, 40, 16} {
			data := randomBlocks(r, quant.Q8_0, rows*nb)
			w, err := NewMatrix(quant.Q8_0, rows, cols, data)
			if err != nil {
				tb.Fatal(err)
			}
			x := randVec(r, cols)
			xq, xd := make([]int8, cols), make([]float32, nb)
			impl.quantizeQ8(x, xq, xd)
			want := make([]float32, rows)
			for i := range want {
				want[i] = dotQ8_0Generic(data[i*nb*34:(i+1)*nb*34], xq, xd)
			}
			check := func(what string, got []float32, lo, hi int) {
				for i := lo; i < hi; i++ {
					sc := termScale(quant.Q8_0, data[i*nb*34:(i+1)*nb*34], xq, xd)
					if !closeTo(got[i], want[i], sc, 1e-5) {
						tb.Fatalf("%s %d rows, %s: row %d is %g, want %g", l, rows, what, i, got[i], want[i])
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
			// Every chunk [lo, hi) directly.
			task := &matMulTask{batch: 1, xq: xq, xd: xd, ks: impl, xc: make([]int32, nb)}
			q8BiasTerms(xq, task.xc)
			task.q8x16 = impl.gemvQ8_0x16 != nil && w.interleavedQ8() != nil
			for lo := 0; lo <= rows; lo += 3 {
				for hi := lo; hi <= rows; hi += 5 {
					got := make([]float32, rows)
					task.rowsQ8_0(w, got, lo, hi)
					check("chunk", got, lo, hi)
					for i := range got {
						if (i < lo || i >= hi) && got[i] != 0 {
							tb.Fatalf("%s chunk [%d,%d) wrote row %d", l, lo, hi, i)
						}
					}
				}
			}
		}
	})
}

// FuzzGemvQ8_0x16: fuzzed quants, scales made finite, every level with the
// kernel against the generic twin.
func FuzzGemvQ8_0x16(f *testing.F) {
	f.Add(make([]byte, 16*34), int64(1))
	f.Add([]byte("sixteen rows of one block of bytes, arbitrary ones here"), int64(-3))
	f.Fuzz(func(t *testing.T, raw []byte, seed int64) {
		r := rand.New(rand.NewPCG(uint64(seed), 2))
		nb := 1 + r.IntN(4)
		rows, cols := 16, nb*quant.QK
		w := make([]byte, rows*nb*34)
		for i := range w {
			if len(raw) > 0 {
				w[i] = raw[i%len(raw)] ^ byte(i/len(raw))
			}
		}
		for b := 0; b < rows*nb; b++ {
			w[b*34+1] &^= 0x40 // finite scales
		}
		p := interleaveQ8_0(w, rows, cols)
		xq, xd := make([]int8, cols), make([]float32, nb)
		genericKernels().quantizeQ8(randVec(r, cols), xq, xd)
		xc := make([]int32, nb)
		q8BiasTerms(xq, xc)
		want := make([]float32, rows)
		gemvQ8_0x16Generic(p, 1, nb, xq, xd, xc, want)
		forEachLevel(t, func(tb testing.TB, l Level) {
			if impl.gemvQ8_0x16 == nil {
				return
			}
			got := make([]float32, rows)
			impl.gemvQ8_0x16(p, 1, nb, xq, xd, xc, got)
			for i := range got {
				sc := termScale(quant.Q8_0, w[i*nb*34:(i+1)*nb*34], xq, xd)
				if !closeTo(got[i], want[i], sc, 1e-6) && !(math.IsNaN(float64(got[i])) && math.IsNaN(float64(want[i]))) {
					tb.Fatalf("%s row %d: %g, generic %g", l, i, got[i], want[i])
				}
			}
		})
	})
}
