package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/milp-lite/milp-lite/quant"
)

// interleavedTypes are the types with an interleaved layout.
var interleavedTypes = []quant.Type{quant.Q8_0, quant.Q4_0, quant.Q5_0, quant.Q4_K, quant.Q6_K}

// ilActs are activations quantised for type t, with the per-block terms
// the interleaved kernel of t takes (xc).
type ilActs struct {
	xq     []int8
	xd     []float32
	xs     []int16
	xc     []int32
	blocks int
}

func quantizeFor(ks *kernelSet, t quant.Type, x []float32) ilActs {
	a := ilActs{xq: make([]int8, len(x)), blocks: len(x) / t.BlockSize()}
	a.xd = make([]float32, a.blocks)
	if t.BlockSize() == quant.QKK {
		a.xs = make([]int16, 16*a.blocks)
		ks.quantizeQ8K(x, a.xq, a.xd, a.xs)
		if t == quant.Q6_K {
			a.xc = make([]int32, 16*a.blocks)
			q6BiasTerms(a.xs, a.xc)
			return a
		}
		a.xc = make([]int32, 8*a.blocks)
		kSubSums(a.xs, a.xc)
		return a
	}
	ks.quantizeQ8(x, a.xq, a.xd)
	a.xc = make([]int32, a.blocks)
	blockBiasTerms(a.xq, ilOffset(t), a.xc)
	return a
}

