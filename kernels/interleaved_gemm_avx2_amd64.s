//go:build !noasm

#include "textflag.h"
#include "interleaved_amd64.h"

// The batched interleaved products (interleaved_gemm.go) on AVX2, four
// tokens per tile: a group's sixteen rows are two registers of eight lanes
// (A: rows 0–7, the first 32 bytes of every 64-byte unit; B: rows 8–15),
// as in the single-token AVX2 kernels (interleaved_avx2_amd64.s), whose
// integer steps (VPMADDUBSW, VPMADDWD against ones) and float steps per
// block each token follows, so its result is bit-identical to them. A unit
// of weights is loaded and unpacked once and meets the four tokens'
// broadcast activation bytes. Each token has its integer sums in two
// registers (Y0–Y7: token t in Y2t for A, Y2t+1 for B); its float sums,
// which no register is left for, stay in the output rows, zeroed when a
// group starts and updated once per block.

// The frame (GA_ARGS): SI walks the weights, DI the tile's activations,
// DX their scales, BX their bias terms, CX counts a group's blocks, R10 the
// groups; R8 is the group's output of token 0, R9 the tokens' output stride
// in bytes and AX the output of token 2.
#define GA_ARGS \
	IL_ARGS; \
	MOVQ ldo+136(FP), R9; \
	SHLQ $2, R9

// GA_GROUP(EMPTY) starts a group: activations from the first block, the
// four tokens' float sums zeroed; with no blocks, on to EMPTY.
#define GA_GROUP(EMPTY) \
	MOVQ R12, DI; \
	MOVQ R13, DX; \
	MOVQ R14, BX; \
	MOVQ R11, CX; \
	LEAQ (R8)(R9*2), AX; \
	VXORPS Y10, Y10, Y10; \
	VMOVUPS Y10, (R8); \
	VMOVUPS Y10, 32(R8); \
	VMOVUPS Y10, (R8)(R9*1); \
	VMOVUPS Y10, 32(R8)(R9*1); \
	VMOVUPS Y10, (AX); \
	VMOVUPS Y10, 32(AX); \
	VMOVUPS Y10, (AX)(R9*1); \
	VMOVUPS Y10, 32(AX)(R9*1); \
	TESTQ CX, CX; \
	JZ    EMPTY

// GA_BLOCK_NEXT(WB, XB, DB, CB, LOOP) moves the weights, activations,
// scales and terms on by a block and loops while blocks are left.
#define GA_BLOCK_NEXT(WB, XB, DB, CB, LOOP) \
	ADDQ $(WB), SI; \
	ADDQ $(XB), DI; \
	ADDQ $(DB), DX; \
	ADDQ $(CB), BX; \
	DECQ CX; \
	JNZ  LOOP

// GA_NEXT(NEXT) moves on to the next group while groups are left.
#define GA_NEXT(NEXT) \
	ADDQ $64, R8; \
	DECQ R10; \
	JNZ  NEXT

// GA_CLEAR clears the tokens' integer sums.
#define GA_CLEAR \
	VPXOR Y0, Y0, Y0 \
	VPXOR Y1, Y1, Y1 \
	VPXOR Y2, Y2, Y2 \
	VPXOR Y3, Y3, Y3 \
	VPXOR Y4, Y4, Y4 \
	VPXOR Y5, Y5, Y5 \
	VPXOR Y6, Y6, Y6 \
	VPXOR Y7, Y7, Y7

// GA_SCALE1(A, B, XD, OUTA, OUTB): the token's sums A and B (int32) times
// the rows' scales (Y8/Y9) times its activation scale at XD, added to its
// float sums at OUTA and OUTB, as IL_BLOCK_END does. Clobbers Y10–Y14.
#define GA_SCALE1(A, B, XD, OUTA, OUTB) \
	VCVTDQ2PS A, A; \
	VCVTDQ2PS B, B; \
	VBROADCASTSS XD, Y12; \
	VMULPS Y12, Y8, Y13; \
	VMULPS Y12, Y9, Y14; \
	VMOVUPS OUTA, Y10; \
	VFMADD231PS Y13, A, Y10; \
	VMOVUPS Y10, OUTA; \
	VMOVUPS OUTB, Y11; \
	VFMADD231PS Y14, B, Y11; \
	VMOVUPS Y11, OUTB

