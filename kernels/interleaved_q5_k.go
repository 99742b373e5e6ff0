package kernels

import "github.com/milp-lite/milp-lite/quant"

// The Q5_K interleaved layout (interleaved.go), per group and super-block
// (2816 bytes, the sixteen rows' 176-byte super-blocks): Q4_K's layout with
// the fifth bits between the scales and the nibbles,
//
//	[32 B: the rows' f16 d][32 B: their f16 dmin]
//	[3 × 64 B: the twelve packed scale and min bytes, as Q4_K]
//	[8 × 64 B: unit v holds, for each row l, its qh bytes 4v…4v+3]
//	[32 × 64 B: the nibble bytes, as Q4_K]
//
// Value i of chunk c (sub-block 2c, low nibble of byte 32c+i) takes bit 2c
// of qh byte i as its fifth bit, value i of sub-block 2c+1 (high nibble)
// bit 2c+1: one shift of the qh unit and a ternary-logic OR put it in place.
// Values are 0…31 with no offset (the mins carry it), so the kernel is Q4_K's
// with the fifth bits and the same activation terms (kSubSums).
const (
	k5GroupBlock = ilLanes * quant.BlockBytesQ5_K                   // bytes per group and super-block
	k5QsOffset   = k45Scaled + 8*ilUnitSize                         // after the fifth bits
	_            = k5QsOffset + k4QsUnits*ilUnitSize - k5GroupBlock // sizes agree
)

// interleaveQ5_K rewrites rows×cols Q5_K values (rows a multiple of
// ilLanes) into the interleaved layout.
func interleaveQ5_K(data []byte, rows, cols int) []byte {
	out := make([]byte, len(data))
	interleaveQ5_KGroups(data, out, cols, 0, rows/ilLanes)
	return out
}

// interleaveQ5_KGroups writes groups [g0, g1) of the interleaved layout of
// data into out.
func interleaveQ5_KGroups(data, out []byte, cols, g0, g1 int) {
	interleaveK45Groups(quant.Q5_K, data, out, cols, g0, g1)
}

// gemvQ5_Kx16Generic is kernelSet.gemvQ5_Kx16's reference, as
// gemvQ4_Kx16Generic with the fifth bits.
func gemvQ5_Kx16Generic(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32) {
	gemvK45x16Generic(quant.Q5_K, w, groups, nb, xq, xd, xc, out)
}
