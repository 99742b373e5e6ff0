//go:build !noasm

#include "textflag.h"

// The interleaved matrix-vector products (interleaved.go) on AVX2, for CPUs
// without AVX-512: a group's sixteen rows are two registers of eight lanes
// (A: rows 0–7, the first 32 bytes of every 64-byte unit; B: rows 8–15).
// AVX2 has no VPDPBUSD: VPMADDUBSW multiplies unsigned by signed bytes into
// pairs of int16 and VPMADDWD against ones widens them to int32. Nibble
// pairs stay far from int16 overflow, so Q4_0 sums a whole block in int16
// (8 products of at most 2·15·127) and Q5_0 half a block (4 of 2·31·127)
// before widening. Q8_0's quants are turned back into signed bytes and
// meet the activations by the sign trick (|x| unsigned, w·sign(x) signed:
// pairs of at most 2·127·128), so its sums need no bias terms.
//
// Registers: Y15 = 0x0f bytes, Y14 = int16 ones, Y13 = 0x10 bytes (Q5_0) or
// 0x80 bytes (Q8_0); Y0/Y1 the rows' float sums (A/B).

// IL_PROLOGUE loads the arguments; IL_BLOCK_END scales the block's integer
// sums (Y8 for A, Y9 for B) by the rows' f16 scales at (SI) times the
// block's activation scale and adds them to Y0/Y1.
#define IL_PROLOGUE \
	MOVQ w_base+0(FP), SI; \
	MOVQ groups+24(FP), R10; \
	MOVQ nb+32(FP), R11; \
	MOVQ xq_base+40(FP), R12; \
	MOVQ xd_base+64(FP), R13; \
	MOVQ xc_base+88(FP), R14; \
	MOVQ out_base+112(FP), R8; \
	MOVL $0x0f0f0f0f, AX; \
	MOVQ AX, X15; \
	VPBROADCASTD X15, Y15; \
	MOVL $0x00010001, AX; \
	MOVQ AX, X14; \
	VPBROADCASTD X14, Y14

#define IL_BLOCK_END \
	VCVTDQ2PS Y8, Y8; \
	VCVTDQ2PS Y9, Y9; \
	VBROADCASTSS (DX), Y10; \
	VCVTPH2PS (SI), Y2; \
	VMULPS Y10, Y2, Y2; \
	VFMADD231PS Y2, Y8, Y0; \
	VCVTPH2PS 16(SI), Y3; \
	VMULPS Y10, Y3, Y3; \
	VFMADD231PS Y3, Y9, Y1

// Q8_0: per unit, four activation bytes broadcast (Y5); each half's quants
// are made signed again (XOR 0x80) and meet the activations by the sign
// trick, |w| (unsigned, 128 included) times x·sign(w) (activations never
// hold -128), widened at once into Y8/Y9.
// Q8A_HALF(WOFF, S): one half of a unit into S.
#define Q8A_HALF(WOFF, S) \
	VPXOR (WOFF)(SI), Y13, Y2; \
	VPABSB Y2, Y3; \
	VPSIGNB Y2, Y5, Y2; \
	VPMADDUBSW Y2, Y3, Y2; \
	VPMADDWD Y14, Y2, Y2; \
	VPADDD Y2, S, S

#define Q8A_UNIT(K) \
	VPBROADCASTD ((K)*4)(DI), Y5; \
	Q8A_HALF(32+(K)*64, Y8); \
	Q8A_HALF(64+(K)*64, Y9)

// func gemvQ8_0x16AVX2(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)
TEXT ·gemvQ8_0x16AVX2(SB), NOSPLIT, $0-136
	IL_PROLOGUE
	MOVL $0x80808080, AX
	MOVQ AX, X13
	VPBROADCASTD X13, Y13
	TESTQ R10, R10
	JZ    q8adone

q8agroup:
	MOVQ R12, DI
	MOVQ R13, DX
	MOVQ R14, BX
	MOVQ R11, CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	TESTQ CX, CX
	JZ    q8astore

q8ablock:
	VPXOR Y8, Y8, Y8
	VPXOR Y9, Y9, Y9
	Q8A_UNIT(0)
	Q8A_UNIT(1)
	Q8A_UNIT(2)
	Q8A_UNIT(3)
	Q8A_UNIT(4)
	Q8A_UNIT(5)
	Q8A_UNIT(6)
	Q8A_UNIT(7)
	IL_BLOCK_END
	ADDQ $544, SI
	ADDQ $32, DI
	ADDQ $4, DX
	ADDQ $4, BX
	DECQ CX
	JNZ  q8ablock

