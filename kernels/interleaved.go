package kernels

import (
	"encoding/binary"
	"sync"
	"unsafe"

	"github.com/milp-lite/milp-lite/quant"
)

// Generation reads every weight once per token, and a row-at-a-time
// quantised dot cannot keep up with memory on a wide CPU: each 32-value
// block of one row ends in a horizontal reduction and a scalar scale, so a
// row dot is bound by that work rather than by memory, and one core falls
// short of a fast memory bus. The fix, as in ggml's repacked CPU buffers, is to interleave
// rows so that the vector lanes are rows: one VPDPBUSD then advances sixteen
// rows at once, the block scales of sixteen rows are one vector, and nothing
// is reduced across lanes until the sixteen results are stored.
//
// A matrix's interleaved copy holds its rows in groups of ilLanes; per group
// and block, ilLanes blocks' bytes (so a token reads exactly as many bytes as
// from the GGUF), laid out as
//
//	[2·ilLanes B: the rows' f16 scales][units of 64 B: for each row l, four
//	of its quant bytes]
//
// The quants are stored as unsigned bytes, because VPDPBUSD multiplies
// unsigned by signed bytes; the activations stay signed, and the offset
// (128 for Q8_0, stored XOR 0x80; 8 for Q4_0's nibbles, 16 for Q5_0's
// five-bit values, 32 for Q6_K's six-bit ones) comes back out as offset·Σx
// per block, a constant computed once per call for all rows
// (blockBiasTerms, q6BiasTerms). The K formats' sub-block scales (and
// Q4_K's mins) are handled in the lanes too. The specifics of each type are
// in interleaved_*.go; the kernels are AVX-512 VNNI for all five types, AVX2
// for Q8_0, Q4_0, Q5_0 and Q4_K, and NEON (SDOT) for Q8_0, Q4_0 and Q5_0; a
// level without a type's kernel uses the row dots. A kernel is kept only
// where it beats the row dots streaming a model from memory, not just in
// cache (an AVX-512 Q5_K one, faster in cache, lost there).
const (
	ilLanes     = 16          // rows per interleaved group
	ilScaleSize = 2 * ilLanes // the group's f16 scales, per block
	ilUnitSize  = 4 * ilLanes // one VPDPBUSD's weights
)

// interleavedCopy is a matrix's interleaved copy, made on first use.
type interleavedCopy struct {
	once sync.Once
	data []byte
}

// interleavedGemv is the signature of the interleaved kernels: out[16g+l] for
// groups groups of nb blocks of w, xc holding blockBiasTerms.
type interleavedGemv func(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)

// interleavedKernel returns the level's interleaved kernel for t, nil if it
// has none.
func (ks *kernelSet) interleavedKernel(t quant.Type) interleavedGemv {
	switch t {
	case quant.Q8_0:
		return ks.gemvQ8_0x16
	case quant.Q4_0:
		return ks.gemvQ4_0x16
	case quant.Q5_0:
		return ks.gemvQ5_0x16
	case quant.Q4_K:
		return ks.gemvQ4_Kx16
	case quant.Q6_K:
		return ks.gemvQ6_Kx16
	}
	return nil
}

// interleaved returns the interleaved copy of a Q8_0, Q4_0, Q5_0, Q4_K or
// Q6_K matrix whose rows are a multiple of ilLanes, making it on the first call
// (split across p's workers, or on the caller if p is nil); nil for any
// other matrix. Generation and, where the level has the batched kernels,
// batches through W (interleaved_gemm.go) read it; the float GEMM (other
// levels, X·W in training's backward) reads the GGUF's own bytes, which
// stay mapped and, once nothing touches them, are the page cache's to drop.
func (m *Matrix) interleaved(p *Pool) []byte {
	pack := interleaveGroups(m.Type)
	if pack == nil || m.Rows%ilLanes != 0 || m.Rows == 0 {
		return nil
	}
	m.il.once.Do(func() {
		out, groups := make([]byte, len(m.Data)), m.Rows/ilLanes
		if p == nil {
			pack(m.Data, out, m.Cols, 0, groups)
		} else {
			p.For(groups, max(1, groups/(4*p.size)), TaskFunc(func(g0, g1, _ int) { pack(m.Data, out, m.Cols, g0, g1) }))
		}
		m.il.data = out
	})
	return m.il.data
}

// interleaveGroups returns the function that writes groups [g0, g1) of
// the interleaved layout of t's rows of cols values (data) into out, nil
// for a type without one.
func interleaveGroups(t quant.Type) func(data, out []byte, cols, g0, g1 int) {
	switch t {
	case quant.Q8_0:
		return interleaveQ8_0Groups
	case quant.Q4_0:
		return interleaveQ4_0Groups
	case quant.Q5_0:
		return interleaveQ5_0Groups
	case quant.Q4_K:
		return interleaveQ4_KGroups
	case quant.Q6_K:
		return interleaveQ6_KGroups
	}
	return nil
}

// ilBiased lists the 32-wide interleaved types and the unsigned offset of
// their stored quants; a type's index is where matMulTask keeps its bias
// terms (ilBiasSlot).
var ilBiased = [...]struct {
	t      quant.Type
	offset int32
}{{quant.Q8_0, 128}, {quant.Q4_0, 8}, {quant.Q5_0, 16}}

// ilBiasSlot is the index of a 32-wide interleaved type in ilBiased.
func ilBiasSlot(t quant.Type) int {
	for i, b := range ilBiased {
		if b.t == t {
			return i
		}
	}
	panic("kernels: " + t.String() + " has no interleaved bias terms")
}

// ilOffset is the unsigned offset of a 32-wide type's interleaved quants.
func ilOffset(t quant.Type) int32 { return ilBiased[ilBiasSlot(t)].offset }

// blockBiasTerms sets xc[b] = −offset·Σ xq over block b: what the unsigned
// offset of interleaved quants adds to each block's integer dot.
func blockBiasTerms(xq []int8, offset int32, xc []int32) {
	if len(xc) == 0 {
		return
	}
	bytes := unsafe.Slice((*byte)(unsafe.Pointer(&xq[0])), quant.QK*len(xc))
	for b := range xc {
		xc[b] = -offset * sumInt8Block(bytes[quant.QK*b:quant.QK*(b+1)])
	}
}

// sumInt8Block is the sum of a block's 32 int8 values (as bytes), eight at
// a time in a word: each byte's sign bit flipped makes it its value plus
// 128, unsigned; the bytes add in four 16-bit lanes (at most 8·255 each),
// which one multiply sums into the top lane. It runs on the caller, outside
// the pool's loops, on every batched product's way.
func sumInt8Block(b []byte) int32 {
	const (
		signs = 0x8080808080808080
		low   = 0x00FF00FF00FF00FF
	)
	var lanes uint64
	for i := 0; i < quant.QK; i += 8 {
		w := binary.LittleEndian.Uint64(b[i:i+8]) ^ signs
		lanes += w&low + (w>>8)&low
	}
	return int32((lanes*0x0001000100010001)>>48) - 128*quant.QK
}
