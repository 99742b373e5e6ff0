package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// randBytes returns n random normal values quantised into rows of hs
// (QuantizeRowsQ8), their scales, and the values dequantised: an 8-bit
// cache and the float32 cache it stands for. Every tenth row is zero, and
// one value per row is large, as a cache's outlier channels are.
func randBytes(r *rand.Rand, n, hs int) ([]int8, []float32, []float32) {
	src := randVec(r, n)
	for row := 0; row < n/hs; row++ {
		if row%10 == 9 {
			clear(src[row*hs : (row+1)*hs])
			continue
		}
		src[row*hs+r.IntN(hs)] *= 8
	}
	q, scales, f := make([]int8, n), make([]float32, n/hs), make([]float32, n)
	QuantizeRowsQ8(src, q, scales, hs)
	dequantQ8RowsGeneric(q, scales, hs, f)
	return q, scales, f
}

// TestQuantizeRowsQ8: bytes and scales as defined (max |x| / 127, the
// value over it rounded half away from zero), and the values back within
// half a step of the row.
func TestQuantizeRowsQ8(t *testing.T) {
	r := rand.New(rand.NewPCG(97, 98))
	const hs = 64
	src := randVec(r, 5*hs)
	src[3] = -4                                      // the first row's largest magnitude: byte -127
	src[hs+7], src[hs+8], src[hs+9] = 2.5, 127, -2.5 // a scale of 1: ties, rounded away from zero
	for i := 2 * hs; i < 3*hs; i++ {
		src[i] = 0
	}
	q, scales, back := make([]int8, len(src)), make([]float32, 5), make([]float32, len(src))
	QuantizeRowsQ8(src, q, scales, hs)
	impl.dequantQ8Rows(q, scales, hs, back)
	if q[3] != -127 || scales[0] != 4.0/127 {
		t.Fatalf("row 0: byte %d scale %g, want -127 and %g", q[3], scales[0], 4.0/127)
	}
	if scales[1] != 1 || q[hs+7] != 3 || q[hs+9] != -3 {
		t.Fatalf("row 1: scale %g, 2.5 and -2.5 round to %d and %d, want 1, 3 and -3", scales[1], q[hs+7], q[hs+9])
	}
	if scales[2] != 0 || back[2*hs] != 0 {
		t.Fatalf("a zero row: scale %g", scales[2])
	}
	for i, v := range src {
		if d := math.Abs(float64(back[i] - v)); d > float64(scales[i/hs])*0.5001 {
			t.Fatalf("[%d] %g comes back as %g, more than half a step (%g) away", i, v, back[i], scales[i/hs])
		}
	}
}

// TestAttnQ8Kernels: the 8-bit kernels, at every level that has them, give
// the bits the float32 kernels give the dequantised rows, and
// dequantQ8Rows the generic one's, writing nothing past their outputs.
func TestAttnQ8Kernels(t *testing.T) {
	r := rand.New(rand.NewPCG(99, 100))
	levels := 0
	forEachLevel(t, func(tb testing.TB, l Level) {
		for _, rows := range []int{1, 3, 4, 17} {
			for _, hs := range []int{8, 64, 80} {
				q, scales, want := randBytes(r, rows*hs, hs)
				got := make([]float32, rows*hs+1)
				got[rows*hs] = 7
				impl.dequantQ8Rows(q, scales, hs, got[:rows*hs])
				sameBits(tb, fmt.Sprintf("%s dequantQ8Rows rows=%d hs=%d", l, rows, hs), got, want)
				if got[rows*hs] != 7 {
					tb.Fatalf("%s dequantQ8Rows: written past the end", l)
				}
			}
		}
		if impl.attnScoresGroupQ8 == nil {
			return
		}
		levels++
		const hs = attnGroupHeadSize
		for _, heads := range []int{1, 3, 6} {
			for _, n := range []int{4, 8, 36, 132} {
				q := randVec(r, heads*hs)
				k8, ks, k := randBytes(r, n*hs, hs)
				v8, vs, v := randBytes(r, n*hs, hs)
				scale := float32(0.125)
				outStride := n + 3
				got, want := make([]float32, heads*outStride), make([]float32, heads*outStride)
				for i := range got {
					got[i], want[i] = 5, 5
				}
				impl.attnScoresGroupQ8(q, heads, k8, hs, n, scale, got, outStride, ks)
				impl.attnScoresGroup(q, heads, k, hs, n, scale, want, outStride)
				sameBits(tb, fmt.Sprintf("%s heads=%d n=%d scores", l, heads, n), got, want)
				if heads%3 != 0 {
					continue
				}
				w := randVec(r, 3*outStride)
				for _, dims := range []int{16, 64} {
					out, ref := make([]float32, 3*hs+1), make([]float32, 3*hs)
					for i := range ref {
						out[i] = float32(i%5) - 2
						ref[i] = out[i]
					}
					out[3*hs] = 7
					impl.attnMix3Q8(w, n, outStride, v8, hs, out[:2*hs+dims], hs, dims, vs)
					impl.attnMix3(w, n, outStride, v, hs, ref[:2*hs+dims], hs, dims)
					sameBits(tb, fmt.Sprintf("%s n=%d dims=%d mix", l, n, dims), out[:3*hs], ref)
					if out[3*hs] != 7 {
						tb.Fatalf("%s mix: written past the output", l)
					}
				}
			}
		}
	})
	if levels == 0 {
		t.Skip("no level of this CPU has 8-bit attention kernels")
	}
}

