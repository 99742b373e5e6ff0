//go:build !noasm

#include "textflag.h"

// Dots of Q5_0 / Q4_1 / Q5_1 weight rows with Q8 activations (one scale per
// 32). Per block the 32 weights are unpacked into one YMM register, byte i
// holding element i: the 16 qs bytes give elements 0..15 (low nibbles) and
// 16..31 (high nibbles); for the Q5 formats bit i of the 32-bit qh field is
// spread to byte i (broadcast, VPSHUFB picks byte i/8, VPCMPEQB tests bit
// i%8) and becomes the fifth bit.
//
//   - Q5_0 is signed, q-16 in [-16, 15]: with the fifth bit clear the value
//     is q4-16 = q4|0xF0 as a byte, with it set just q4, so OR-ing 0xF0
//     where the bit is clear gives the signed value. The product uses the
//     |w| × x·sign(w) trick of the Q4_0 dot (exact: x is never -128).
//   - Q4_1 / Q5_1 are unsigned (0..15, 0..31): VPMADDUBSW takes them as
//     they are (pair sums ≤ 2·31·127 < 32767). The offset m enters once per
//     block as m·xs[b] (xs[b] = xd[b]·Σxq, precomputed by the caller), in a
//     scalar accumulator.
//
// Two blocks per iteration feed two accumulators so FMA latency overlaps.

#define HSUM8(Y, X, T) \
	VEXTRACTF128 $1, Y, T \
	VADDPS T, X, X \
	VHADDPS X, X, X \
	VHADDPS X, X, X

// IDOT_MADD: Y3 = eight int32 sums of u8 Y1 × s8 Y2 (Y15 holds int16 ones).
#define IDOT_MADD \
	VPMADDUBSW Y2, Y1, Y3 \
	VPMADDWD Y15, Y3, Y3

// IDOT_VNNI: the same with one VNNI instruction.
#define IDOT_VNNI \
	VPXOR Y3, Y3, Y3 \
	VPDPBUSD Y2, Y1, Y3

// NIBBLES loads the 16 qs bytes at QOFF(SI) into Y1 as 32 values 0..15
// (Y14 = 0x0f in every byte).
#define NIBBLES(QOFF) \
	VMOVDQU QOFF(SI), X1 \
	VPSRLW $4, X1, X6 \
	VINSERTI128 $1, X6, Y1, Y1 \
	VPAND Y14, Y1, Y1

// HIGHBITS sets byte i of Y5 to 0xFF if bit i of the 32-bit qh at HOFF(SI)
// is set, else 0 (Y11 = byte-spreading shuffle, Y10 = 1<<(i%8) per byte).
#define HIGHBITS(HOFF) \
	VPBROADCASTD HOFF(SI), Y5 \
	VPSHUFB Y11, Y5, Y5 \
	VPAND Y10, Y5, Y5 \
	VPCMPEQB Y10, Y5, Y5

// SCALE_D broadcasts f16(d at WOFF(SI)) * xd at DOFF(DX) into Y4.
#define SCALE_D(WOFF, DOFF) \
	MOVWLZX WOFF(SI), AX \
	VMOVD AX, X4 \
	VCVTPH2PS X4, X4 \
	VMULSS DOFF(DX), X4, X4 \
	VBROADCASTSS X4, Y4

// SCALE_DM widens the f16 pair d, m at WOFF(SI), adds m·xs[b] (DOFF(BX))
// to the scalar accumulator SACC and broadcasts d·xd[b] into Y4.
#define SCALE_DM(WOFF, DOFF, SACC) \
	MOVL WOFF(SI), AX \
	VMOVD AX, X4 \
	VCVTPH2PS X4, X4 \
	VMOVSHDUP X4, X6 \
	VFMADD231SS DOFF(BX), X6, SACC \
	VMULSS DOFF(DX), X4, X4 \
	VBROADCASTSS X4, Y4

