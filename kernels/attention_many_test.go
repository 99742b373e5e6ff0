package kernels

import (
	"math/rand/v2"
	"testing"
)

// TestAttentionManyMatchesAlone: sequences of different lengths attended in
// one call give exactly the bits each gets alone, on the single-query path
// and across the grouped path's threshold.
func TestAttentionManyMatchesAlone(t *testing.T) {
	forEachLevel(t, func(t testing.TB, _ Level) {
		rng := rand.New(rand.NewPCG(3, 4))
		const heads, kvHeads, hs = 6, 2, 16
		qDim, kvDim := heads*hs, kvHeads*hs
		lengths := []int{1, 7, 64, attnGroupedMinPositions + 5, 3 * attnGroupedMinPositions}
		args := make([]AttentionArgs, len(lengths))
		want := make([][]float32, len(lengths))
		for i, n := range lengths {
			a := AttentionArgs{Out: make([]float32, qDim), Q: randVec(rng, qDim), K: randVec(rng, n*kvDim),
				V: randVec(rng, n*kvDim), Batch: 1, Pos0: n - 1, Heads: heads, KVHeads: kvHeads, HeadSize: hs}
			args[i] = a
			alone := a
			alone.Out = make([]float32, qDim)
			Attention(&alone)
			want[i] = alone.Out
		}
		AttentionMany(args)
		for i := range args {
			for j, w := range want[i] {
				if args[i].Out[j] != w {
					t.Fatalf("sequence %d (%d positions), value %d: %v together, %v alone", i, lengths[i], j, args[i].Out[j], w)
				}
			}
		}
	})
}

// TestAttentionManyF16MatchesAlone: the same over caches in halves.
func TestAttentionManyF16MatchesAlone(t *testing.T) {
	forEachLevel(t, func(t testing.TB, _ Level) {
		rng := rand.New(rand.NewPCG(5, 6))
		const heads, kvHeads, hs = 6, 2, 16
		qDim, kvDim := heads*hs, kvHeads*hs
		half := func(n int) []uint16 {
			h := make([]uint16, n)
			F16FromF32(h, randVec(rng, n))
			return h
		}
		lengths := []int{1, 9, attnGroupedMinPositions + 3}
		args := make([]AttentionArgs, len(lengths))
		want := make([][]float32, len(lengths))
		for i, n := range lengths {
			a := AttentionArgs{Out: make([]float32, qDim), Q: randVec(rng, qDim), K16: half(n * kvDim), V16: half(n * kvDim),
				Batch: 1, Pos0: n - 1, Heads: heads, KVHeads: kvHeads, HeadSize: hs}
			args[i] = a
			alone := a
			alone.Out = make([]float32, qDim)
			Attention(&alone)
			want[i] = alone.Out
		}
		AttentionMany(args)
		for i := range args {
			for j, w := range want[i] {
				if args[i].Out[j] != w {
					t.Fatalf("sequence %d, value %d: %v together, %v alone", i, j, args[i].Out[j], w)
				}
			}
		}
	})
}