q8astore:
	VMOVUPS Y0, (R8)
	VMOVUPS Y1, 32(R8)
	ADDQ $64, R8
	DECQ R10
	JNZ  q8agroup

q8adone:
	VZEROUPPER
	RET

// Q4_0: Y6/Y7 collect the block's int16 pair sums (A/B).
// Q4A_UNIT(K): unit K at 32+64K(SI).
#define Q4A_UNIT(K) \
	VPBROADCASTD ((K)*4)(DI), Y4; \
	VPBROADCASTD (16+(K)*4)(DI), Y5; \
	VMOVDQU (32+(K)*64)(SI), Y2; \
	VPSRLW $4, Y2, Y3; \
	VPAND Y15, Y2, Y2; \
	VPAND Y15, Y3, Y3; \
	VPMADDUBSW Y4, Y2, Y2; \
	VPMADDUBSW Y5, Y3, Y3; \
	VPADDW Y2, Y6, Y6; \
	VPADDW Y3, Y6, Y6; \
	VMOVDQU (64+(K)*64)(SI), Y2; \
	VPSRLW $4, Y2, Y3; \
	VPAND Y15, Y2, Y2; \
	VPAND Y15, Y3, Y3; \
	VPMADDUBSW Y4, Y2, Y2; \
	VPMADDUBSW Y5, Y3, Y3; \
	VPADDW Y2, Y7, Y7; \
	VPADDW Y3, Y7, Y7

// func gemvQ4_0x16AVX2(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)
TEXT ·gemvQ4_0x16AVX2(SB), NOSPLIT, $0-136
	IL_PROLOGUE
	TESTQ R10, R10
	JZ    q4adone

q4agroup:
	MOVQ R12, DI
	MOVQ R13, DX
	MOVQ R14, BX
	MOVQ R11, CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	TESTQ CX, CX
	JZ    q4astore

q4ablock:
	VPXOR Y6, Y6, Y6
	VPXOR Y7, Y7, Y7
	Q4A_UNIT(0)
	Q4A_UNIT(1)
	Q4A_UNIT(2)
	Q4A_UNIT(3)
	VPMADDWD Y14, Y6, Y8
	VPMADDWD Y14, Y7, Y9
	VPBROADCASTD (BX), Y10
	VPADDD Y10, Y8, Y8
	VPADDD Y10, Y9, Y9
	IL_BLOCK_END
	ADDQ $288, SI
	ADDQ $32, DI
	ADDQ $4, DX
	ADDQ $4, BX
	DECQ CX
	JNZ  q4ablock

q4astore:
	VMOVUPS Y0, (R8)
	VMOVUPS Y1, 32(R8)
	ADDQ $64, R8
	DECQ R10
	JNZ  q4agroup

q4adone:
	VZEROUPPER
	RET

// Q5_0: Y12/Y13 hold the fifth bits (A/B), reloaded per block; Y6/Y7
// collect int16 pair sums over two units, widened into Y8/Y9.
// Q5A_HALF(K, WOFF, H, S): one half (A or B) of unit K.
#define Q5A_HALF(K, WOFF, H, S) \
	VMOVDQU (WOFF)(SI), Y2; \
	VPSRLW $4, Y2, Y3; \
	VPAND Y15, Y2, Y2; \
	VPAND Y15, Y3, Y3; \
	VPSLLD $(4-(K)), H, Y10; \
	VPAND Y11, Y10, Y10; \
	VPOR Y10, Y2, Y2; \
	VPSRLD $(K), H, Y10; \
	VPAND Y11, Y10, Y10; \
	VPOR Y10, Y3, Y3; \
	VPMADDUBSW Y4, Y2, Y2; \
	VPMADDUBSW Y5, Y3, Y3; \
	VPADDW Y2, S, S; \
	VPADDW Y3, S, S

#define Q5A_UNIT(K) \
	VPBROADCASTD ((K)*4)(DI), Y4; \
	VPBROADCASTD (16+(K)*4)(DI), Y5; \
	Q5A_HALF(K, 96+(K)*64, Y12, Y6); \
	Q5A_HALF(K, 128+(K)*64, Y13, Y7)

// Q5A_WIDEN adds the int16 sums to Y8/Y9 as int32 and clears them.
#define Q5A_WIDEN \
	VPMADDWD Y14, Y6, Y6; \
	VPMADDWD Y14, Y7, Y7; \
	VPADDD Y6, Y8, Y8; \
	VPADDD Y7, Y9, Y9; \
	VPXOR Y6, Y6, Y6; \
	VPXOR Y7, Y7, Y7

// func gemvQ5_0x16AVX2(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)
TEXT ·gemvQ5_0x16AVX2(SB), NOSPLIT, $0-136
	IL_PROLOGUE
	MOVL $0x10101010, AX
	MOVQ AX, X11
	VPBROADCASTD X11, Y11
	TESTQ R10, R10
	JZ    q5adone

