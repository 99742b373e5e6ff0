package kernels

import (
	"sync"

	"github.com/milp-lite/milp-lite/quant"
)

// Generation reads every Q8_0 weight once per token, and a row-at-a-time dot
// cannot keep up with memory on a wide CPU: each 32-value block of one row
// ends in a horizontal reduction and a scalar scale, so the AVX-512 row dot
// tops out near 27 GB/s per core, short of a fast memory bus. The fix, as in
// ggml's repacked CPU buffers, is to interleave rows so that the vector lanes
// are rows: one VPDPBUSD then advances sixteen rows at once, the block
// scales of sixteen rows are one vector, and nothing is reduced across lanes
// until the sixteen results are stored.
//
// The interleaved layout, per group of q8Lanes rows and per block b (544
// bytes, exactly the sixteen rows' 34-byte blocks, so a token reads the same
// number of bytes as from the GGUF):
//
//	[32 B: the sixteen rows' f16 scales][8 × 64 B: unit k holds, for each
//	row l, the row's quants 4k…4k+3 of the block, each XOR 0x80]
//
// The quants are stored biased to unsigned bytes (q+128) because VPDPBUSD
// multiplies unsigned by signed bytes; the activations stay signed, and the
// bias comes back out as 128·Σx per block, a constant the caller computes
// once per call for all rows (q8BiasTerms). Every Q8_0 value, −128 included,
// survives the round trip.
const (
	q8Lanes      = 16                                                // rows per interleaved group
	q8GroupBlock = q8Lanes * quant.BlockBytesQ8_0                    // bytes per group and block
	q8UnitBytes  = 4 * q8Lanes                                       // one VPDPBUSD's weights
	q8ScaleBytes = 2 * q8Lanes                                       // the group's f16 scales
	q8Units      = quant.QK / 4                                      // VPDPBUSDs per block
	_            = q8ScaleBytes + q8Units*q8UnitBytes - q8GroupBlock // sizes agree
)

// q8Interleaved is a Q8_0 matrix's interleaved copy, made on first use.
type q8Interleaved struct {
	once sync.Once
	data []byte
}

// interleavedQ8 returns the interleaved copy of a Q8_0 matrix whose rows are
// a multiple of q8Lanes, making it on the first call; nil for any other
// matrix. The copy is the generation path's only: batched products (the
// GEMM, training) read the GGUF's own bytes, which stay mapped and, once
// generation no longer touches them, are the page cache's to drop.
func (m *Matrix) interleavedQ8() []byte {
	if m.Type != quant.Q8_0 || m.Rows%q8Lanes != 0 || m.Rows == 0 {
		return nil
	}
	m.q8.once.Do(func() { m.q8.data = interleaveQ8_0(m.Data, m.Rows, m.Cols) })
	return m.q8.data
}

// interleaveQ8_0 rewrites rows×cols Q8_0 values (rows a multiple of q8Lanes)
// into the interleaved layout.
func interleaveQ8_0(data []byte, rows, cols int) []byte {
	nb := cols / quant.QK
	rb := nb * quant.BlockBytesQ8_0
	out := make([]byte, len(data))
	for g := 0; g < rows/q8Lanes; g++ {
		for b := 0; b < nb; b++ {
			dst := out[(g*nb+b)*q8GroupBlock:][:q8GroupBlock]
			for l := 0; l < q8Lanes; l++ {
				blk := data[(g*q8Lanes+l)*rb+b*quant.BlockBytesQ8_0:][:quant.BlockBytesQ8_0]
				dst[2*l], dst[2*l+1] = blk[0], blk[1]
				for k := 0; k < q8Units; k++ {
					u := dst[q8ScaleBytes+k*q8UnitBytes+4*l:][:4]
					for j := range u {
						u[j] = blk[2+4*k+j] ^ 0x80
					}
				}
			}
		}
	}
	return out
}

// q8BiasTerms sets xc[b] = −128·Σ xq over block b: what the unsigned bias of
// the interleaved quants adds to each block's integer dot.
func q8BiasTerms(xq []int8, xc []int32) {
	for b := range xc {
		var s int32
		for _, v := range xq[quant.QK*b : quant.QK*(b+1)] {
			s += int32(v)
		}
		xc[b] = -128 * s
	}
}

// gemvQ8_0x16Generic is kernelSet.gemvQ8_0x16's reference: for each of
// groups interleaved groups of w (nb blocks each), out[16g+l] = Σ_b
// float(Σ_j u·x + xc[b]) · (scale_l·xd[b]), accumulated block by block in
// the assembly's order.
func gemvQ8_0x16Generic(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32) {
	for g := 0; g < groups; g++ {
		var acc [q8Lanes]float32
		for b := 0; b < nb; b++ {
			blk := w[(g*nb+b)*q8GroupBlock:][:q8GroupBlock]
			x := xq[quant.QK*b:][:quant.QK]
			for l := 0; l < q8Lanes; l++ {
				s := xc[b]
				for k := 0; k < q8Units; k++ {
					u := blk[q8ScaleBytes+k*q8UnitBytes+4*l:][:4]
					for j, v := range u {
						s += int32(v) * int32(x[4*k+j])
					}
				}
				acc[l] += float32(s) * (f16le(blk[2*l:]) * xd[b])
			}
		}
		copy(out[q8Lanes*g:], acc[:])
	}
}
