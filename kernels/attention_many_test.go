package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAttentionManyMatchesAlone: sequences of different lengths attended in
// one call give exactly the bits each gets alone, on the single-query path
// and across the grouped path's threshold, for groups of three query heads
// per KV head (one attnMix3 call), seven (two and a single) and one.
func TestAttentionManyMatchesAlone(t *testing.T) {
	for _, c := range []struct{ heads, kvHeads int }{{6, 2}, {14, 2}, {4, 4}} {
		attentionManyMatchesAlone(t, c.heads, c.kvHeads)
	}
}

func attentionManyMatchesAlone(t *testing.T, heads, kvHeads int) {
	forEachLevel(t, func(t testing.TB, _ Level) {
		rng := rand.New(rand.NewPCG(3, 4))
		const hs = 16
		qDim, kvDim := heads*hs, kvHeads*hs
		lengths := []int{1, 7, 64, attnGroupedMinPositions + 5, 3 * attnGroupedMinPositions}
		args := make([]AttentionArgs, len(lengths))
		want := make([][]float32, len(lengths))
		for i, n := range lengths {
			a := AttentionArgs{Out: make([]float32, qDim), Q: randVec(rng, qDim), K: randVec(rng, n*kvDim),
				V: randVec(rng, n*kvDim), Batch: 1, Pos0: n - 1, Heads: heads, KVHeads: kvHeads, HeadSize: hs, HeadStride: n * hs}
			args[i] = a
			alone := a
			alone.Out = make([]float32, qDim)
			Attention(&alone)
			want[i] = alone.Out
		}
		AttentionMany(args)
		sameAsAlone(t, args, want)
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
				Batch: 1, Pos0: n - 1, Heads: heads, KVHeads: kvHeads, HeadSize: hs, HeadStride: n * hs}
			args[i] = a
			alone := a
			alone.Out = make([]float32, qDim)
			Attention(&alone)
			want[i] = alone.Out
		}
		AttentionMany(args)
		sameAsAlone(t, args, want)
	})
}

// sameAsAlone checks that each sequence attended together has the bits
// want holds for it alone.
func sameAsAlone(t testing.TB, args []AttentionArgs, want [][]float32) {
	t.Helper()
	for i := range args {
		for j, w := range want[i] {
			if math.Float32bits(args[i].Out[j]) != math.Float32bits(w) {
				t.Fatalf("sequence %d (%d positions), value %d: %v together, %v alone", i, args[i].Pos0+1, j, args[i].Out[j], w)
			}
		}
	}
}

// BenchmarkAttentionMany: sixteen sequences generating, SmolLM2-135M's
// heads (nine query heads on three KV heads of 64), 400 positions each, a
// step's thirty layers in turn so the caches come from memory as in a real
// step, in float32, in halves and in bytes.
func BenchmarkAttentionMany(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	const layers, seqs, heads, kvHeads, hs, n = 30, 16, 9, 3, 64, 400
	for _, kind := range []string{"f32", "f16", "q8"} {
		steps := make([][]AttentionArgs, layers)
		for l := range steps {
			steps[l] = make([]AttentionArgs, seqs)
			for i := range steps[l] {
				a := AttentionArgs{Out: make([]float32, heads*hs), Q: randVec(rng, heads*hs), Batch: 1, Pos0: n - 1,
					Heads: heads, KVHeads: kvHeads, HeadSize: hs, HeadStride: n * hs}
				switch kind {
				case "f16":
					a.K16, _ = randHalves(rng, n*kvHeads*hs)
					a.V16, _ = randHalves(rng, n*kvHeads*hs)
				case "q8":
					a.K8, a.KS, _ = randBytes(rng, n*kvHeads*hs, hs)
					a.V8, a.VS, _ = randBytes(rng, n*kvHeads*hs, hs)
				default:
					a.K, a.V = randVec(rng, n*kvHeads*hs), randVec(rng, n*kvHeads*hs)
				}
				steps[l][i] = a
			}
		}
		b.Run(kind, func(b *testing.B) {
			b.SetBytes(int64(layers * seqs * n * kvHeads * hs * 2 * 4)) // as float32: the work, whatever the storage
			for b.Loop() {
				for l := range steps {
					AttentionMany(steps[l])
				}
			}
		})
	}
}