q5agroup:
	MOVQ R12, DI
	MOVQ R13, DX
	MOVQ R14, BX
	MOVQ R11, CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	TESTQ CX, CX
	JZ    q5astore

q5ablock:
	VMOVDQU 32(SI), Y12
	VMOVDQU 64(SI), Y13
	VPBROADCASTD (BX), Y8
	VMOVDQA Y8, Y9
	VPXOR Y6, Y6, Y6
	VPXOR Y7, Y7, Y7
	Q5A_UNIT(0)
	Q5A_UNIT(1)
	Q5A_WIDEN
	Q5A_UNIT(2)
	Q5A_UNIT(3)
	Q5A_WIDEN
	IL_BLOCK_END
	ADDQ $352, SI
	ADDQ $32, DI
	ADDQ $4, DX
	ADDQ $4, BX
	DECQ CX
	JNZ  q5ablock

q5astore:
	VMOVUPS Y0, (R8)
	VMOVUPS Y1, 32(R8)
	ADDQ $64, R8
	DECQ R10
	JNZ  q5agroup

q5adone:
	VZEROUPPER
	RET

// Q4_K: the group's two halves (rows 0–7, then 8–15) run one after the
// other over all its super-blocks, each an eight-row problem (AVX2 has too
// few registers for both halves' unpacked scales): SI walks the half's
// units (+32 bytes for rows 8–15), R9 its d and dmin (+16), R15 holds the
// group's start and AX the half. Per super-block the twelve scale bytes
// are unpacked as on AVX-512 (Y7/Y8 the low four scales/mins, Y9/Y10 the
// high ones, a byte per sub-block); each chunk's two sub-blocks sum in
// int16 (8 units of at most 2·15·127) then widen, are weighed by their
// scales into Y11, and the mins times the activations' sub-block sums go
// into Y12.

DATA k4aMask3f<>+0(SB)/8, $0x3f3f3f3f3f3f3f3f
DATA k4aMask3f<>+8(SB)/8, $0x3f3f3f3f3f3f3f3f
DATA k4aMask3f<>+16(SB)/8, $0x3f3f3f3f3f3f3f3f
DATA k4aMask3f<>+24(SB)/8, $0x3f3f3f3f3f3f3f3f
GLOBL k4aMask3f<>(SB), RODATA|NOPTR, $32
DATA k4aMask30<>+0(SB)/8, $0x3030303030303030
DATA k4aMask30<>+8(SB)/8, $0x3030303030303030
DATA k4aMask30<>+16(SB)/8, $0x3030303030303030
DATA k4aMask30<>+24(SB)/8, $0x3030303030303030
GLOBL k4aMask30<>(SB), RODATA|NOPTR, $32
DATA k4aMaskff<>+0(SB)/8, $0x000000ff000000ff
DATA k4aMaskff<>+8(SB)/8, $0x000000ff000000ff
DATA k4aMaskff<>+16(SB)/8, $0x000000ff000000ff
DATA k4aMaskff<>+24(SB)/8, $0x000000ff000000ff
GLOBL k4aMaskff<>(SB), RODATA|NOPTR, $32

// K4A_UNIT(QOFF, XLO, XHI): the nibble unit at QOFF(SI) against activation
// bytes XLO… (low nibbles, into Y1) and XHI… (high, into Y2), in int16.
#define K4A_UNIT(QOFF, XLO, XHI) \
	VPBROADCASTD XLO(DI), Y5; \
	VPBROADCASTD XHI(DI), Y6; \
	VMOVDQU QOFF(SI), Y3; \
	VPSRLW $4, Y3, Y4; \
	VPAND Y15, Y3, Y3; \
	VPAND Y15, Y4, Y4; \
	VPMADDUBSW Y5, Y3, Y3; \
	VPMADDUBSW Y6, Y4, Y4; \
	VPADDW Y3, Y1, Y1; \
	VPADDW Y4, Y2, Y2

// K45A_WEIGHSCALES(SC, SH0, SH1): widens Y1/Y2 and adds them weighed by scale
// bytes SH0/8 and SH1/8 of SC to Y11.
#define K45A_WEIGHSCALES(SC, SH0, SH1) \
	VPMADDWD Y14, Y1, Y1; \
	VPMADDWD Y14, Y2, Y2; \
	VPSRLD $(SH0), SC, Y3; \
	VPAND k4aMaskff<>(SB), Y3, Y3; \
	VPMULLD Y3, Y1, Y1; \
	VPADDD Y1, Y11, Y11; \
	VPSRLD $(SH1), SC, Y3; \
	VPAND k4aMaskff<>(SB), Y3, Y3; \
	VPMULLD Y3, Y2, Y2; \
	VPADDD Y2, Y11, Y11

