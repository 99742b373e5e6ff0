package nn

import (
	"slices"
	"testing"

	"github.com/milp-lite/milp-lite/kernels"
	"github.com/milp-lite/milp-lite/quant"
)

// smolHeads is a tiny model with SmolLM2's heads (nine query heads on three
// KV heads of 64), the shape the 8-bit attention kernels read in place.
var smolHeads = Shape{Name: "smol-heads", Arch: "llama", Dim: 576, Layers: 2, Heads: 9, KVHeads: 3, FFNDim: 96, Vocab: 320, Context: 384}

// TestQ8CacheStoresQuantisedRows: an 8-bit cache holds each row of the
// float32 cache as QuantizeRowsQ8 writes it (layer 0's rows do not depend
// on the cache, so there the two states compare exactly), and takes
// (head size + 4) bytes a row.
func TestQ8CacheStoresQuantisedRows(t *testing.T) {
	for _, s := range append(tinyShapes, smolHeads) {
		m := writeModel(t, s, quant.F32, 7)
		f32, _ := feedInPieces(t, m, StateOptions{}, kvTestTokens)
		q8, _ := feedInPieces(t, m, StateOptions{KV: KVQ8}, kvTestTokens)
		c := &m.Config
		hd, stride := c.HeadDim, f32.capacity*c.HeadDim
		q, scale := make([]int8, hd), make([]float32, 1)
		for g := range c.KVHeads {
			for p := range len(kvTestTokens) {
				at := g*stride + p*hd
				for _, kv := range []struct {
					name   string
					f32    []float32
					q8     []int8
					scales []float32
				}{{"key", f32.keys[0], q8.keys8[0], q8.kScales[0]}, {"value", f32.values[0], q8.values8[0], q8.vScales[0]}} {
					kernels.QuantizeRowsQ8(kv.f32[at:at+hd], q, scale, hd)
					if kv.scales[at/hd] != scale[0] || !slices.Equal(kv.q8[at:at+hd], q) {
						t.Fatalf("%s: layer 0 %s row of head %d at %d: scale %g, want %g", s.Name, kv.name, g, p, kv.scales[at/hd], scale[0])
					}
				}
			}
		}
		if want := f32.KVBytes() * int64(hd+4) / int64(4*hd); q8.KVBytes() != want || q8.KV() != KVQ8 {
			t.Fatalf("%s: an 8-bit cache of %d bytes, want %d", s.Name, q8.KVBytes(), want)
		}
	}
}

// TestBatchQ8Cache: with 8-bit caches, a batch's sequences draw what they
// draw alone with an 8-bit cache: on heads the 8-bit kernels read in place
// (SmolLM2's) and on heads that are dequantised first.
//
// That needs a row's keys and values to have the same bits in a batch as
// alone: rounding to bytes turns a last-bit difference at a tie into a
// whole step (1/127 of the row's largest value), which moves the logits by
// far more than the batch's 1e-5 allows. The integer products give a row
// the same bits in any batch (Q8_0 weights, on a level with integer
// batches); float products of a batch may sum in another order than one
// row's, and there the test is skipped.
func TestBatchQ8Cache(t *testing.T) {
	if !kernels.HasIntegerBatches(quant.Q8_0) {
		t.Skip("this level multiplies batches in float32, whose rows may differ from one row's in their last bit")
	}
	for _, shape := range []Shape{
		{Name: "gqa", Arch: "llama", Dim: 64, Layers: 2, Heads: 8, KVHeads: 2, FFNDim: 96, Vocab: 320, Context: 128},
		smolHeads,
	} {
		m := writeModel(t, shape, quant.Q8_0, 5)
		cases := batchCases(m, 12, 4)
		for _, c := range cases {
			c.alone(t, m, KVQ8)
		}
		runBatch(t, m, BatchOptions{MaxSeqs: 5, StepTokens: 32, ChunkTokens: 7, KV: KVQ8}, cases, 1e-5)
	}
}
