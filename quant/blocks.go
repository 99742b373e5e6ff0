package quant

import "math"

// Bytes in one block of each format this package converts. They equal
// t.BlockBytes() for the matching type and are constants so that per-block
// routines can take array pointers (*[BlockBytesQ4_K]byte) and need no bounds
// checks inside.
const (
	BlockBytesQ4_0 = 18  // f16 d; u8 qs[16]
	BlockBytesQ4_1 = 20  // f16 d, m; u8 qs[16]
	BlockBytesQ5_0 = 22  // f16 d; u8 qh[4]; u8 qs[16]
	BlockBytesQ5_1 = 24  // f16 d, m; u8 qh[4]; u8 qs[16]
	BlockBytesQ8_0 = 34  // f16 d; i8 qs[32]
	BlockBytesQ2_K = 84  // u8 scales[16]; u8 qs[64]; f16 d, dmin
	BlockBytesQ3_K = 110 // u8 hmask[32]; u8 qs[64]; u8 scales[12]; f16 d
	BlockBytesQ4_K = 144 // f16 d, dmin; u8 scales[12]; u8 qs[128]
	BlockBytesQ5_K = 176 // f16 d, dmin; u8 scales[12]; u8 qh[32]; u8 qs[128]
	BlockBytesQ6_K = 210 // u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d
	BlockBytesQ8_K = 292 // f32 d; i8 qs[256]; i16 bsums[16]
)

// f16At reads the little-endian half at b[0:2] as a float32.
func f16At(b []byte) float32 { return F16ToF32(uint16(b[0]) | uint16(b[1])<<8) }

// putF16 writes the half bits h little-endian to b[0:2].
func putF16(b []byte, h uint16) { b[0], b[1] = byte(h), byte(h>>8) }

// f32At reads the little-endian float32 at b[0:4].
func f32At(b []byte) float32 {
	return math.Float32frombits(uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24)
}