// K45A_WEIGHMINS(M, SH0, SH1, XC0, XC1): Y12 += the mins of M times the
// sub-block sums at XC0, XC1(BX).
#define K45A_WEIGHMINS(M, SH0, SH1, XC0, XC1) \
	VPSRLD $(SH0), M, Y3; \
	VPAND k4aMaskff<>(SB), Y3, Y3; \
	VPBROADCASTD XC0(BX), Y4; \
	VPMULLD Y4, Y3, Y3; \
	VPADDD Y3, Y12, Y12; \
	VPSRLD $(SH1), M, Y3; \
	VPAND k4aMaskff<>(SB), Y3, Y3; \
	VPBROADCASTD XC1(BX), Y4; \
	VPMULLD Y4, Y3, Y3; \
	VPADDD Y3, Y12, Y12

// K4A_WEIGH(SC, M, SH0, SH1, XC0, XC1): widens Y1/Y2, adds them weighed by
// scale bytes SH0/8 and SH1/8 of SC to Y11, and the mins of M times the
// sub-block sums at XC0, XC1(BX) to Y12 (K45A_WEIGHSCALES and K45A_WEIGHMINS above).
#define K4A_WEIGH(SC, M, SH0, SH1, XC0, XC1) \
	K45A_WEIGHSCALES(SC, SH0, SH1); \
	K45A_WEIGHMINS(M, SH0, SH1, XC0, XC1)

// K4A_SCALES unpacks the super-block's scales and mins (Y7–Y10) and clears
// the integer totals (Y11, Y12).
#define K4A_SCALES \
	VMOVDQU 64(SI), Y3; \
	VMOVDQU 128(SI), Y4; \
	VMOVDQU 192(SI), Y13; \
	VPAND k4aMask3f<>(SB), Y3, Y7; \
	VPAND k4aMask3f<>(SB), Y4, Y8; \
	VPAND Y15, Y13, Y9; \
	VPSRLD $2, Y3, Y3; \
	VPAND k4aMask30<>(SB), Y3, Y3; \
	VPOR Y3, Y9, Y9; \
	VPSRLD $4, Y13, Y10; \
	VPAND Y15, Y10, Y10; \
	VPSRLD $2, Y4, Y4; \
	VPAND k4aMask30<>(SB), Y4, Y4; \
	VPOR Y4, Y10, Y10; \
	VPXOR Y11, Y11, Y11; \
	VPXOR Y12, Y12, Y12

// K4A_FINISH adds d·xd times the weighed sums and subtracts dmin·xd times
// the mins' terms (the half's d values at R9, dmin 32 bytes on).
#define K4A_FINISH \
	VBROADCASTSS (DX), Y4; \
	VCVTDQ2PS Y11, Y11; \
	VCVTPH2PS (R9), Y3; \
	VMULPS Y4, Y3, Y3; \
	VFMADD231PS Y3, Y11, Y0; \
	VCVTDQ2PS Y12, Y12; \
	VCVTPH2PS 32(R9), Y3; \
	VMULPS Y4, Y3, Y3; \
	VFNMADD231PS Y3, Y12, Y0

// func gemvQ4_Kx16AVX2(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)
TEXT ·gemvQ4_Kx16AVX2(SB), NOSPLIT, $0-136
	IL_PROLOGUE
	TESTQ R10, R10
	JZ    k4adone

k4agroup:
	MOVQ SI, R15
	XORQ AX, AX

k4ahalf:
	MOVQ AX, R9
	SHLQ $5, R9
	LEAQ (R15)(R9*1), SI
	MOVQ AX, R9
	SHLQ $4, R9
	ADDQ R15, R9
	MOVQ R12, DI
	MOVQ R13, DX
	MOVQ R14, BX
	MOVQ R11, CX
	VXORPS Y0, Y0, Y0
	TESTQ CX, CX
	JZ    k4astore

