package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// attnOneReference is one query's scores and weighted sum the generic way:
// a dot per position, an axpy per position into a cleared output.
func attnOneReference(q, k, v []float32, stride, n int, scale float32, scores, out []float32) {
	hs := len(q)
	for p := 0; p < n; p++ {
		scores[p] = dotGeneric(q, k[p*stride:p*stride+hs]) * scale
	}
	clear(out)
	for p := 0; p < n; p++ {
		axpyGeneric(scores[p], v[p*stride:p*stride+len(out)], out)
	}
}

// checkAttnOne runs the level's fused kernels on one case and compares them
// with attnOneReference: the scores to float32 summation error and bit for
// bit with the kernel's own scores of single positions, the mix (added to
// what out held) bit for bit with an axpy sum of the same weights (one FMA
// per term in position order either way), and nothing written past either
// output.
func checkAttnOne(t testing.TB, l Level, q, k, v []float32, stride, n int, scale float32) {
	hs := len(q)
	got, want := make([]float32, n+1), make([]float32, n+1)
	got[n] = 7
	impl.attnScores(q, k, stride, n, scale, got[:n])
	out, ref := make([]float32, hs+1), make([]float32, hs)
	attnOneReference(q, k, v, stride, n, scale, want[:n], ref)
	for p := 0; p < n; p++ {
		var mag float64
		for i := range q {
			mag += math.Abs(float64(q[i]) * float64(k[p*stride+i]) * float64(scale))
		}
		if !closeTo(got[p], want[p], mag, 1e-6) {
			t.Fatalf("%s hs=%d n=%d: score %d is %g, reference %g", l, hs, n, p, got[p], want[p])
		}
	}
	if got[n] != 7 {
		t.Fatalf("%s hs=%d n=%d: scores written past n", l, hs, n)
	}
	// Positions scored together (AVX2 sums four at a time) have the bits
	// of positions scored one by one.
	for p := 0; p < n; p++ {
		var one [1]float32
		impl.attnScores(q, k[p*stride:p*stride+hs], stride, 1, scale, one[:])
		if math.Float32bits(one[0]) != math.Float32bits(got[p]) {
			t.Fatalf("%s hs=%d n=%d: score %d is %g in one call, %g alone", l, hs, n, p, got[p], one[0])
		}
	}
	// The mix from the reference's own weights, so only the mix is judged.
	out[hs] = 7
	for i := range ref {
		out[i] = float32(i%5) - 2
		ref[i] = out[i]
	}
	impl.attnMix(want[:n], v, stride, out[:hs])
	for p := 0; p < n; p++ {
		impl.axpy(want[p], v[p*stride:p*stride+hs], ref)
	}
	for i := 0; i < hs; i++ {
		if math.Float32bits(out[i]) != math.Float32bits(ref[i]) {
			t.Fatalf("%s hs=%d n=%d: out[%d] is %g, axpy sum %g", l, hs, n, i, out[i], ref[i])
		}
	}
	if out[hs] != 7 {
		t.Fatalf("%s hs=%d n=%d: mix written past the head", l, hs, n)
	}
}

// TestAttnOneKernels: the fused one-query kernels at every level that has
// them, over head sizes that are and are not multiples of 64 (and of 16,
// for AVX2's tails of eight), caches from one position to more than a
// register tile's worth, and strides wider than a head (other KV heads in
// between).
func TestAttnOneKernels(t *testing.T) {
	r := rand.New(rand.NewPCG(71, 72))
	levels := 0
	forEachLevel(t, func(tb testing.TB, l Level) {
		if impl.attnScores == nil {
			return
		}
		levels++
		for _, hs := range []int{4, 8, 12, 16, 20, 24, 48, 64, 80, 128, 144} {
			if hs%impl.attnOneWidth != 0 {
				continue
			}
			for _, n := range []int{1, 2, 3, 4, 5, 7, 8, 33, 70} {
				stride := hs * (1 + r.IntN(3))
				q := randVec(r, hs)
				k, v := randVec(r, (n-1)*stride+hs), randVec(r, (n-1)*stride+hs)
				checkAttnOne(tb, l, q, k, v, stride, n, float32(1/math.Sqrt(float64(hs))))
			}
		}
	})
	if levels == 0 {
		t.Skip("no level of this CPU has fused one-query attention")
	}
}

// FuzzAttnOneKernels: fuzzed sizes and values, every level with the kernels.
func FuzzAttnOneKernels(f *testing.F) {
	f.Add(uint8(4), uint8(5), uint8(1), int64(1))
	f.Add(uint8(1), uint8(1), uint8(0), int64(2))
	f.Fuzz(func(t *testing.T, units, positions, gap uint8, seed int64) {
		r := rand.New(rand.NewPCG(uint64(seed), 3))
		n := 1 + int(positions)%80
		forEachLevel(t, func(tb testing.TB, l Level) {
			if impl.attnScores == nil {
				return
			}
			hs := impl.attnOneWidth * (1 + int(units)%12)
			stride := hs + impl.attnOneWidth*int(gap%4)
			q := randVec(r, hs)
			k, v := randVec(r, (n-1)*stride+hs), randVec(r, (n-1)*stride+hs)
			checkAttnOne(tb, l, q, k, v, stride, n, float32(r.Float64()+0.01))
		})
	})
}
