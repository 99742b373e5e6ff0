package kernels

import "math"

// One query over a long cache (generation deep into a conversation), KV
// head by KV head rather than query head by query head. Head by head, each
// query head of a group reads its KV head's keys and values on its own:
// SmolLM2-135M's three query heads per KV head read every byte of the cache
// three times, from L3 or memory once the cache outgrows L2 (2000 positions
// are 3 MB a layer). Here the positions go in blocks (attnPosBlock keys or
// values of one head: 32 KB at head size 64) and every query head of the
// group meets a block while it is in L1 or L2.
//
// The arithmetic is the head-by-head kernels' own in the same order: each
// score is one attnScores dot, the softmax runs over the whole row, and the
// weighted sum of V continues in out from block to block (attnMix
// accumulates), one FMA per position in position order. So the result is
// the same bits as attentionTask's, whichever path a query takes.
//
// Three loops over the pool: the scores by (KV head, block of positions);
// the softmax by query head; the weighted sums by (KV head, slice of the
// head's dimensions), the slice's values of a block read once for all the
// group's heads.

// attnPosBlock is the positions of a block.
const attnPosBlock = 128

// attnGroupedMinPositions is the cache length from which a single query
// takes the grouped path: below it the cache stays in L2 between the heads
// of a group, and the extra loops over the pool cost more than they save.
const attnGroupedMinPositions = 256

const (
	attnGroupScores = iota
	attnGroupSoftmax
	attnGroupMix
)

type attnGroupedTask struct {
	a      *AttentionArgs
	phase  int
	n      int         // positions of the cache the query sees
	blocks int         // attnPosBlock blocks of them
	chunk  int         // dimensions per mix item: the mix kernel's four-vector block
	chunks int         // mix items per KV head
	scores []float32   // Heads rows of n
	tails  [][]float32 // per worker: an 8-bit cache's rows dequantised (q8ScratchFloats)
	scale  float32
}

// groupedAttention reports whether a (long enough to be split across the
// pool) takes the grouped path: one query, a cache of at least
// attnGroupedMinPositions, query heads sharing KV heads, and the level's
// fused kernels for its head size (and for halves or bytes, with an F16 or
// 8-bit cache).
func groupedAttention(a *AttentionArgs) bool {
	return a.Batch == 1 && a.Pos0+1 >= attnGroupedMinPositions && a.Heads > a.KVHeads &&
		fusedAttention(a) && (a.K16 == nil || f16Fused(a))
}

// attentionGrouped is Pool.Attention on the grouped path; the caller holds
// attnMu.
func (p *Pool) attentionGrouped(a *AttentionArgs) {
	t := &p.attnGrouped
	n := a.Pos0 + 1
	*t = attnGroupedTask{a: a, n: n, blocks: (n + attnPosBlock - 1) / attnPosBlock,
		scale: float32(1 / math.Sqrt(float64(a.HeadSize))),
		chunk: 4 * impl.attnOneWidth, scores: grow(t.scores, a.Heads*n), tails: p.growScratch(t.tails, q8ScratchFloats(a))}
	t.chunks = (a.HeadSize + t.chunk - 1) / t.chunk
	t.phase = attnGroupScores
	p.For(a.KVHeads*t.blocks, 1, t)
	t.phase = attnGroupSoftmax
	p.For(a.Heads, 1, t)
	t.phase = attnGroupMix
	p.For(a.KVHeads*t.chunks, 1, t)
	t.a = nil
}

func (t *attnGroupedTask) Do(lo, hi, worker int) {
	for i := lo; i < hi; i++ {
		switch t.phase {
		case attnGroupScores:
			t.blockScores(i/t.blocks, i%t.blocks, t.tails[worker])
		case attnGroupSoftmax:
			Softmax(t.scores[i*t.n : (i+1)*t.n])
		default:
			t.mix(i/t.chunks, i%t.chunks, t.tails[worker])
		}
	}
}