k4ablock:
	K4A_SCALES
	// Chunk 0: sub-blocks 0 and 1.
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	K4A_UNIT(256, 0, 32)
	K4A_UNIT(320, 4, 36)
	K4A_UNIT(384, 8, 40)
	K4A_UNIT(448, 12, 44)
	K4A_UNIT(512, 16, 48)
	K4A_UNIT(576, 20, 52)
	K4A_UNIT(640, 24, 56)
	K4A_UNIT(704, 28, 60)
	K4A_WEIGH(Y7, Y8, 0, 8, 0, 4)
	// Chunk 1: sub-blocks 2 and 3.
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	K4A_UNIT(768, 64, 96)
	K4A_UNIT(832, 68, 100)
	K4A_UNIT(896, 72, 104)
	K4A_UNIT(960, 76, 108)
	K4A_UNIT(1024, 80, 112)
	K4A_UNIT(1088, 84, 116)
	K4A_UNIT(1152, 88, 120)
	K4A_UNIT(1216, 92, 124)
	K4A_WEIGH(Y7, Y8, 16, 24, 8, 12)
	// Chunk 2: sub-blocks 4 and 5.
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	K4A_UNIT(1280, 128, 160)
	K4A_UNIT(1344, 132, 164)
	K4A_UNIT(1408, 136, 168)
	K4A_UNIT(1472, 140, 172)
	K4A_UNIT(1536, 144, 176)
	K4A_UNIT(1600, 148, 180)
	K4A_UNIT(1664, 152, 184)
	K4A_UNIT(1728, 156, 188)
	K4A_WEIGH(Y9, Y10, 0, 8, 16, 20)
	// Chunk 3: sub-blocks 6 and 7.
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	K4A_UNIT(1792, 192, 224)
	K4A_UNIT(1856, 196, 228)
	K4A_UNIT(1920, 200, 232)
	K4A_UNIT(1984, 204, 236)
	K4A_UNIT(2048, 208, 240)
	K4A_UNIT(2112, 212, 244)
	K4A_UNIT(2176, 216, 248)
	K4A_UNIT(2240, 220, 252)
	K4A_WEIGH(Y9, Y10, 16, 24, 24, 28)
	K4A_FINISH
	ADDQ $2304, SI
	ADDQ $2304, R9
	ADDQ $256, DI
	ADDQ $4, DX
	ADDQ $32, BX
	DECQ CX
	JNZ  k4ablock

k4astore:
	VMOVUPS Y0, (R8)
	ADDQ $32, R8
	INCQ AX
	CMPQ AX, $2
	JB   k4ahalf
	MOVQ R11, R9
	IMULQ $2304, R9
	LEAQ (R15)(R9*1), SI
	DECQ R10
	JNZ  k4agroup

k4adone:
	VZEROUPPER
	RET

// Q6_K: as Q4_K, the two eight-row halves one after the other (SI: the
// half's units, +32 bytes; R9: its d values, +16). Each quad of values is
// put together from a ql and a qh unit (shifts and masks; Y13 = 0x30 in
// every byte), multiplied in int16 pairs (at most 2·63·127) and widened at
// once into the four sub-blocks' sums (Y1–Y4), which start from −32·Σx of
// their sub-block; the sums are weighed by the rows' int8 scales (a byte of
// a scale unit sign-extended in place) into Y11.

DATA k6aMask30<>+0(SB)/8, $0x3030303030303030
DATA k6aMask30<>+8(SB)/8, $0x3030303030303030
DATA k6aMask30<>+16(SB)/8, $0x3030303030303030
DATA k6aMask30<>+24(SB)/8, $0x3030303030303030
GLOBL k6aMask30<>(SB), RODATA|NOPTR, $32

// K6A_VALUE(SRC, SHIFT, SH, X, ACC): Y8 = SRC's nibble in each byte (SRC
// already masked) with the two qh bits SHIFT SH of Y7 in bits 4–5, times
// the activation bytes at X, widened into ACC.
#define K6A_VALUE(SRC, SHIFT, SH, X, ACC) \
	SHIFT $(SH), Y7, Y9; \
	VPAND Y13, Y9, Y9; \
	VPOR Y9, SRC, Y8; \
	VPBROADCASTD X(DI), Y10; \
	VPMADDUBSW Y10, Y8, Y8; \
	VPMADDWD Y14, Y8, Y8; \
	VPADDD Y8, ACC, ACC

// K6A_QUAD(AOFF, BOFF, HOFF, X1, X2, X3, X4): four values of four
// sub-blocks (Y1–Y4) from the ql units at AOFF and BOFF and the qh unit at
// HOFF.
#define K6A_QUAD(AOFF, BOFF, HOFF, X1, X2, X3, X4) \
	VMOVDQU AOFF(SI), Y5; \
	VMOVDQU BOFF(SI), Y6; \
	VMOVDQU HOFF(SI), Y7; \
	VPAND Y15, Y5, Y12; \
	K6A_VALUE(Y12, VPSLLD, 4, X1, Y1); \
	VPAND Y15, Y6, Y12; \
	K6A_VALUE(Y12, VPSLLD, 2, X2, Y2); \
	VPSRLW $4, Y5, Y12; \
	VPAND Y15, Y12, Y12; \
	K6A_VALUE(Y12, VPSRLD, 0, X3, Y3); \
	VPSRLW $4, Y6, Y12; \
	VPAND Y15, Y12, Y12; \
	K6A_VALUE(Y12, VPSRLD, 2, X4, Y4)