// GA_SCALE ends a block: the rows' f16 scales at (SI), then every token.
#define GA_SCALE \
	VCVTPH2PS (SI), Y8; \
	VCVTPH2PS 16(SI), Y9; \
	GA_SCALE1(Y0, Y1, 0(DX), (R8), 32(R8)); \
	GA_SCALE1(Y2, Y3, 4(DX), (R8)(R9*1), 32(R8)(R9*1)); \
	GA_SCALE1(Y4, Y5, 8(DX), (AX), 32(AX)); \
	GA_SCALE1(Y6, Y7, 12(DX), (AX)(R9*1), 32(AX)(R9*1))

// GA_CONST(C) sets Y15 to the dword C in every lane.
#define GA_CONST(C) \
	MOVL $(C), AX; \
	MOVQ AX, X15; \
	VPBROADCASTD X15, Y15

// Q8_0: per unit, each half's quants are made signed again (XOR 0x80; Y8
// and Y9) with their magnitudes beside them (Y10, Y11), and meet each
// token's activation bytes (Y12) by the sign trick, widened at once into
// its sums. Y15 = 0x80 bytes, Y14 = int16 ones, Y13 a temporary.

// GA8_HALF(W, ABS, S): one half of a unit against the token's bytes in Y12.
#define GA8_HALF(W, ABS, S) \
	VPSIGNB W, Y12, Y13; \
	VPMADDUBSW Y13, ABS, Y13; \
	VPMADDWD Y14, Y13, Y13; \
	VPADDD Y13, S, S

// GA8_TOKEN(X, A, B): the unit against the token's activation bytes X…X+3.
#define GA8_TOKEN(X, A, B) \
	VPBROADCASTD X(DI), Y12; \
	GA8_HALF(Y8, Y10, A); \
	GA8_HALF(Y9, Y11, B)

// GA8_UNIT(K): unit K of a Q8_0 block against the four tokens (32 bytes
// apart in the tile).
#define GA8_UNIT(K) \
	PREFETCHT0 (1088+(K)*64)(SI); \
	VPXOR (32+(K)*64)(SI), Y15, Y8; \
	VPABSB Y8, Y10; \
	VPXOR (64+(K)*64)(SI), Y15, Y9; \
	VPABSB Y9, Y11; \
	GA8_TOKEN((K)*4, Y0, Y1); \
	GA8_TOKEN(32+(K)*4, Y2, Y3); \
	GA8_TOKEN(64+(K)*4, Y4, Y5); \
	GA8_TOKEN(96+(K)*4, Y6, Y7)

// GA_ONES sets Y14 to int16 ones.
#define GA_ONES \
	VPCMPEQW Y14, Y14, Y14; \
	VPSRLW $15, Y14, Y14

// func gemmQ8_0x16x4AVX2(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32, ldo int)
TEXT ·gemmQ8_0x16x4AVX2(SB), NOSPLIT, $0-144
	GA_ARGS
	GA_CONST(0x80808080)
	TESTQ R10, R10
	JZ    ga8done

ga8group:
	GA_GROUP(ga8store)

ga8block:
	GA_CLEAR
	GA_ONES
	GA8_UNIT(0)
	GA8_UNIT(1)
	GA8_UNIT(2)
	GA8_UNIT(3)
	GA8_UNIT(4)
	GA8_UNIT(5)
	GA8_UNIT(6)
	GA8_UNIT(7)
	PREFETCHT0 1600(SI)
	GA_SCALE
	GA_BLOCK_NEXT(544, 128, 16, 0, ga8block)

ga8store:
	GA_NEXT(ga8group)

ga8done:
	VZEROUPPER
	RET

// Q4_0: per unit, each half's low and high nibbles (Y8/Y9 for A, Y10/Y11
// for B) meet each token's activation bytes 4K… (Y12) and 16+4K… (Y13) in
// int16 pair sums, a whole block summed in int16 (8 products of at most
// 2·15·127 a lane) and widened at the end with the bias term added. Y15 =
// 0x0f bytes, Y14 a temporary.