// deinterleave reads an interleaved copy back into plain rows, from the
// layouts' descriptions rather than the packers' loops.
func deinterleave(t quant.Type, p []byte, rows, cols int) []byte {
	nb, bb := cols/t.BlockSize(), t.BlockBytes()
	out := make([]byte, len(p))
	if t == quant.Q6_K {
		for r := 0; r < rows; r++ {
			g, l := r/16, r%16
			for b := 0; b < nb; b++ {
				base := (g*nb + b) * 16 * bb
				blk := out[r*nb*bb+b*bb:][:bb]
				blk[208], blk[209] = p[base+2*l], p[base+2*l+1] // d
				for i := 0; i < 16; i++ {
					blk[192+i] = p[base+32+(i/4)*64+4*l+i%4]
				}
				// Quad 8h+m (192 bytes from 288): units of ql bytes
				// 64h+4m…, ql bytes 64h+32+4m…, qh bytes 32h+4m….
				for h := 0; h < 2; h++ {
					for m := 0; m < 8; m++ {
						q := base + 288 + (8*h+m)*192 + 4*l
						for i := 0; i < 4; i++ {
							blk[64*h+4*m+i] = p[q+i]
							blk[64*h+32+4*m+i] = p[q+64+i]
							blk[128+32*h+4*m+i] = p[q+128+i]
						}
					}
				}
			}
		}
		return out
	}
	if t == quant.Q4_K {
		for r := 0; r < rows; r++ {
			g, l := r/16, r%16
			for b := 0; b < nb; b++ {
				base := (g*nb + b) * 16 * bb
				blk := out[r*nb*bb+b*bb:][:bb]
				blk[0], blk[1] = p[base+2*l], p[base+2*l+1]       // d
				blk[2], blk[3] = p[base+32+2*l], p[base+32+2*l+1] // dmin
				for i := 0; i < 12; i++ {
					blk[4+i] = p[base+64+(i/4)*64+4*l+i%4]
				}
				for i := 0; i < 128; i++ {
					blk[16+i] = p[base+256+(i/4)*64+4*l+i%4]
				}
			}
		}
		return out
	}
	if t == quant.Q5_0 {
		for r := 0; r < rows; r++ {
			g, l := r/16, r%16
			for b := 0; b < nb; b++ {
				base := (g*nb + b) * 16 * bb
				blk := out[r*nb*bb+b*bb:][:bb]
				blk[0], blk[1] = p[base+2*l], p[base+2*l+1]
				// The fifth bit of value v: byte v%4 of the row's dword,
				// bit v/4 (v < 16) or 4+(v-16)/4.
				var qh uint32
				for v := 0; v < 32; v++ {
					i, bit := v%4, v/4
					if v >= 16 {
						i, bit = (v-16)%4, 4+(v-16)/4
					}
					qh |= uint32(p[base+32+4*l+i]>>bit&1) << v
				}
				blk[2], blk[3], blk[4], blk[5] = byte(qh), byte(qh>>8), byte(qh>>16), byte(qh>>24)
				for i := 0; i < 16; i++ {
					blk[6+i] = p[base+96+(i/4)*64+4*l+i%4]
				}
			}
		}
		return out
	}
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

// interleaveAs rewrites rows×cols values of t (rows a multiple of ilLanes)
// into the interleaved layout, on the caller.
func interleaveAs(t quant.Type, data []byte, rows, cols int) []byte {
	out := make([]byte, len(data))
	interleaveGroups(t)(data, out, cols, 0, rows/ilLanes)
	return out
}

func interleavedGeneric(t quant.Type) interleavedGemv {
	switch t {
	case quant.Q4_0:
		return gemvQ4_0x16Generic
	case quant.Q5_0:
		return gemvQ5_0x16Generic
	case quant.Q4_K:
		return gemvQ4_Kx16Generic
	case quant.Q6_K:
		return gemvQ6_Kx16Generic
	}
	return gemvQ8_0x16Generic
}

func rowDotGeneric(t quant.Type, w []byte, a ilActs) float32 {
	switch t {
	case quant.Q4_0:
		return dotQ4_0Generic(w, a.xq, a.xd)
	case quant.Q5_0:
		return dotQ5_0Generic(w, a.xq, a.xd)
	case quant.Q4_K:
		return dotQ4_KGeneric(w, a.xq, a.xd, a.xs)
	case quant.Q6_K:
		return dotQ6_KGeneric(w, a.xq, a.xd, a.xs)
	}
	return dotQ8_0Generic(w, a.xq, a.xd)
}

// extremes sets some quant bytes to 0x80 (−128 in Q8_0, nibbles 0 and 8 in
// Q4_0 and Q4_K) and, in Q4_K, some scale bytes to all ones (scales and
// mins of 63); in Q6_K, quant bytes to all ones (q = 63) and scales to −128.
func extremes(r *rand.Rand, t quant.Type, w []byte) {
	bb := t.BlockBytes()
	if t == quant.Q6_K {
		for i := 0; i < 40; i++ {
			w[r.IntN(len(w)/bb)*bb+r.IntN(192)] = 0xff
		}
		for i := 0; i < 10; i++ {
			w[r.IntN(len(w)/bb)*bb+192+r.IntN(16)] = 0x80
		}
		return
	}
	first := 2
	if t == quant.Q4_K {
		first = 16
		for i := 0; i < 10; i++ {
			w[r.IntN(len(w)/bb)*bb+4+r.IntN(12)] = 0xff
		}
	}
	for i := 0; i < 40; i++ {
		w[r.IntN(len(w)/bb)*bb+first+r.IntN(bb-first)] = 0x80
	}
}

// TestInterleaveRoundTrip: every byte of every block, Q8_0's −128
// included, comes back from the interleaved layout, which is exactly as
// large.
func TestInterleaveRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(61, 62))
	for _, typ := range interleavedTypes {
		for _, shape := range [][2]int{{16, 1}, {32, 3}, {48, 18}} {
			rows, cols := shape[0], shape[1]*typ.BlockSize()
			w := randomBlocks(r, typ, rows*shape[1])
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
			for _, nb := range []int{1, 2, 3, 6, 18} {
				for _, groups := range []int{1, 2, 5} {
					rows, cols := 16*groups, nb*typ.BlockSize()
					w := randomBlocks(r, typ, rows*nb)
					extremes(r, typ, w)
					p := interleaveAs(typ, w, rows, cols)
					a := quantizeFor(&impl, typ, randVec(r, cols))
					got := make([]float32, rows+1)
					got[rows] = 42
					kern(p, groups, nb, a.xq, a.xd, a.xc, got[:rows])
					twin := make([]float32, rows)
					interleavedGeneric(typ)(p, groups, nb, a.xq, a.xd, a.xc, twin)
					for i := 0; i < rows; i++ {
						row := w[i*nb*bb : (i+1)*nb*bb]
						sc := termScale(typ, row, a.xq, a.xd)
						if !closeTo(got[i], twin[i], sc, 1e-6) {
							t.Fatalf("%s %s nb=%d row %d: %g, generic twin %g", l, typ, nb, i, got[i], twin[i])
						}
						if want := rowDotGeneric(typ, row, a); !closeTo(got[i], want, sc, 1e-5) {
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
			cols := 3 * typ.BlockSize()
			nb, bb := 3, typ.BlockBytes()
			for _, rows := range []int{48, 40, 16} {
				data := randomBlocks(r, typ, rows*nb)
				w, err := NewMatrix(typ, rows, cols, data)
				if err != nil {
					tb.Fatal(err)
				}
				x := randVec(r, cols)
				a := quantizeFor(&impl, typ, x)
				want := make([]float32, rows)
				for i := range want {
					want[i] = rowDotGeneric(typ, data[i*nb*bb:(i+1)*nb*bb], a)
				}
				check := func(what string, got []float32, lo, hi int) {
					for i := lo; i < hi; i++ {
						sc := termScale(typ, data[i*nb*bb:(i+1)*nb*bb], a.xq, a.xd)
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
				if impl.interleavedKernel(typ) == nil || w.interleaved(nil) == nil {
					continue
				}
				// Every chunk [lo, hi) directly.
				task := &matMulTask{batch: 1, xq: a.xq, xd: a.xd, xs: a.xs, ks: impl, il: true, xk: a.xc, x6: a.xc}
				if typ.BlockSize() == quant.QK {
					task.xc[ilBiasSlot(typ)] = a.xc
				}
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
	f.Add(make([]byte, 16*34), int64(1), uint8(0))
	f.Add([]byte("sixteen rows of one block of bytes, arbitrary ones here"), int64(-3), uint8(1))
	f.Add([]byte("sixteen rows of one Q4_K super-block of arbitrary bytes"), int64(5), uint8(3))
	f.Add([]byte("sixteen rows of one Q6_K super-block, some more bytes"), int64(7), uint8(4))
	f.Fuzz(func(t *testing.T, raw []byte, seed int64, which uint8) {
		typ := interleavedTypes[int(which)%len(interleavedTypes)]
		r := rand.New(rand.NewPCG(uint64(seed), 2))
		nb := 1 + r.IntN(4)
		rows, cols, bb := 16, nb*typ.BlockSize(), typ.BlockBytes()
		w := make([]byte, rows*nb*bb)
		for i := range w {
			if len(raw) > 0 {
				w[i] = raw[i%len(raw)] ^ byte(i/len(raw))
			}
		}
		for b := 0; b < rows*nb; b++ {
			switch typ {
			case quant.Q6_K:
				w[b*bb+209] &^= 0x40 // a finite d
			case quant.Q4_K:
				w[b*bb+3] &^= 0x40 // finite mins
				fallthrough
			default:
				w[b*bb+1] &^= 0x40 // finite scales
			}
		}
		p := interleaveAs(typ, w, rows, cols)
		gen := genericKernels()
		a := quantizeFor(&gen, typ, randVec(r, cols))
		xq, xd, xc := a.xq, a.xd, a.xc
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

// TestBlockBiasTerms: the word-at-a-time block sums equal a byte-at-a-time
// sum, on random blocks and on blocks of the extremes (−128, 127, mixed).
func TestBlockBiasTerms(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	const blocks = 40
	xq := make([]int8, blocks*quant.QK)
	for i := range xq {
		switch b := i / quant.QK; {
		case b == 0:
			xq[i] = -128
		case b == 1:
			xq[i] = 127
		case b == 2:
			xq[i] = int8(-128 + 255*(i%2))
		default:
			xq[i] = int8(rng.IntN(256) - 128)
		}
	}
	xc := make([]int32, blocks)
	blockBiasTerms(xq, 128, xc)
	for b := range xc {
		var s int32
		for _, v := range xq[b*quant.QK : (b+1)*quant.QK] {
			s += int32(v)
		}
		if xc[b] != -128*s {
			t.Fatalf("block %d: %d, want %d", b, xc[b], -128*s)
		}
	}
}