// K6A_WEIGH(ACC, SOFF, SH): Y11 += ACC times the scale byte that a left
// shift by SH brings to the top of each lane of the scale unit at SOFF(SI).
#define K6A_WEIGH(ACC, SOFF, SH) \
	VMOVDQU SOFF(SI), Y9; \
	VPSLLD $(SH), Y9, Y9; \
	VPSRAD $24, Y9, Y9; \
	VPMULLD Y9, ACC, ACC; \
	VPADDD ACC, Y11, Y11

// func gemvQ6_Kx16AVX2(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)
TEXT ·gemvQ6_Kx16AVX2(SB), NOSPLIT, $0-136
	IL_PROLOGUE
	VMOVDQU k6aMask30<>(SB), Y13
	TESTQ R10, R10
	JZ    k6adone

k6agroup:
	MOVQ SI, R15
	XORQ AX, AX

k6ahalf:
	MOVQ AX, R9
	SHLQ $5, R9
	LEAQ (R15)(R9*1), SI
	MOVQ AX, R9
	SHLQ $4, R9
	ADDQ R15, R9
	MOVQ R12, DI
	MOVQ R13, DX
	MOVQ R14, BX
	MOVQ R11, CX
	VXORPS Y0, Y0, Y0
	TESTQ CX, CX
	JZ    k6astore

k6ablock:
	VPXOR Y11, Y11, Y11
	// Half 0 of the super-block, values 0…15 of each 32: sub-blocks 0, 2, 4, 6.
	VPBROADCASTD 0(BX), Y1
	VPBROADCASTD 8(BX), Y2
	VPBROADCASTD 16(BX), Y3
	VPBROADCASTD 24(BX), Y4
	K6A_QUAD(288, 800, 2336, 0, 32, 64, 96)
	K6A_QUAD(352, 864, 2400, 4, 36, 68, 100)
	K6A_QUAD(416, 928, 2464, 8, 40, 72, 104)
	K6A_QUAD(480, 992, 2528, 12, 44, 76, 108)
	K6A_WEIGH(Y1, 32, 24)
	K6A_WEIGH(Y2, 32, 8)
	K6A_WEIGH(Y3, 96, 24)
	K6A_WEIGH(Y4, 96, 8)
	// Half 0 of the super-block, values 16…31 of each 32: sub-blocks 1, 3, 5, 7.
	VPBROADCASTD 4(BX), Y1
	VPBROADCASTD 12(BX), Y2
	VPBROADCASTD 20(BX), Y3
	VPBROADCASTD 28(BX), Y4
	K6A_QUAD(544, 1056, 2592, 16, 48, 80, 112)
	K6A_QUAD(608, 1120, 2656, 20, 52, 84, 116)
	K6A_QUAD(672, 1184, 2720, 24, 56, 88, 120)
	K6A_QUAD(736, 1248, 2784, 28, 60, 92, 124)
	K6A_WEIGH(Y1, 32, 16)
	K6A_WEIGH(Y2, 32, 0)
	K6A_WEIGH(Y3, 96, 16)
	K6A_WEIGH(Y4, 96, 0)
	// Half 1 of the super-block, values 0…15 of each 32: sub-blocks 8, 10, 12, 14.
	VPBROADCASTD 32(BX), Y1
	VPBROADCASTD 40(BX), Y2
	VPBROADCASTD 48(BX), Y3
	VPBROADCASTD 56(BX), Y4
	K6A_QUAD(1312, 1824, 2848, 128, 160, 192, 224)
	K6A_QUAD(1376, 1888, 2912, 132, 164, 196, 228)
	K6A_QUAD(1440, 1952, 2976, 136, 168, 200, 232)
	K6A_QUAD(1504, 2016, 3040, 140, 172, 204, 236)
	K6A_WEIGH(Y1, 160, 24)
	K6A_WEIGH(Y2, 160, 8)
	K6A_WEIGH(Y3, 224, 24)
	K6A_WEIGH(Y4, 224, 8)
	// Half 1 of the super-block, values 16…31 of each 32: sub-blocks 9, 11, 13, 15.
	VPBROADCASTD 36(BX), Y1
	VPBROADCASTD 44(BX), Y2
	VPBROADCASTD 52(BX), Y3
	VPBROADCASTD 60(BX), Y4
	K6A_QUAD(1568, 2080, 3104, 144, 176, 208, 240)
	K6A_QUAD(1632, 2144, 3168, 148, 180, 212, 244)
	K6A_QUAD(1696, 2208, 3232, 152, 184, 216, 248)
	K6A_QUAD(1760, 2272, 3296, 156, 188, 220, 252)
	K6A_WEIGH(Y1, 160, 16)
	K6A_WEIGH(Y2, 160, 0)
	K6A_WEIGH(Y3, 224, 16)
	K6A_WEIGH(Y4, 224, 0)
	VBROADCASTSS (DX), Y4
	VCVTDQ2PS Y11, Y11
	VCVTPH2PS (R9), Y3
	VMULPS Y4, Y3, Y3
	VFMADD231PS Y3, Y11, Y0
	ADDQ $3360, SI
	ADDQ $3360, R9
	ADDQ $256, DI
	ADDQ $4, DX
	ADDQ $64, BX
	DECQ CX
	JNZ  k6ablock