// Q5_0: f16 d, qh[4] at 2, qs[16] at 6 (22 bytes). Y12 = 0xF0 per byte.
#define Q5_0_BLOCK(IDOT, WOFF, XOFF, DOFF, ACC) \
	NIBBLES(WOFF+6) \
	HIGHBITS(WOFF+2) \
	VPANDN Y12, Y5, Y5 \
	VPOR Y5, Y1, Y1 \
	VMOVDQU XOFF(DI), Y2 \
	VPSIGNB Y1, Y2, Y2 \
	VPABSB Y1, Y1 \
	IDOT \
	VCVTDQ2PS Y3, Y3 \
	SCALE_D(WOFF, DOFF) \
	VFMADD231PS Y4, Y3, ACC

// Q4_1: f16 d, m, qs[16] at 4 (20 bytes).
#define Q4_1_BLOCK(IDOT, WOFF, XOFF, DOFF, ACC, SACC) \
	NIBBLES(WOFF+4) \
	VMOVDQU XOFF(DI), Y2 \
	IDOT \
	VCVTDQ2PS Y3, Y3 \
	SCALE_DM(WOFF, DOFF, SACC) \
	VFMADD231PS Y4, Y3, ACC

// Q5_1: f16 d, m, qh[4] at 4, qs[16] at 8 (24 bytes). Y13 = 0x10 per byte.
#define Q5_1_BLOCK(IDOT, WOFF, XOFF, DOFF, ACC, SACC) \
	NIBBLES(WOFF+8) \
	HIGHBITS(WOFF+4) \
	VPAND Y13, Y5, Y5 \
	VPOR Y5, Y1, Y1 \
	VMOVDQU XOFF(DI), Y2 \
	IDOT \
	VCVTDQ2PS Y3, Y3 \
	SCALE_DM(WOFF, DOFF, SACC) \
	VFMADD231PS Y4, Y3, ACC

// byteSpread<>: VPSHUFB indices sending byte i/8 of a broadcast dword to
// byte i of each 128-bit lane (lane 0 holds elements 0..15, lane 1 16..31).
DATA byteSpread<>+0(SB)/8, $0x0000000000000000
DATA byteSpread<>+8(SB)/8, $0x0101010101010101
DATA byteSpread<>+16(SB)/8, $0x0202020202020202
DATA byteSpread<>+24(SB)/8, $0x0303030303030303
GLOBL byteSpread<>(SB), RODATA|NOPTR, $32

#define PROLOGUE \
	MOVQ w_base+0(FP), SI \
	MOVQ xq_base+24(FP), DI \
	MOVQ xd_base+48(FP), DX \
	MOVQ xd_len+56(FP), CX \
	VXORPS Y0, Y0, Y0 \
	VXORPS Y8, Y8, Y8 \
	VXORPS Y9, Y9, Y9 \
	VXORPS Y7, Y7, Y7 \
	VPCMPEQW Y15, Y15, Y15 \
	VPSRLW $15, Y15, Y15 \
	MOVL $0x0f0f0f0f, AX \
	VMOVD AX, X14 \
	VPBROADCASTD X14, Y14 \
	MOVL $0x10101010, AX \
	VMOVD AX, X13 \
	VPBROADCASTD X13, Y13 \
	MOVL $0xf0f0f0f0, AX \
	VMOVD AX, X12 \
	VPBROADCASTD X12, Y12 \
	VMOVDQU byteSpread<>(SB), Y11 \
	MOVQ $0x8040201008040201, AX \
	VMOVQ AX, X10 \
	VPBROADCASTQ X10, Y10

// EPILOGUE adds the two vector and two scalar accumulators and returns
// the sum at ROFF(FP).
#define EPILOGUE(ROFF) \
	VADDPS Y8, Y0, Y0 \
	HSUM8(Y0, X0, X1) \
	VADDSS X7, X9, X9 \
	VADDSS X9, X0, X0 \
	VMOVSS X0, ROFF(FP) \
	VZEROUPPER \
	RET

