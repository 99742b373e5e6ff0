package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/milp-lite/milp-lite/quant"
)

// randHalves returns n random normal values as halves and the same values
// widened: an F16 cache and the float32 cache it stands for.
func randHalves(r *rand.Rand, n int) ([]uint16, []float32) {
	h, f := make([]uint16, n), make([]float32, n)
	for i := range h {
		h[i] = quant.F32ToF16(float32(r.NormFloat64()))
		f[i] = quant.F16ToF32(h[i])
	}
	return h, f
}

// TestHalfConversionsMatchQuant: F16FromF32 and F32FromF16 at every level
// are quant's conversions bit for bit, over lengths with and without a
// SIMD tail and values that round to even, overflow, underflow to
// subnormals and zero, and the special values.
func TestHalfConversionsMatchQuant(t *testing.T) {
	r := rand.New(rand.NewPCG(91, 92))
	specials := []float32{0, float32(math.Copysign(0, -1)), 1, -1, 65504, 65520, 1e6, -1e6, 6.1e-5, 5.96e-8, 2.9e-8, 1e-10,
		1 + 1.0/2048, 1 + 3.0/2048, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}
	forEachLevel(t, func(tb testing.TB, l Level) {
		for _, n := range vecLengths {
			src := make([]float32, n)
			for i := range src {
				switch i % 3 {
				case 0:
					src[i] = specials[r.IntN(len(specials))]
				case 1:
					src[i] = float32(r.NormFloat64() * math.Pow(2, float64(r.IntN(40)-25)))
				default: // a tie between two halves
					src[i] = quant.F16ToF32(uint16(r.IntN(0x7bff))) + float32(math.Ldexp(1, -12))
				}
			}
			got := make([]uint16, n+1)
			got[n] = 7
			F16FromF32(got[:n], src)
			back := make([]float32, n+1)
			back[n] = 7
			F32FromF16(back[:n], got[:n])
			for i, f := range src {
				if want := quant.F32ToF16(f); got[i] != want {
					tb.Fatalf("%s n=%d: %g narrows to %#04x, quant %#04x", l, n, f, got[i], want)
				}
				if want := quant.F16ToF32(got[i]); math.Float32bits(back[i]) != math.Float32bits(want) {
					tb.Fatalf("%s n=%d: %#04x widens to %g, quant %g", l, n, got[i], back[i], want)
				}
			}
			if got[n] != 7 || back[n] != 7 {
				tb.Fatalf("%s n=%d: written past the end", l, n)
			}
		}
		// Every half widens as quant widens it; a NaN to a NaN of its sign
		// (F16C quiets signalling NaNs, quant keeps them as they are).
		all := make([]uint16, 1<<16)
		for i := range all {
			all[i] = uint16(i)
		}
		wide := make([]float32, len(all))
		F32FromF16(wide, all)
		for i, h := range all {
			want := quant.F16ToF32(h)
			if isNaN := want != want; isNaN && wide[i] != wide[i] && math.Signbit(float64(wide[i])) == math.Signbit(float64(want)) {
				continue
			}
			if math.Float32bits(wide[i]) != math.Float32bits(want) {
				tb.Fatalf("%s: %#04x widens to %g, quant %g", l, h, wide[i], want)
			}
		}
	})
}

// TestAttnOneF16Kernels: the one-query kernels on halves, at every level
// that has them, give the bits the float32 kernels give the widened keys
// and values, over the head sizes, cache lengths and strides of
// TestAttnOneKernels, and write nothing past their outputs.
func TestAttnOneF16Kernels(t *testing.T) {
	r := rand.New(rand.NewPCG(93, 94))
	levels := 0
	forEachLevel(t, func(tb testing.TB, l Level) {
		if impl.attnScoresF16 == nil {
			return
		}
		levels++
		for _, hs := range []int{8, 16, 24, 48, 64, 80, 128, 144} {
			if hs%impl.attnOneWidth != 0 {
				continue
			}
			for _, n := range []int{1, 2, 3, 5, 8, 33, 70} {
				stride := hs * (1 + r.IntN(3))
				scale := float32(1 / math.Sqrt(float64(hs)))
				q := randVec(r, hs)
				k16, k := randHalves(r, (n-1)*stride+hs)
				v16, v := randHalves(r, (n-1)*stride+hs)
				got, want := make([]float32, n+1), make([]float32, n)
				got[n] = 7
				impl.attnScoresF16(q, k16, stride, n, scale, got[:n])
				impl.attnScores(q, k, stride, n, scale, want)
				sameBits(tb, fmt.Sprintf("%s hs=%d n=%d scores", l, hs, n), got[:n], want)
				out, ref := make([]float32, hs+1), make([]float32, hs)
				for i := range ref {
					out[i] = float32(i%5) - 2
					ref[i] = out[i]
				}
				out[hs] = 7
				impl.attnMixF16(want, v16, stride, out[:hs])
				impl.attnMix(want, v, stride, ref)
				sameBits(tb, fmt.Sprintf("%s hs=%d n=%d mix", l, hs, n), out[:hs], ref)
				if got[n] != 7 || out[hs] != 7 {
					tb.Fatalf("%s hs=%d n=%d: written past the output", l, hs, n)
				}
			}
		}
	})
	if levels == 0 {
		t.Skip("no level of this CPU has one-query kernels for halves")
	}
}