k6astore:
	VMOVUPS Y0, (R8)
	ADDQ $32, R8
	INCQ AX
	CMPQ AX, $2
	JB   k6ahalf
	MOVQ R11, R9
	IMULQ $3360, R9
	LEAQ (R15)(R9*1), SI
	DECQ R10
	JNZ  k6agroup

k6adone:
	VZEROUPPER
	RET

// Q5_K: Q4_K's AVX2 kernel (same registers and scale unpacking) with the
// fifth bits: each nibble unit takes the qh unit of its bytes (Y13, free
// once the scales are unpacked), shifted so that the chunk's bit lands on
// bit 4. Values up to 31 leave int16 room for four units, so each chunk is
// weighed in two halves of four.

DATA k5aMask10<>+0(SB)/8, $0x1010101010101010
DATA k5aMask10<>+8(SB)/8, $0x1010101010101010
DATA k5aMask10<>+16(SB)/8, $0x1010101010101010
DATA k5aMask10<>+24(SB)/8, $0x1010101010101010
GLOBL k5aMask10<>(SB), RODATA|NOPTR, $32

// K5A_UNIT(QOFF, HOFF, XLO, XHI, LOSHIFT, LO, HISHIFT, HI): K4A_UNIT with the
// fifth bits of the qh unit at HOFF(SI), shifted by LO (low nibbles) and HI
// (high) with the given shift instructions.
#define K5A_UNIT(QOFF, HOFF, XLO, XHI, LOSHIFT, LO, HISHIFT, HI) \
	VMOVDQU QOFF(SI), Y3; \
	VMOVDQU HOFF(SI), Y13; \
	VPSRLW $4, Y3, Y4; \
	VPAND Y15, Y3, Y3; \
	VPAND Y15, Y4, Y4; \
	LOSHIFT $(LO), Y13, Y5; \
	VPAND k5aMask10<>(SB), Y5, Y5; \
	VPOR Y5, Y3, Y3; \
	HISHIFT $(HI), Y13, Y5; \
	VPAND k5aMask10<>(SB), Y5, Y5; \
	VPOR Y5, Y4, Y4; \
	VPBROADCASTD XLO(DI), Y5; \
	VPBROADCASTD XHI(DI), Y6; \
	VPMADDUBSW Y5, Y3, Y3; \
	VPMADDUBSW Y6, Y4, Y4; \
	VPADDW Y3, Y1, Y1; \
	VPADDW Y4, Y2, Y2

// func gemvQ5_Kx16AVX2(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)
TEXT ·gemvQ5_Kx16AVX2(SB), NOSPLIT, $0-136
	IL_PROLOGUE
	TESTQ R10, R10
	JZ    k5adone

k5agroup:
	MOVQ SI, R15
	XORQ AX, AX

k5ahalf:
	MOVQ AX, R9
	SHLQ $5, R9
	LEAQ (R15)(R9*1), SI
	MOVQ AX, R9
	SHLQ $4, R9
	ADDQ R15, R9
	MOVQ R12, DI
	MOVQ R13, DX
	MOVQ R14, BX
	MOVQ R11, CX
	VXORPS Y0, Y0, Y0
	TESTQ CX, CX
	JZ    k5astore

