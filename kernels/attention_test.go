package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// naiveAttention is causal grouped-query attention in float64, written
// from the definition: query b of the batch sits at position pos0+b; the
// cache k, v holds KV head by KV head an equal number of positions.
func naiveAttention(q, k, v []float32, batch, pos0, heads, kvHeads, hs int) []float64 {
	out := make([]float64, batch*heads*hs)
	capacity := len(k) / (kvHeads * hs)
	for b := 0; b < batch; b++ {
		for h := 0; h < heads; h++ {
			kh := h / (heads / kvHeads)
			var w []float64
			var sum, top float64
			top = math.Inf(-1)
			for p := 0; p <= pos0+b; p++ {
				var s float64
				for i := 0; i < hs; i++ {
					s += float64(q[(b*heads+h)*hs+i]) * float64(k[(kh*capacity+p)*hs+i])
				}
				s /= math.Sqrt(float64(hs))
				w = append(w, s)
				top = max(top, s)
			}
			for p := range w {
				w[p] = math.Exp(w[p] - top)
				sum += w[p]
			}
			for i := 0; i < hs; i++ {
				var o float64
				for p := range w {
					o += w[p] / sum * float64(v[(kh*capacity+p)*hs+i])
				}
				out[(b*heads+h)*hs+i] = o
			}
		}
	}
	return out
}

// TestAttentionAgainstNaive covers both paths (a single query by dot
// products, batches on register tiles) at every kernel level: head sizes
// that fill the micro-kernel's panels and that leave part of one (80 with
// NR = 32), query blocks cut by the end of the batch, an empty and a long
// cache before the batch, grouped and plain heads, one worker and three;
// the cache has room for positions past the batch, as a sequence's does.
func TestAttentionAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	forEachLevel(t, func(t testing.TB, l Level) {
		for _, c := range []struct{ heads, kvHeads, hs, pos0, batch int }{
			{6, 2, 16, 5, 3}, {9, 3, 64, 0, 40}, {4, 4, 80, 37, 13}, {2, 1, 64, 70, 2},
			{3, 3, 8, 0, 1}, {9, 3, 64, 100, 1}, {2, 2, 128, 3, 29},
		} {
			capacity := c.pos0 + c.batch + 3
			q := randVec(r, c.batch*c.heads*c.hs)
			k := randVec(r, capacity*c.kvHeads*c.hs)
			v := randVec(r, capacity*c.kvHeads*c.hs)
			want := naiveAttention(q, k, v, c.batch, c.pos0, c.heads, c.kvHeads, c.hs)
			for _, workers := range []int{1, 3} {
				out := make([]float32, c.batch*c.heads*c.hs)
				NewPool(workers).Attention(&AttentionArgs{Out: out, Q: q, K: k, V: v, Batch: c.batch, Pos0: c.pos0,
					Heads: c.heads, KVHeads: c.kvHeads, HeadSize: c.hs, HeadStride: capacity * c.hs})
				for i, w := range want {
					if d := math.Abs(float64(out[i]) - w); d > 2e-5 {
						t.Fatalf("%s, %+v, %d workers: out[%d] = %g, want %g", l, c, workers, i, out[i], w)
					}
				}
			}
		}
	})
}

// TestAttentionBatchInvariant: a query's result is the same, bit for bit,
// whatever batch of two or more it was computed in (how a chat rewound to a
// shared prefix recomputes its suffix), although queries share register
// tiles with their neighbours.
func TestAttentionBatchInvariant(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	forEachLevel(t, func(t testing.TB, l Level) {
		const heads, kvHeads, hs, total = 6, 2, 64, 50
		q := randVec(r, total*heads*hs)
		k := randVec(r, total*kvHeads*hs)
		v := randVec(r, total*kvHeads*hs)
		qDim := heads * hs
		run := func(pos0, batch int) []float32 {
			out := make([]float32, batch*qDim)
			NewPool(2).Attention(&AttentionArgs{Out: out, Q: q[pos0*qDim : (pos0+batch)*qDim], K: k, V: v,
				Batch: batch, Pos0: pos0, Heads: heads, KVHeads: kvHeads, HeadSize: hs, HeadStride: total * hs})
			return out
		}
		whole := run(0, total)
		for _, cut := range []int{2, 17, 31} {
			parts := append(run(0, cut), run(cut, total-cut)...)
			for i := range whole {
				if whole[i] != parts[i] {
					t.Fatalf("%s: cut at %d: value %d (query %d) is %g, %g in one batch", l, cut, i, i/qDim, parts[i], whole[i])
				}
			}
		}
	})
}