func sameBits(tb testing.TB, what string, got, want []float32) {
	tb.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			tb.Fatalf("%s: [%d] is %g, %g from float32", what, i, got[i], want[i])
		}
	}
}

// TestAttentionCachesMatchFloat32: attention over an F16 or an 8-bit
// cache gives, bit for bit, what it gives over the float32 values the
// cache stands for (halves widened, bytes dequantised), at every level and
// on every path: one query head by head or KV head by KV head (short
// caches, and head sizes without fused kernels, which widen into scratch),
// one query on the grouped path (long caches with shared KV heads), groups
// of query heads the 8-bit kernels do not take, batches on tiles (with
// panels cut by the end of the cache); one worker and three.
func TestAttentionCachesMatchFloat32(t *testing.T) {
	r := rand.New(rand.NewPCG(95, 96))
	forEachLevel(t, func(tb testing.TB, l Level) {
		for _, c := range []struct{ heads, kvHeads, hs, pos0, batch int }{
			{6, 2, 16, 5, 3}, {9, 3, 64, 0, 40}, {4, 4, 80, 37, 13}, {2, 1, 64, 70, 2},
			{3, 3, 8, 0, 1}, {9, 3, 64, 100, 1}, {9, 3, 64, 2, 1}, {2, 2, 12, 9, 1}, {9, 3, 64, 600, 1},
			{9, 3, 64, 257, 1}, {6, 2, 48, 300, 1}, {4, 2, 64, 299, 1}, {24, 8, 64, 200, 1}, {9, 3, 64, 130, 8},
		} {
			n := c.pos0 + c.batch
			size := n * c.kvHeads * c.hs
			q := randVec(r, c.batch*c.heads*c.hs)
			k16, k := randHalves(r, size)
			v16, v := randHalves(r, size)
			k8, ks, k8f := randBytes(r, size, c.hs)
			v8, vs, v8f := randBytes(r, size, c.hs)
			for _, workers := range []int{1, 3} {
				p := NewPool(workers)
				args := func(out []float32) AttentionArgs {
					return AttentionArgs{Out: out, Q: q, Batch: c.batch, Pos0: c.pos0,
						Heads: c.heads, KVHeads: c.kvHeads, HeadSize: c.hs, HeadStride: n * c.hs}
				}
				for _, kind := range []string{"f16", "q8"} {
					want, got := make([]float32, c.batch*c.heads*c.hs), make([]float32, c.batch*c.heads*c.hs)
					wide, cache := args(want), args(got)
					if kind == "f16" {
						wide.K, wide.V, cache.K16, cache.V16 = k, v, k16, v16
					} else {
						wide.K, wide.V, cache.K8, cache.V8, cache.KS, cache.VS = k8f, v8f, k8, v8, ks, vs
					}
					p.Attention(&wide)
					p.Attention(&cache)
					sameBits(tb, fmt.Sprintf("%s %s %+v, %d workers", l, kind, c, workers), got, want)
				}
			}
		}
	})
}

// BenchmarkAttentionCache: attention over a long cache in every layer of
// SmolLM2-135M's shape (30 layers, so the caches stream from memory as in
// generation), float32, F16 and 8-bit: one token (generation), and 128 (a
// prompt's batch after the cached history). Each iteration runs the three
// caches, one after the other, so a shared machine's load falls on all;
// the medians are reported, in milliseconds per call of every layer.
func BenchmarkAttentionCache(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	const layers, heads, kvHeads, hs = 30, 9, 3, 64
	for _, n := range []int{2048, 4096} {
		var k16, v16 [layers][]uint16
		var k8, v8 [layers][]int8
		var k, v, ks, vs [layers][]float32
		for l := range layers {
			k16[l], k[l] = randHalves(r, n*kvHeads*hs)
			v16[l], v[l] = randHalves(r, n*kvHeads*hs)
			k8[l], ks[l], _ = randBytes(r, n*kvHeads*hs, hs)
			v8[l], vs[l], _ = randBytes(r, n*kvHeads*hs, hs)
		}
		for _, batch := range []int{1, 128} {
			q := randVec(r, batch*heads*hs)
			out := make([]float32, batch*heads*hs)
			caches := [3][]*AttentionArgs{} // float32, F16, 8-bit
			for l := range layers {
				caches[0] = append(caches[0], &AttentionArgs{K: k[l], V: v[l]})
				caches[1] = append(caches[1], &AttentionArgs{K16: k16[l], V16: v16[l]})
				caches[2] = append(caches[2], &AttentionArgs{K8: k8[l], V8: v8[l], KS: ks[l], VS: vs[l]})
			}
			for _, c := range caches {
				for _, a := range c {
					a.Out, a.Q, a.Batch, a.Pos0, a.Heads, a.KVHeads, a.HeadSize, a.HeadStride = out, q, batch, n-batch, heads, kvHeads, hs, n*hs
				}
			}
			b.Run(fmt.Sprintf("positions=%d/batch=%d", n, batch), func(b *testing.B) {
				var times [3][]float64
				for b.Loop() {
					for i, c := range caches {
						start := time.Now()
						for _, a := range c {
							Attention(a)
						}
						times[i] = append(times[i], time.Since(start).Seconds()*1e3)
					}
				}
				for i, name := range []string{"f32", "f16", "q8"} {
					slices.Sort(times[i])
					b.ReportMetric(times[i][len(times[i])/2], name+"-ms")
				}
			})
		}
	}
}
