package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAttnScoresGroupMatchesOneHeadEach: at every level with a
// group-scores kernel, for keys in float32 and in halves, the scores of 1
// to 8 heads of one KV head have the bits of one attnScores call per head,
// over none, four and many positions, with rows of other heads between the
// group's (a cache's stride) and the heads' score rows apart.
func TestAttnScoresGroupMatchesOneHeadEach(t *testing.T) {
	forEachLevel(t, func(t testing.TB, l Level) {
		if impl.attnScoresGroup == nil && impl.attnScoresGroupF16 == nil {
			return
		}
		const hs = attnGroupHeadSize
		rng := rand.New(rand.NewPCG(11, 12))
		for _, heads := range []int{1, 2, 3, 7, 8} {
			for _, n := range []int{0, 4, 8, 132} {
				stride, sStride := 3*hs, n+5
				q := randVec(rng, heads*hs)
				k := randVec(rng, max(n-1, 0)*stride+hs)
				k16 := make([]uint16, len(k))
				F16FromF32(k16, k)
				scale := float32(0.125)
				for _, halves := range []bool{false, true} {
					if halves && impl.attnScoresGroupF16 == nil || !halves && impl.attnScoresGroup == nil {
						continue
					}
					want := randVec(rng, (heads-1)*sStride+n)
					got := append([]float32(nil), want...)
					for j := range heads {
						qj, oj := q[j*hs:(j+1)*hs], want[j*sStride:j*sStride+n]
						if halves {
							impl.attnScoresF16(qj, k16, stride, n, scale, oj)
						} else {
							impl.attnScores(qj, k, stride, n, scale, oj)
						}
					}
					if halves {
						impl.attnScoresGroupF16(q, heads, k16, stride, n, scale, got, sStride)
					} else {
						impl.attnScoresGroup(q, heads, k, stride, n, scale, got, sStride)
					}
					for i := range want {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
							t.Fatalf("%s, halves %v, %d heads, %d positions: value %d is %v, one call a head gives %v", l, halves, heads, n, i, got[i], want[i])
						}
					}
				}
			}
		}
	})
}