// GA4_TOKEN(X, A, B): the unit against the token's activation bytes X…X+3
// and X+16…X+19.
#define GA4_TOKEN(X, A, B) \
	VPBROADCASTD X(DI), Y12; \
	VPBROADCASTD (X+16)(DI), Y13; \
	VPMADDUBSW Y12, Y8, Y14; \
	VPADDW Y14, A, A; \
	VPMADDUBSW Y13, Y9, Y14; \
	VPADDW Y14, A, A; \
	VPMADDUBSW Y12, Y10, Y14; \
	VPADDW Y14, B, B; \
	VPMADDUBSW Y13, Y11, Y14; \
	VPADDW Y14, B, B

// GA_NIBBLES(WOFF, LO, HI): the low and high nibbles of the 32 bytes at
// WOFF(SI).
#define GA_NIBBLES(WOFF, LO, HI) \
	VMOVDQU WOFF(SI), LO; \
	VPSRLW $4, LO, HI; \
	VPAND Y15, LO, LO; \
	VPAND Y15, HI, HI

#define GA4_UNIT(K) \
	GA_NIBBLES(32+(K)*64, Y8, Y9); \
	GA_NIBBLES(64+(K)*64, Y10, Y11); \
	GA4_TOKEN((K)*4, Y0, Y1); \
	GA4_TOKEN(32+(K)*4, Y2, Y3); \
	GA4_TOKEN(64+(K)*4, Y4, Y5); \
	GA4_TOKEN(96+(K)*4, Y6, Y7)

// GA_WIDEN1(A, B, XC): the token's int16 sums widened, plus its bias term
// at XC (Y14 = int16 ones).
#define GA_WIDEN1(A, B, XC) \
	VPMADDWD Y14, A, A; \
	VPMADDWD Y14, B, B; \
	VPBROADCASTD XC, Y12; \
	VPADDD Y12, A, A; \
	VPADDD Y12, B, B

#define GA_WIDEN \
	GA_ONES; \
	GA_WIDEN1(Y0, Y1, 0(BX)); \
	GA_WIDEN1(Y2, Y3, 4(BX)); \
	GA_WIDEN1(Y4, Y5, 8(BX)); \
	GA_WIDEN1(Y6, Y7, 12(BX))

// func gemmQ4_0x16x4AVX2(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32, ldo int)
TEXT ·gemmQ4_0x16x4AVX2(SB), NOSPLIT, $0-144
	GA_ARGS
	GA_CONST(0x0f0f0f0f)
	TESTQ R10, R10
	JZ    ga4done

ga4group:
	GA_GROUP(ga4store)

ga4block:
	GA_CLEAR
	GA4_UNIT(0)
	GA4_UNIT(1)
	GA4_UNIT(2)
	GA4_UNIT(3)
	GA_WIDEN
	GA_SCALE
	GA_BLOCK_NEXT(288, 128, 16, 16, ga4block)

ga4store:
	GA_NEXT(ga4group)

ga4done:
	VZEROUPPER
	RET

// Q4_K, two tokens per tile, the single-token AVX2 kernel's steps
// (gemvQ4_Kx16AVX2, whose VPSHUFB masks ·k4avx2 are shared) run for each
// half of the rows in turn (A, then B, from the group's first super-block
// again), so that a token's chunk sums fit the registers: per token the
// int16 sums of a chunk's two sub-blocks (token 0: Y0/Y1, token 1: Y2/Y3),
// the integer totals of scales (Y4/Y5) and of mins (Y6/Y7). Each unit's
// nibbles (Y8/Y9) meet both tokens' broadcast activations (Y10/Y11); the
// sub-blocks' scales and mins (Y13/Y14) are shuffled once for both tokens.
// Y15 = 0x0f bytes; Y12 a temporary. Tokens are 256 bytes of activations
// and 32 bytes of terms apart in the tile.

// GK4A_TOKEN(X, LO, HI): the unit's nibbles against a token's activation
// bytes X…X+3 (low) and X+32… (high).
#define GK4A_TOKEN(X, LO, HI) \
	VPBROADCASTD X(DI), Y10; \
	VPBROADCASTD (X+32)(DI), Y11; \
	VPMADDUBSW Y10, Y8, Y12; \
	VPADDW Y12, LO, LO; \
	VPMADDUBSW Y11, Y9, Y12; \
	VPADDW Y12, HI, HI