// blockScores writes the scores of every query head of KV head g for the
// positions of block b.
func (t *attnGroupedTask) blockScores(g, b int, tail []float32) {
	a, n, hs := t.a, t.n, t.a.HeadSize
	group := a.Heads / a.KVHeads
	p0 := b * attnPosBlock
	cnt := min(attnPosBlock, n-p0)
	// The block's keys: the kernel does not check bounds, the slice does.
	head, _ := a.headRows(g, n)
	lo, hi := head+p0*hs, head+(p0+cnt)*hs
	h := g * group
	scoreGroup(a, h, lo, hi, cnt, t.scale, t.scores[h*n+p0:], n, group, tail)
}

// attnGroupHeadSize is the head size of the level's group-scores kernels
// (attnScoresGroup): four positions' keys of 64 dimensions fill half the
// AVX-512 registers.
const attnGroupHeadSize = 64

// scoreGroup writes the scores of query heads h0 .. h0+heads-1 (of a's
// single query) against a's cache rows [lo, hi) of their KV head, cnt
// positions: head j's at s[j·sStride:][:cnt]. Where the level has a
// group-scores kernel for the head size, the positions in fours go
// through it (each key loaded once for the heads), the rest head by head;
// either way each score has the bits of one attnScores call. An 8-bit
// cache's rows go in fours through the level's 8-bit kernel where it reads
// them in place (q8Fused), and the rest are dequantised block by block
// into scratch (q8ScratchFloats) for the float32 path (scoreGroupQ8).
func scoreGroup(a *AttentionArgs, h0, lo, hi, cnt int, scale float32, s []float32, sStride, heads int, scratch []float32) {
	hs := a.HeadSize
	done := 0
	if a.K8 != nil {
		if q8Fused(a) && cnt >= 4 {
			done = cnt &^ 3
			q, out := a.Q[h0*hs:(h0+heads)*hs], s[:(heads-1)*sStride+done]
			impl.attnScoresGroupQ8(q, heads, a.K8[lo:hi], hs, done, scale, out, sStride, a.KS[lo/hs:lo/hs+done])
		}
		scoreGroupQ8(a, h0, lo+done*hs, cnt-done, scale, s[done:], sStride, heads, scratch)
		return
	}
	if hs == attnGroupHeadSize && cnt >= 4 {
		q := a.Q[h0*hs : (h0+heads)*hs]
		out := s[:(heads-1)*sStride+cnt]
		if a.K16 != nil && impl.attnScoresGroupF16 != nil {
			done = cnt &^ 3
			impl.attnScoresGroupF16(q, heads, a.K16[lo:hi], hs, done, scale, out, sStride)
		} else if a.K16 == nil && impl.attnScoresGroup != nil {
			done = cnt &^ 3
			impl.attnScoresGroup(q, heads, a.K[lo:hi], hs, done, scale, out, sStride)
		}
	}
	if done == cnt {
		return
	}
	lo += done * hs
	for j := range heads {
		q, scores := a.Q[(h0+j)*hs:(h0+j+1)*hs], s[j*sStride+done:j*sStride+cnt]
		if a.K16 != nil {
			impl.attnScoresF16(q, a.K16[lo:hi], hs, cnt-done, scale, scores)
		} else {
			impl.attnScores(q, a.K[lo:hi], hs, cnt-done, scale, scores)
		}
	}
}

// mix writes dimensions [c·chunk, c·chunk+chunk) of the output of every
// query head of KV head g: block by block, each head's weights of the block
// times the block's values, added to what the blocks before left in out.
func (t *attnGroupedTask) mix(g, c int, scratch []float32) {
	a, n, hs := t.a, t.n, t.a.HeadSize
	group := a.Heads / a.KVHeads
	head, _ := a.headRows(g, n)
	d0 := c * t.chunk
	d1 := min(hs, d0+t.chunk)
	for h := g * group; h < (g+1)*group; h++ {
		clear(a.Out[h*hs+d0 : h*hs+d1])
	}
	for p0 := 0; p0 < n; p0 += attnPosBlock {
		cnt := min(attnPosBlock, n-p0)
		lo, hi := head+p0*hs+d0, head+(p0+cnt-1)*hs+d1
		h := g * group
		mixGroup(a, lo, hi, t.scores[h*n+p0:], cnt, n, a.Out[h*hs+d0:], d1-d0, group, scratch)
	}
}