// DOT32 is the loop over pairs of blocks, then a last odd block. BLOCKA and
// BLOCKB are the first and second block of a pair (offsets preset).
#define DOT32(BLOCKA, BLOCKB, BLOCK1, WSTEP) \
	CMPQ CX, $2 \
	JB   one \
two: \
	BLOCKA \
	BLOCKB \
	ADDQ $(2*WSTEP), SI \
	ADDQ $64, DI \
	ADDQ $8, DX \
	ADDQ $8, BX \
	SUBQ $2, CX \
	CMPQ CX, $2 \
	JAE  two \
one: \
	TESTQ CX, CX \
	JZ    done \
	BLOCK1 \
done:

// func dotQ5_0AVX2(w []byte, xq []int8, xd []float32) float32
TEXT ·dotQ5_0AVX2(SB), NOSPLIT, $0-76
	PROLOGUE
	DOT32(Q5_0_BLOCK(IDOT_MADD, 0, 0, 0, Y0), Q5_0_BLOCK(IDOT_MADD, 22, 32, 4, Y8), Q5_0_BLOCK(IDOT_MADD, 0, 0, 0, Y0), 22)
	EPILOGUE(ret+72)

// func dotQ5_0VNNI(w []byte, xq []int8, xd []float32) float32
TEXT ·dotQ5_0VNNI(SB), NOSPLIT, $0-76
	PROLOGUE
	DOT32(Q5_0_BLOCK(IDOT_VNNI, 0, 0, 0, Y0), Q5_0_BLOCK(IDOT_VNNI, 22, 32, 4, Y8), Q5_0_BLOCK(IDOT_VNNI, 0, 0, 0, Y0), 22)
	EPILOGUE(ret+72)

// func dotQ4_1AVX2(w []byte, xq []int8, xd, xs []float32) float32
TEXT ·dotQ4_1AVX2(SB), NOSPLIT, $0-100
	PROLOGUE
	MOVQ xs_base+72(FP), BX
	DOT32(Q4_1_BLOCK(IDOT_MADD, 0, 0, 0, Y0, X9), Q4_1_BLOCK(IDOT_MADD, 20, 32, 4, Y8, X7), Q4_1_BLOCK(IDOT_MADD, 0, 0, 0, Y0, X9), 20)
	EPILOGUE(ret+96)

// func dotQ4_1VNNI(w []byte, xq []int8, xd, xs []float32) float32
TEXT ·dotQ4_1VNNI(SB), NOSPLIT, $0-100
	PROLOGUE
	MOVQ xs_base+72(FP), BX
	DOT32(Q4_1_BLOCK(IDOT_VNNI, 0, 0, 0, Y0, X9), Q4_1_BLOCK(IDOT_VNNI, 20, 32, 4, Y8, X7), Q4_1_BLOCK(IDOT_VNNI, 0, 0, 0, Y0, X9), 20)
	EPILOGUE(ret+96)

// func dotQ5_1AVX2(w []byte, xq []int8, xd, xs []float32) float32
TEXT ·dotQ5_1AVX2(SB), NOSPLIT, $0-100
	PROLOGUE
	MOVQ xs_base+72(FP), BX
	DOT32(Q5_1_BLOCK(IDOT_MADD, 0, 0, 0, Y0, X9), Q5_1_BLOCK(IDOT_MADD, 24, 32, 4, Y8, X7), Q5_1_BLOCK(IDOT_MADD, 0, 0, 0, Y0, X9), 24)
	EPILOGUE(ret+96)

// func dotQ5_1VNNI(w []byte, xq []int8, xd, xs []float32) float32
TEXT ·dotQ5_1VNNI(SB), NOSPLIT, $0-100
	PROLOGUE
	MOVQ xs_base+72(FP), BX
	DOT32(Q5_1_BLOCK(IDOT_VNNI, 0, 0, 0, Y0, X9), Q5_1_BLOCK(IDOT_VNNI, 24, 32, 4, Y8, X7), Q5_1_BLOCK(IDOT_VNNI, 0, 0, 0, Y0, X9), 24)
	EPILOGUE(ret+96)
