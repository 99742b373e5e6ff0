package kernels

import "github.com/milp-lite/milp-lite/quant"

// The Q5_0 interleaved layout (interleaved.go), per group and block (352
// bytes, the sixteen rows' 22-byte blocks):
//
//	[32 B: the sixteen rows' f16 scales][64 B: each row's 32 fifth bits,
//	rearranged (q5HighBits)][4 × 64 B: nibble units, as Q4_0]
//
// Value j of a block is its nibble (as in Q4_0) plus 16 times bit j of qh,
// stored as q+16. The fifth bits are rearranged at load so that the kernel
// moves those of a nibble unit into place with one shift and one mask:
// byte i of a row's dword holds, in bit b < 4, the fifth bit of value 4b+i
// (low nibble of unit b) and in bit 4+b that of value 16+4b+i (high nibble
// of unit b). The offset 16 comes back out with the bias terms.
const (
	q5GroupBlock = ilLanes * quant.BlockBytesQ5_0                 // bytes per group and block
	q5QsOffset   = ilScaleSize + ilUnitSize                       // after scales and fifth bits
	_            = q5QsOffset + q4Units*ilUnitSize - q5GroupBlock // sizes agree
)

// q5HighBits rearranges a Q5_0 block's qh (bit j: value j's fifth bit) into
// the interleaved layout's dword: byte i gathers bits i, 4+i, 8+i, 12+i into
// its low half and 16+i, …, 28+i into its high half.
func q5HighBits(qh uint32) uint32 {
	var h uint32
	for i := 0; i < 4; i++ {
		lo, hi := gatherNibbleBits(qh>>i&0x1111), gatherNibbleBits(qh>>(16+i)&0x1111)
		h |= (lo | hi<<4) << (8 * i)
	}
	return h
}

// gatherNibbleBits moves bits 0, 4, 8 and 12 of x (its only bits) to bits
// 0–3: the multiplier shifts bit 4k by 12−3k, and the sixteen products land
// on distinct bits, so no carry disturbs bits 12–15.
func gatherNibbleBits(x uint32) uint32 { return x * 0x1248 >> 12 & 15 }

// interleaveQ5_0Groups writes groups [g0, g1) of the interleaved layout of
// data into out.
func interleaveQ5_0Groups(data, out []byte, cols, g0, g1 int) {
	interleaveNibbleGroups(quant.Q5_0, data, out, cols, g0, g1)
}

// gemvQ5_0x16Generic is kernelSet.gemvQ5_0x16's reference, as
// gemvQ4_0x16Generic with the fifth bits.
func gemvQ5_0x16Generic(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32) {
	gemvNibbleX16Generic(quant.Q5_0, w, groups, nb, xq, xd, xc, out)
}