// GK4A_UNIT(QOFF, X): the half's 32 bytes of the unit at QOFF(SI) against
// both tokens.
#define GK4A_UNIT(QOFF, X) \
	GA_NIBBLES(QOFF, Y8, Y9); \
	GK4A_TOKEN(X, Y0, Y1); \
	GK4A_TOKEN((X)+256, Y2, Y3)

// GK4A_CHUNK(Q, X): the eight units of a 64-value chunk (the half's bytes
// from Q(SI); activations from X(DI)) into fresh int16 sums.
#define GK4A_CHUNK(Q, X) \
	VPXOR Y0, Y0, Y0; \
	VPXOR Y1, Y1, Y1; \
	VPXOR Y2, Y2, Y2; \
	VPXOR Y3, Y3, Y3; \
	GK4A_UNIT((Q)+0, (X)+0) \
	GK4A_UNIT((Q)+64, (X)+4) \
	GK4A_UNIT((Q)+128, (X)+8) \
	GK4A_UNIT((Q)+192, (X)+12) \
	GK4A_UNIT((Q)+256, (X)+16) \
	GK4A_UNIT((Q)+320, (X)+20) \
	GK4A_UNIT((Q)+384, (X)+24) \
	GK4A_UNIT((Q)+448, (X)+28)

// GK4A_WEIGH1(LO, HI, SQ, SM, XC0, XC1): a token's totals: SQ += its sums
// LO and HI times the shuffled scales (Y8/Y9), SM += the shuffled mins
// (Y10/Y11) times its sub-block sums at XC0 and XC1(BX).
#define GK4A_WEIGH1(LO, HI, SQ, SM, XC0, XC1) \
	VPMADDWD Y8, LO, LO; \
	VPMADDWD Y9, HI, HI; \
	VPADDD LO, SQ, SQ; \
	VPADDD HI, SQ, SQ; \
	VPBROADCASTD XC0(BX), Y12; \
	VPMADDWD Y12, Y10, Y12; \
	VPADDD Y12, SM, SM; \
	VPBROADCASTD XC1(BX), Y12; \
	VPMADDWD Y12, Y11, Y12; \
	VPADDD Y12, SM, SM

// GK4A_WEIGH(K0, K1, MK0, MK1, XC0, XC1): the chunk's scale bytes (masks
// K0, K1 of ·k4avx2 on Y13) and min bytes (MK0, MK1 on Y14) for both
// tokens.
#define GK4A_WEIGH(K0, K1, MK0, MK1, XC0, XC1) \
	VPSHUFB ·k4avx2+K0(SB), Y13, Y8; \
	VPSHUFB ·k4avx2+K1(SB), Y13, Y9; \
	VPSHUFB ·k4avx2+MK0(SB), Y14, Y10; \
	VPSHUFB ·k4avx2+MK1(SB), Y14, Y11; \
	GK4A_WEIGH1(Y0, Y1, Y4, Y6, XC0, XC1); \
	GK4A_WEIGH1(Y2, Y3, Y5, Y7, (XC0)+32, (XC1)+32)

// GK4A_LOWSC(H) and GK4A_HIGHSC(H): the half's scales (Y13) and mins (Y14)
// of sub-blocks 0–3 and 4–7, as K4A_LOWSC and K4A_HIGHSC unpack them.
#define GK4A_LOWSC(H) \
	VMOVDQU (64+H)(SI), Y13; \
	VPAND ·k4avx2+256(SB), Y13, Y13; \
	VMOVDQU (128+H)(SI), Y14; \
	VPAND ·k4avx2+256(SB), Y14, Y14

#define GK4A_HIGHSC(H) \
	K4_AVX2_HIGHSC(H, Y13, Y14, Y8, Y9)

// GK4A_FINISH1(SQ, SM, XD, OUT, DOFF, MOFF): the token's float sums at OUT
// += float(SQ)·d·xd, then −= float(SM)·dmin·xd, as K4A_FINISH does (the
// half's d at DOFF(SI), dmin at MOFF(SI), xd at XD).
#define GK4A_FINISH1(SQ, SM, XD, OUT, DOFF, MOFF) \
	VBROADCASTSS XD, Y10; \
	VMOVUPS OUT, Y9; \
	VCVTDQ2PS SQ, SQ; \
	VCVTPH2PS DOFF(SI), Y8; \
	VMULPS Y10, Y8, Y8; \
	VFMADD231PS Y8, SQ, Y9; \
	VCVTDQ2PS SM, SM; \
	VCVTPH2PS MOFF(SI), Y8; \
	VMULPS Y10, Y8, Y8; \
	VFNMADD231PS Y8, SM, Y9; \
	VMOVUPS Y9, OUT