// mixGroup adds the weighted sums of a KV head's values, a's cache rows
// [lo, hi) (V, or V16 in halves), to the outputs of the heads query heads
// sharing it: head j's n weights at s[j·sStride:], its dims outputs at
// out[j·HeadSize:]. Each head's arithmetic is attnMix's (or attnMixF16's);
// where the level has attnMix3 (attnMix3F16), three heads a call, each
// value loaded (and widened) once for the three.
func mixGroup(a *AttentionArgs, lo, hi int, s []float32, n, sStride int, out []float32, dims, heads int, scratch []float32) {
	stride, outStride := a.HeadSize, a.HeadSize
	j := 0
	if a.K8 != nil && !q8Fused(a) {
		mixGroupQ8(a, lo, s, n, sStride, out, dims, heads, scratch)
		return
	}
	// The slices reach from the first head's weights and output to the
	// third's.
	if a.K8 != nil { // q8Fused: heads is a multiple of three
		rows := lo / a.HeadSize
		for ; j+3 <= heads; j += 3 {
			impl.attnMix3Q8(s[j*sStride:(j+2)*sStride+n], n, sStride, a.V8[lo:hi], stride, out[j*outStride:(j+2)*outStride+dims], outStride, dims, a.VS[rows:rows+n])
		}
		return
	}
	if a.K16 == nil {
		for ; impl.attnMix3 != nil && j+3 <= heads; j += 3 {
			impl.attnMix3(s[j*sStride:(j+2)*sStride+n], n, sStride, a.V[lo:hi], stride, out[j*outStride:(j+2)*outStride+dims], outStride, dims)
		}
	} else {
		for ; impl.attnMix3F16 != nil && j+3 <= heads; j += 3 {
			impl.attnMix3F16(s[j*sStride:(j+2)*sStride+n], n, sStride, a.V16[lo:hi], stride, out[j*outStride:(j+2)*outStride+dims], outStride, dims)
		}
	}
	for ; j < heads; j++ {
		w, o := s[j*sStride:j*sStride+n], out[j*outStride:j*outStride+dims]
		if a.K16 != nil {
			impl.attnMixF16(w, a.V16[lo:hi], stride, o)
		} else {
			impl.attnMix(w, a.V[lo:hi], stride, o)
		}
	}
}

// scoreGroupQ8 is scoreGroup on an 8-bit cache the level does not read in
// place: cnt rows from lo, q8Block at a time dequantised into scratch and
// scored by the float32 path.
func scoreGroupQ8(a *AttentionArgs, h0, lo, cnt int, scale float32, s []float32, sStride, heads int, scratch []float32) {
	hs := a.HeadSize
	wide := *a
	wide.K8, wide.V8, wide.KS, wide.VS = nil, nil, nil, nil
	for p := 0; p < cnt; p += q8Block {
		m := min(q8Block, cnt-p)
		r0 := lo + p*hs
		rows := scratch[:m*hs]
		impl.dequantQ8Rows(a.K8[r0:r0+m*hs], a.KS[r0/hs:r0/hs+m], hs, rows)
		wide.K = rows
		scoreGroup(&wide, h0, 0, m*hs, m, scale, s[p:], sStride, heads, nil)
	}
}

// mixGroupQ8 is mixGroup on an 8-bit cache the level does not read in
// place: the n rows from lo's, q8Block at a time dequantised whole into
// scratch, then dimensions [lo mod HeadSize, + dims) of them summed by the
// float32 path into out.
func mixGroupQ8(a *AttentionArgs, lo int, s []float32, n, sStride int, out []float32, dims, heads int, scratch []float32) {
	hs := a.HeadSize
	d0 := lo % hs // a head's rows start at multiples of the head size
	wide := *a
	wide.K8, wide.V8, wide.KS, wide.VS = nil, nil, nil, nil
	for p := 0; p < n; p += q8Block {
		m := min(q8Block, n-p)
		r0 := lo - d0 + p*hs
		rows := scratch[:m*hs]
		impl.dequantQ8Rows(a.V8[r0:r0+m*hs], a.VS[r0/hs:r0/hs+m], hs, rows)
		wide.V = rows
		mixGroup(&wide, d0, (m-1)*hs+d0+dims, s[p:], m, sStride, out, dims, heads, nil)
	}
}