// TestAttentionManyQ8MatchesDequantised: AttentionMany over sequences of
// different lengths and capacities with 8-bit caches gives each the bits
// it gets over the dequantised cache (TestAttentionCachesMatchFloat32 has
// the other paths), on heads read in place and heads dequantised first.
func TestAttentionManyQ8MatchesDequantised(t *testing.T) {
	r := rand.New(rand.NewPCG(101, 102))
	forEachLevel(t, func(tb testing.TB, l Level) {
		for _, shape := range []struct{ heads, kvHeads, hs int }{{9, 3, 64}, {4, 2, 64}, {6, 3, 16}} {
			var many, wide []AttentionArgs
			var outs, refs [][]float32
			for _, pos0 := range []int{0, 3, 64, 301, 7} {
				n, capacity := pos0+1, pos0+1+r.IntN(5)
				size := capacity * shape.kvHeads * shape.hs
				q := randVec(r, shape.heads*shape.hs)
				k8, ks, k := randBytes(r, size, shape.hs)
				v8, vs, v := randBytes(r, size, shape.hs)
				out, ref := make([]float32, len(q)), make([]float32, len(q))
				outs, refs = append(outs, out), append(refs, ref)
				a := AttentionArgs{Out: out, Q: q, K8: k8, V8: v8, KS: ks, VS: vs, Batch: 1, Pos0: n - 1,
					Heads: shape.heads, KVHeads: shape.kvHeads, HeadSize: shape.hs, HeadStride: capacity * shape.hs}
				many = append(many, a)
				a.Out, a.K, a.V, a.K8, a.V8, a.KS, a.VS = ref, k, v, nil, nil, nil, nil
				wide = append(wide, a)
			}
			for _, workers := range []int{1, 3} {
				p := NewPool(workers)
				p.AttentionMany(many)
				p.AttentionMany(wide)
				for i := range outs {
					sameBits(tb, fmt.Sprintf("%s AttentionMany %+v seq %d, %d workers", l, shape, i, workers), outs[i], refs[i])
				}
			}
		}
	})
}

// TestQuantizeQ8RowsMatchesGeneric: the level's row quantiser writes the
// generic loop's bytes and scales, over rows of random, tied, tiny,
// subnormal, signed-zero and zero values, at head sizes with and without
// the assembly's multiple of 16, and nothing past the rows it is given.
func TestQuantizeQ8RowsMatchesGeneric(t *testing.T) {
	r := rand.New(rand.NewPCG(103, 104))
	forEachLevel(t, func(tb testing.TB, l Level) {
		for _, hs := range []int{8, 16, 64, 80} {
			const rows = 9
			src := make([]float32, rows*hs)
			for i := range src {
				row := i / hs
				switch row % 5 {
				case 0:
					src[i] = float32(r.NormFloat64())
				case 1: // a scale of 1: every value a tie
					src[i] = float32(r.IntN(254)-127) + 0.5
					if i%hs == 0 {
						src[i] = 127
					}
				case 2:
					src[i] = float32(r.NormFloat64() * 1e-30)
				case 3:
					src[i] = math.Float32frombits(uint32(r.IntN(1 << 23))) // subnormal
					if i%2 == 0 {
						src[i] = float32(math.Copysign(0, -1))
					}
				}
			}
			want, got := make([]int8, len(src)), make([]int8, len(src)+1)
			wantS, gotS := make([]float32, rows), make([]float32, rows+1)
			got[len(src)], gotS[rows] = 7, 7
			quantizeQ8RowsGeneric(src, want, wantS, hs)
			impl.quantizeQ8Rows(src, got[:len(src)], gotS[:rows], hs)
			for i := range want {
				if got[i] != want[i] {
					tb.Fatalf("%s hs=%d: value %d (%g) quantised to %d, generic %d", l, hs, i, src[i], got[i], want[i])
				}
			}
			sameBits(tb, fmt.Sprintf("%s hs=%d scales", l, hs), gotS[:rows], wantS)
			if got[len(src)] != 7 || gotS[rows] != 7 {
				tb.Fatalf("%s hs=%d: written past the rows", l, hs)
			}
		}
	})
}