k5ablock:
	K4A_SCALES
	// Chunk 0: sub-blocks 0 and 1, four units at a time (int16 room).
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	K5A_UNIT(768, 256, 0, 32, VPSLLD, 4, VPSLLD, 3)
	K5A_UNIT(832, 320, 4, 36, VPSLLD, 4, VPSLLD, 3)
	K5A_UNIT(896, 384, 8, 40, VPSLLD, 4, VPSLLD, 3)
	K5A_UNIT(960, 448, 12, 44, VPSLLD, 4, VPSLLD, 3)
	K45A_WEIGHSCALES(Y7, 0, 8)
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	K5A_UNIT(1024, 512, 16, 48, VPSLLD, 4, VPSLLD, 3)
	K5A_UNIT(1088, 576, 20, 52, VPSLLD, 4, VPSLLD, 3)
	K5A_UNIT(1152, 640, 24, 56, VPSLLD, 4, VPSLLD, 3)
	K5A_UNIT(1216, 704, 28, 60, VPSLLD, 4, VPSLLD, 3)
	K45A_WEIGHSCALES(Y7, 0, 8)
	K45A_WEIGHMINS(Y8, 0, 8, 0, 4)
	// Chunk 1: sub-blocks 2 and 3, four units at a time (int16 room).
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	K5A_UNIT(1280, 256, 64, 96, VPSLLD, 2, VPSLLD, 1)
	K5A_UNIT(1344, 320, 68, 100, VPSLLD, 2, VPSLLD, 1)
	K5A_UNIT(1408, 384, 72, 104, VPSLLD, 2, VPSLLD, 1)
	K5A_UNIT(1472, 448, 76, 108, VPSLLD, 2, VPSLLD, 1)
	K45A_WEIGHSCALES(Y7, 16, 24)
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	K5A_UNIT(1536, 512, 80, 112, VPSLLD, 2, VPSLLD, 1)
	K5A_UNIT(1600, 576, 84, 116, VPSLLD, 2, VPSLLD, 1)
	K5A_UNIT(1664, 640, 88, 120, VPSLLD, 2, VPSLLD, 1)
	K5A_UNIT(1728, 704, 92, 124, VPSLLD, 2, VPSLLD, 1)
	K45A_WEIGHSCALES(Y7, 16, 24)
	K45A_WEIGHMINS(Y8, 16, 24, 8, 12)
	// Chunk 2: sub-blocks 4 and 5, four units at a time (int16 room).
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	K5A_UNIT(1792, 256, 128, 160, VPSLLD, 0, VPSRLD, 1)
	K5A_UNIT(1856, 320, 132, 164, VPSLLD, 0, VPSRLD, 1)
	K5A_UNIT(1920, 384, 136, 168, VPSLLD, 0, VPSRLD, 1)
	K5A_UNIT(1984, 448, 140, 172, VPSLLD, 0, VPSRLD, 1)
	K45A_WEIGHSCALES(Y9, 0, 8)
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	K5A_UNIT(2048, 512, 144, 176, VPSLLD, 0, VPSRLD, 1)
	K5A_UNIT(2112, 576, 148, 180, VPSLLD, 0, VPSRLD, 1)
	K5A_UNIT(2176, 640, 152, 184, VPSLLD, 0, VPSRLD, 1)
	K5A_UNIT(2240, 704, 156, 188, VPSLLD, 0, VPSRLD, 1)
	K45A_WEIGHSCALES(Y9, 0, 8)
	K45A_WEIGHMINS(Y10, 0, 8, 16, 20)
	// Chunk 3: sub-blocks 6 and 7, four units at a time (int16 room).
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	K5A_UNIT(2304, 256, 192, 224, VPSRLD, 2, VPSRLD, 3)
	K5A_UNIT(2368, 320, 196, 228, VPSRLD, 2, VPSRLD, 3)
	K5A_UNIT(2432, 384, 200, 232, VPSRLD, 2, VPSRLD, 3)
	K5A_UNIT(2496, 448, 204, 236, VPSRLD, 2, VPSRLD, 3)
	K45A_WEIGHSCALES(Y9, 16, 24)
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	K5A_UNIT(2560, 512, 208, 240, VPSRLD, 2, VPSRLD, 3)
	K5A_UNIT(2624, 576, 212, 244, VPSRLD, 2, VPSRLD, 3)
	K5A_UNIT(2688, 640, 216, 248, VPSRLD, 2, VPSRLD, 3)
	K5A_UNIT(2752, 704, 220, 252, VPSRLD, 2, VPSRLD, 3)
	K45A_WEIGHSCALES(Y9, 16, 24)
	K45A_WEIGHMINS(Y10, 16, 24, 24, 28)
	K4A_FINISH
	ADDQ $2816, SI
	ADDQ $2816, R9
	ADDQ $256, DI
	ADDQ $4, DX
	ADDQ $32, BX
	DECQ CX
	JNZ  k5ablock

k5astore:
	VMOVUPS Y0, (R8)
	ADDQ $32, R8
	INCQ AX
	CMPQ AX, $2
	JB   k5ahalf
	MOVQ R11, R9
	IMULQ $2816, R9
	LEAQ (R15)(R9*1), SI
	DECQ R10
	JNZ  k5agroup

k5adone:
	VZEROUPPER
	RET
