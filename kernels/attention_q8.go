package kernels

import "math"

// An 8-bit KV cache (AttentionArgs.K8, V8): each row, one KV head's keys or
// values at one position, is HeadSize signed bytes and one float32 scale,
// its largest magnitude over 127. At head size 64 a row is 68 bytes where
// halves take 128: the bytes a long conversation's attention reads per
// token, which bound a batch's decode step, nearly halve again.
//
// Every path computes with the rows' float32 values, byte × scale: the
// level's 8-bit kernels multiply each byte by its scale as they load it,
// other paths dequantise the rows first (dequantQ8Rows), so a query gets
// the same bits on every path of a level. One query at a level without
// the 8-bit kernels (AVX2, NEON, and AVX-512 at other head sizes or
// groups) dequantises q8Block positions at a time into a scratch that
// stays in L1 or L2 while the group's query heads read it with the
// float32 kernels: a score's arithmetic is its own, and the weighted sums
// continue in the output from block to block, so the bits are those of
// dequantising the whole cache first, without its memory traffic.

// q8Block is the positions of such a block: 16 KB of float32 at head size 64.
const q8Block = 64

// q8ScratchFloats is the scratch scoreGroup and mixGroup take for a's
// cache: a block of rows for an 8-bit cache, none for the others.
func q8ScratchFloats(a *AttentionArgs) int {
	if a.K8 == nil {
		return 0
	}
	return q8Block * a.HeadSize
}

// q8Fused reports whether the level reads a's 8-bit cache in its
// one-query kernels: four positions' keys for a group of query heads at a
// time and three heads' weighted sums at a time, at head size 64.
func q8Fused(a *AttentionArgs) bool {
	return impl.attnScoresGroupQ8 != nil && a.HeadSize == attnGroupHeadSize &&
		a.Heads%a.KVHeads == 0 && (a.Heads/a.KVHeads)%3 == 0 && fusedAttention(a)
}

// q8Tiled reports whether the level's tiled attention reads a's 8-bit
// cache itself: the values in place (gemmMicroQ8, whose rows are the
// micro-kernel's NR values), the keys dequantised panel by panel.
func q8Tiled(a *AttentionArgs) bool {
	return impl.gemmMicroQ8 != nil && a.HeadSize%impl.gemmNR == 0
}

// QuantizeRowsQ8 writes the rows of src (rows of hs values) as bytes into
// dst and their scales into scales: scale = max|x|/127, byte =
// round(x/scale), half away from zero (llama.cpp's Q8_0 rounding, on a
// whole row). A row of zeros has scale 0. It runs on the caller for every
// new position of every sequence in a step: the level's quantizeQ8Rows,
// with the bits of this package's float32 loop at every level.
func QuantizeRowsQ8(src []float32, dst []int8, scales []float32, hs int) {
	impl.quantizeQ8Rows(src, dst, scales, hs)
}

func quantizeQ8RowsGeneric(src []float32, dst []int8, scales []float32, hs int) {
	const sign = 1 << 31
	for r := range len(src) / hs {
		row, q := src[r*hs:(r+1)*hs], dst[r*hs:(r+1)*hs]
		// The largest magnitude: non-negative floats order as their bits.
		var amax uint32
		for _, v := range row {
			amax = max(amax, math.Float32bits(v)&^sign)
		}
		d := math.Float32frombits(amax) / 127
		scales[r] = d
		var id float32
		if d != 0 {
			id = 1 / d
		}
		for i, v := range row {
			x := v * id // within ±127 (and a rounding of it)
			// ±0.5 with x's sign, then the conversion's truncation: half
			// away from zero, without a branch on the sign.
			half := math.Float32frombits(0x3f000000 | math.Float32bits(x)&sign)
			q[i] = int8(x + half)
		}
	}
}

func dequantQ8RowsGeneric(q []int8, scales []float32, hs int, dst []float32) {
	for r := range len(dst) / hs {
		d, src, out := scales[r], q[r*hs:(r+1)*hs], dst[r*hs:(r+1)*hs]
		for i, v := range src {
			out[i] = float32(v) * d
		}
	}
}