// GK4A_PASS(H, LOOP): the group's super-blocks for half H (0: rows 0–7,
// 32: rows 8–15) from the group's first (AX).
#define GK4A_PASS(H, LOOP) \
	MOVQ AX, SI; \
	MOVQ R12, DI; \
	MOVQ R13, DX; \
	MOVQ R14, BX; \
	MOVQ R11, CX; \
LOOP: \
	PREFETCHT0 2304(SI); \
	PREFETCHT0 2368(SI); \
	PREFETCHT0 2432(SI); \
	PREFETCHT0 2496(SI); \
	VPXOR Y4, Y4, Y4; \
	VPXOR Y5, Y5, Y5; \
	VPXOR Y6, Y6, Y6; \
	VPXOR Y7, Y7, Y7; \
	GK4A_CHUNK(256+H, 0); \
	GK4A_LOWSC(H); \
	GK4A_WEIGH(0, 32, 128, 160, 0, 4); \
	GK4A_CHUNK(768+H, 64); \
	GK4A_WEIGH(64, 96, 192, 224, 8, 12); \
	GK4A_CHUNK(1280+H, 128); \
	GK4A_HIGHSC(H); \
	GK4A_WEIGH(0, 32, 128, 160, 16, 20); \
	GK4A_CHUNK(1792+H, 192); \
	GK4A_WEIGH(64, 96, 192, 224, 24, 28); \
	GK4A_FINISH1(Y4, Y6, 0(DX), H(R8), H/2, 32+H/2); \
	GK4A_FINISH1(Y5, Y7, 4(DX), H(R8)(R9*1), H/2, 32+H/2); \
	GA_BLOCK_NEXT(2304, 512, 8, 64, LOOP)

// func gemmQ4_Kx16x2AVX2(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32, ldo int)
TEXT ·gemmQ4_Kx16x2AVX2(SB), NOSPLIT, $0-144
	GA_ARGS
	GA_CONST(0x0f0f0f0f)
	TESTQ R10, R10
	JZ    gk4done

gk4group:
	VXORPS Y10, Y10, Y10
	VMOVUPS Y10, (R8)
	VMOVUPS Y10, 32(R8)
	VMOVUPS Y10, (R8)(R9*1)
	VMOVUPS Y10, 32(R8)(R9*1)
	MOVQ SI, AX
	TESTQ R11, R11
	JZ    gk4store
	GK4A_PASS(0, gk4a)
	GK4A_PASS(32, gk4b)

gk4store:
	GA_NEXT(gk4group)

gk4done:
	VZEROUPPER
	RET

// Q5_0, four tokens per tile, gemvQ5_0x16AVX2's steps for each half of the
// rows in turn (A, then B, from the group's first block again), so that the
// four tokens' sums fit the registers: int16 sums over two units (Y0–Y3,
// token t in Yt), widened into int32 sums started from the bias terms
// (Y4–Y7). Per unit the half's five-bit values, low (Y8) and high (Y9),
// are made once from its nibbles and the rows' fifth bits (Y10) and meet
// the four tokens' broadcast activations (Y12/Y13). Y15 = 0x0f bytes,
// Y14 = 0x10 bytes, Y11 a temporary.

// GQ5A_TOKEN(X, S): the unit's values against a token's activation bytes
// X…X+3 (low) and X+16… (high) into its int16 sums S.
#define GQ5A_TOKEN(X, S) \
	VPBROADCASTD X(DI), Y12; \
	VPBROADCASTD (X+16)(DI), Y13; \
	VPMADDUBSW Y12, Y8, Y11; \
	VPADDW Y11, S, S; \
	VPMADDUBSW Y13, Y9, Y11; \
	VPADDW Y11, S, S