func BenchmarkAttention(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	const heads, kvHeads, hs = 9, 3, 64
	for _, c := range []struct{ pos0, batch int }{{0, 128}, {0, 256}, {511, 1}} {
		n := c.pos0 + c.batch
		q := randVec(r, c.batch*heads*hs)
		k, v := randVec(r, n*kvHeads*hs), randVec(r, n*kvHeads*hs)
		out := make([]float32, c.batch*heads*hs)
		args := &AttentionArgs{Out: out, Q: q, K: k, V: v, Batch: c.batch, Pos0: c.pos0, Heads: heads, KVHeads: kvHeads, HeadSize: hs, HeadStride: n * hs}
		b.Run(fmt.Sprintf("pos0=%d/batch=%d", c.pos0, c.batch), func(b *testing.B) {
			benchLevels(b, func(b *testing.B) {
				for b.Loop() {
					Attention(args)
				}
			})
		})
	}
}

// TestAttentionGroupedMatchesHeads: one query over a cache on the grouped
// path (KV head by KV head, positions in blocks, three heads' weighted sums
// at once) gives, bit for bit, what the head-by-head path gives, at every
// level with the fused kernels: over group sizes that do and do not divide
// by three, head sizes with and without a four-vector remainder, and caches
// shorter than a block, on a block boundary and past one.
func TestAttentionGroupedMatchesHeads(t *testing.T) {
	r := rand.New(rand.NewPCG(81, 82))
	levels := 0
	forEachLevel(t, func(tb testing.TB, l Level) {
		if impl.attnScores == nil {
			return
		}
		levels++
		for _, c := range []struct{ heads, kvHeads int }{{9, 3}, {6, 2}, {14, 2}, {8, 4}, {12, 3}} {
			for _, hs := range []int{48, 64, 128} {
				if hs%impl.attnOneWidth != 0 {
					continue
				}
				for _, n := range []int{1, 5, attnPosBlock, attnPosBlock + 1, 2*attnPosBlock + 37} {
					kvDim := c.kvHeads * hs
					a := &AttentionArgs{Q: randVec(r, c.heads*hs), K: randVec(r, n*kvDim), V: randVec(r, n*kvDim),
						Batch: 1, Pos0: n - 1, Heads: c.heads, KVHeads: c.kvHeads, HeadSize: hs, HeadStride: n * hs}
					a.Out = make([]float32, c.heads*hs)
					heads := &attentionTask{a: a, scratch: [][]float32{make([]float32, n)}}
					heads.Do(0, c.heads, 0)
					want := append([]float32(nil), a.Out...)
					for i := range a.Out {
						a.Out[i] = float32(math.NaN()) // every value must be written
					}
					NewPool(2).attentionGrouped(a)
					for i := range want {
						if math.Float32bits(a.Out[i]) != math.Float32bits(want[i]) {
							tb.Fatalf("%s heads %d/%d hs=%d n=%d: out[%d] is %g grouped, %g head by head",
								l, c.heads, c.kvHeads, hs, n, i, a.Out[i], want[i])
						}
					}
				}
			}
		}
	})
	if levels == 0 {
		t.Skip("no level of this CPU has fused one-query attention")
	}
}

// TestAttentionTakesGroupedPath: a long cache through Pool.Attention takes
// the grouped path (so the test above covers what generation runs), a short
// one or one without shared KV heads does not.
func TestAttentionTakesGroupedPath(t *testing.T) {
	forEachLevel(t, func(tb testing.TB, l Level) {
		if impl.attnScores == nil {
			return
		}
		long := &AttentionArgs{Batch: 1, Pos0: 2047, Heads: 9, KVHeads: 3, HeadSize: 64}
		if !groupedAttention(long) {
			tb.Fatalf("%s: 2048 positions, 9 heads on 3: not grouped", l)
		}
		short, mha := *long, *long
		short.Pos0 = attnGroupedMinPositions - 2
		mha.KVHeads = 9
		if groupedAttention(&short) || groupedAttention(&mha) {
			tb.Fatalf("%s: grouped below %d positions or without shared KV heads", l, attnGroupedMinPositions)
		}
	})
}

// TestAttentionRefusesShortHeadStride: a head stride shorter than the
// positions in use would read one head's rows as another's; it panics
// with the reason instead.
func TestAttentionRefusesShortHeadStride(t *testing.T) {
	const heads, hs, n = 2, 8, 5
	a := &AttentionArgs{Out: make([]float32, heads*hs), Q: make([]float32, heads*hs), K: make([]float32, 2*n*hs),
		V: make([]float32, 2*n*hs), Batch: 1, Pos0: n - 1, Heads: heads, KVHeads: 2, HeadSize: hs, HeadStride: (n - 1) * hs}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "HeadStride") {
			t.Fatalf("recovered %v, want a panic naming HeadStride", r)
		}
	}()
	NewPool(1).Attention(a)
}
