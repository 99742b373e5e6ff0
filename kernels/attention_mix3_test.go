package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAttnMix3MatchesThreeMixes: at every level with a three-head weighted
// sum, for float32 values and halves, it gives the bits of three one-head
// calls, for head sizes of one vector, of whole four-vector blocks and of
// both, with none, one and many positions, the outputs starting nonzero
// (the grouped path sums a cache block by block onto them).
func TestAttnMix3MatchesThreeMixes(t *testing.T) {
	forEachLevel(t, func(t testing.TB, l Level) {
		w := impl.attnOneWidth
		if impl.attnScores == nil {
			return
		}
		rng := rand.New(rand.NewPCG(9, 10))
		for _, dims := range []int{w, 4 * w, 5 * w, 9 * w} {
			for _, n := range []int{0, 1, 5, 130} {
				const heads = 3
				stride, sStride, outStride := dims+w, n+3, dims+2*w // rows apart, as in a cache and the scratch
				s := randVec(rng, (heads-1)*sStride+n+1)
				v := randVec(rng, max(n-1, 0)*stride+dims)
				v16 := make([]uint16, len(v))
				F16FromF32(v16, v)
				start := randVec(rng, (heads-1)*outStride+dims)
				for _, halves := range []bool{false, true} {
					mix3 := impl.attnMix3 != nil && !halves || impl.attnMix3F16 != nil && halves
					if !mix3 {
						continue
					}
					want := append([]float32(nil), start...)
					got := append([]float32(nil), start...)
					for j := range heads {
						wj, oj := s[j*sStride:j*sStride+n], want[j*outStride:j*outStride+dims]
						if halves {
							impl.attnMixF16(wj, v16, stride, oj)
						} else {
							impl.attnMix(wj, v, stride, oj)
						}
					}
					if halves {
						impl.attnMix3F16(s, n, sStride, v16, stride, got, outStride, dims)
					} else {
						impl.attnMix3(s, n, sStride, v, stride, got, outStride, dims)
					}
					for i := range want {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
							t.Fatalf("%s, halves %v, %d dims, %d positions: value %d is %v, three calls give %v", l, halves, dims, n, i, got[i], want[i])
						}
					}
				}
			}
		}
	})
}