// GQ5A_UNIT(K, H): the half's 32 bytes of unit K with their fifth bits
// against the four tokens.
#define GQ5A_UNIT(K, H) \
	GA_NIBBLES(96+(K)*64+(H), Y8, Y9); \
	VPSLLD $(4-(K)), Y10, Y11; \
	VPAND Y14, Y11, Y11; \
	VPOR Y11, Y8, Y8; \
	VPSRLD $(K), Y10, Y11; \
	VPAND Y14, Y11, Y11; \
	VPOR Y11, Y9, Y9; \
	GQ5A_TOKEN((K)*4, Y0); \
	GQ5A_TOKEN(32+(K)*4, Y1); \
	GQ5A_TOKEN(64+(K)*4, Y2); \
	GQ5A_TOKEN(96+(K)*4, Y3)

// GQ5A_WIDEN adds the int16 sums to the int32 ones and clears them.
#define GQ5A_WIDEN \
	VPCMPEQW Y11, Y11, Y11; \
	VPSRLW $15, Y11, Y11; \
	VPMADDWD Y11, Y0, Y0; \
	VPADDD Y0, Y4, Y4; \
	VPXOR Y0, Y0, Y0 \
	VPMADDWD Y11, Y1, Y1; \
	VPADDD Y1, Y5, Y5; \
	VPXOR Y1, Y1, Y1 \
	VPMADDWD Y11, Y2, Y2; \
	VPADDD Y2, Y6, Y6; \
	VPXOR Y2, Y2, Y2 \
	VPMADDWD Y11, Y3, Y3; \
	VPADDD Y3, Y7, Y7; \
	VPXOR Y3, Y3, Y3

// GQ5A_FINISH1(S, XD, OUT, H): the token's float sums at OUT += float(S)
// times the half's row scales at H/2(SI) times its activation scale at XD,
// as IL_BLOCK_END does.
#define GQ5A_FINISH1(S, XD, OUT, H) \
	VCVTDQ2PS S, S; \
	VCVTPH2PS (H/2)(SI), Y8; \
	VBROADCASTSS XD, Y12; \
	VMULPS Y12, Y8, Y13; \
	VMOVUPS OUT, Y9; \
	VFMADD231PS Y13, S, Y9; \
	VMOVUPS Y9, OUT

// GQ5A_PASS(H, LOOP): the group's blocks for half H (0: rows 0–7, 32: rows
// 8–15), from the block at SI.
#define GQ5A_PASS(H, LOOP) \
LOOP: \
	VMOVDQU (32+H)(SI), Y10; \
	VPBROADCASTD 0(BX), Y4; \
	VPXOR Y0, Y0, Y0 \
	VPBROADCASTD 4(BX), Y5; \
	VPXOR Y1, Y1, Y1 \
	VPBROADCASTD 8(BX), Y6; \
	VPXOR Y2, Y2, Y2 \
	VPBROADCASTD 12(BX), Y7; \
	VPXOR Y3, Y3, Y3 \
	GQ5A_UNIT(0, H); \
	GQ5A_UNIT(1, H); \
	GQ5A_WIDEN; \
	GQ5A_UNIT(2, H); \
	GQ5A_UNIT(3, H); \
	GQ5A_WIDEN; \
	GQ5A_FINISH1(Y4, 0(DX), H(R8), H); \
	GQ5A_FINISH1(Y5, 4(DX), H(R8)(R9*1), H); \
	GQ5A_FINISH1(Y6, 8(DX), H(AX), H); \
	GQ5A_FINISH1(Y7, 12(DX), H(AX)(R9*1), H); \
	GA_BLOCK_NEXT(352, 128, 16, 16, LOOP)

// func gemmQ5_0x16x4AVX2(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32, ldo int)
TEXT ·gemmQ5_0x16x4AVX2(SB), NOSPLIT, $0-144
	GA_ARGS
	GA_CONST(0x10101010)
	VMOVDQA Y15, Y14
	GA_CONST(0x0f0f0f0f)
	TESTQ R10, R10
	JZ    gq5done

gq5group:
	GA_GROUP(gq5store)
	GQ5A_PASS(0, gq5a)
	// Back to the group's first block for the second half.
	MOVQ R11, CX
	IMULQ $352, CX
	SUBQ CX, SI
	MOVQ R12, DI
	MOVQ R13, DX
	MOVQ R14, BX
	MOVQ R11, CX
	GQ5A_PASS(32, gq5b)

gq5store:
	GA_NEXT(gq5group)

gq5done:
	VZEROUPPER
	RET
