//go:build !noasm

#include "textflag.h"
#include "interleaved_amd64.h"
#include "zero_amd64.h"

// The batched interleaved products (interleaved_gemm.go) on AVX-512 with
// VNNI, eight tokens per tile: the sixteen lanes of a register are sixteen
// rows, as in the single-token kernels (interleaved_amd64.s), and each
// token has its own integer chain (Z8–Z15, started from the block's bias
// term) and float sums (Z0–Z7). A 64-byte unit of weights is loaded once
// and meets the eight tokens' activation bytes, broadcast from the packed
// tile, in eight VPDPBUSDs; the rows' scales are widened once per block.
// Per token the steps are the single-token kernel's, so the results are
// bit-identical to it.

// The frame: SI walks the weights, DI the tile's activations (8·bs bytes
// per block), DX their scales and BX their bias terms (32 bytes per block
// each), CX counts the blocks of a group, R10 the groups; R8 is the group's
// output of the first token and R9 the tokens' output stride in bytes.

// GT_AHEAD is how far past the next block the Q8_0, Q4_0 and Q5_0 kernels
// prefetch the weights: about 3 KB, where one block (288–544 bytes) was
// too near for the lines to arrive in time. A tile's tokens are a few
// hundred cycles of arithmetic a block, so only a distance several blocks
// long keeps the memory busy while the kernel computes (measured in
// docs/performance.md).
#define GT_AHEAD 3264

// GT_ARGS loads the arguments (w, groups, nb, xq, xd, xc, out, ldo).
#define GT_ARGS \
	IL_ARGS; \
	MOVQ ldo+136(FP), R9; \
	SHLQ $2, R9

// GT_GROUP starts a group: the tile's first block, no sums.
#define GT_GROUP \
	MOVQ R12, DI; \
	MOVQ R13, DX; \
	MOVQ R14, BX; \
	MOVQ R11, CX; \
	ZEROZ0TO7

// GT_BIAS starts the eight integer chains from the tokens' bias terms.
#define GT_BIAS \
	VPBROADCASTD 0(BX), Z8; \
	VPBROADCASTD 4(BX), Z9; \
	VPBROADCASTD 8(BX), Z10; \
	VPBROADCASTD 12(BX), Z11; \
	VPBROADCASTD 16(BX), Z12; \
	VPBROADCASTD 20(BX), Z13; \
	VPBROADCASTD 24(BX), Z14; \
	VPBROADCASTD 28(BX), Z15

// GT_DOT(W, X, BS): each token's chain += the unsigned bytes of W times
// the token's activation bytes X…X+3 of the block (tokens BS bytes apart).
#define GT_DOT(W, X, BS) \
	VPDPBUSD.BCST (X)(DI), W, Z8; \
	VPDPBUSD.BCST ((X)+(BS))(DI), W, Z9; \
	VPDPBUSD.BCST ((X)+2*(BS))(DI), W, Z10; \
	VPDPBUSD.BCST ((X)+3*(BS))(DI), W, Z11; \
	VPDPBUSD.BCST ((X)+4*(BS))(DI), W, Z12; \
	VPDPBUSD.BCST ((X)+5*(BS))(DI), W, Z13; \
	VPDPBUSD.BCST ((X)+6*(BS))(DI), W, Z14; \
	VPDPBUSD.BCST ((X)+7*(BS))(DI), W, Z15

// GT_SCALE1(ACC, SUM, OFF): SUM += float(ACC) times the rows' scales (Z17)
// times the token's activation scale at OFF(DX), as IL_SCALE does.
#define GT_SCALE1(ACC, SUM, OFF) \
	VCVTDQ2PS ACC, ACC; \
	VMULPS.BCST OFF(DX), Z17, Z18; \
	VFMADD231PS Z18, ACC, SUM

// GT_SCALE ends a block: the rows' f16 scales at (SI), then every token.
#define GT_SCALE \
	VCVTPH2PS (SI), Z17; \
	GT_SCALE1(Z8, Z0, 0); \
	GT_SCALE1(Z9, Z1, 4); \
	GT_SCALE1(Z10, Z2, 8); \
	GT_SCALE1(Z11, Z3, 12); \
	GT_SCALE1(Z12, Z4, 16); \
	GT_SCALE1(Z13, Z5, 20); \
	GT_SCALE1(Z14, Z6, 24); \
	GT_SCALE1(Z15, Z7, 28)

// GT_NEXT(WBYTES, XBYTES) moves on to the next block.
#define GT_NEXT(WBYTES, XBYTES) \
	ADDQ $(WBYTES), SI; \
	ADDQ $(XBYTES), DI; \
	ADDQ $32, DX; \
	ADDQ $32, BX

// GT_STORE writes the group's sixteen results of every token and moves on.
#define GT_STORE \
	MOVQ R8, AX; \
	VMOVUPS Z0, (AX); \
	ADDQ R9, AX; \
	VMOVUPS Z1, (AX); \
	ADDQ R9, AX; \
	VMOVUPS Z2, (AX); \
	ADDQ R9, AX; \
	VMOVUPS Z3, (AX); \
	ADDQ R9, AX; \
	VMOVUPS Z4, (AX); \
	ADDQ R9, AX; \
	VMOVUPS Z5, (AX); \
	ADDQ R9, AX; \
	VMOVUPS Z6, (AX); \
	ADDQ R9, AX; \
	VMOVUPS Z7, (AX); \
	ADDQ $64, R8

// GQ8UNIT(K): unit K of a Q8_0 block (quants XOR 0x80) against activation
// bytes 4K…4K+3.
#define GQ8UNIT(K) \
	VMOVDQU32 (32+(K)*64)(SI), Z16; \
	GT_DOT(Z16, (K)*4, 32)

// func gemmQ8_0x16x8AVX512(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32, ldo int)
TEXT ·gemmQ8_0x16x8AVX512(SB), NOSPLIT, $0-144
	GT_ARGS
	TESTQ R10, R10
	JZ    g8done

g8group:
	GT_GROUP
	TESTQ CX, CX
	JZ    g8store

g8block:
	PREFETCHT0 (GT_AHEAD+544)(SI)
	PREFETCHT0 (GT_AHEAD+608)(SI)
	PREFETCHT0 (GT_AHEAD+672)(SI)
	PREFETCHT0 (GT_AHEAD+736)(SI)
	PREFETCHT0 (GT_AHEAD+800)(SI)
	PREFETCHT0 (GT_AHEAD+864)(SI)
	PREFETCHT0 (GT_AHEAD+928)(SI)
	PREFETCHT0 (GT_AHEAD+992)(SI)
	PREFETCHT0 (GT_AHEAD+1056)(SI)
	GT_BIAS
	GQ8UNIT(0)
	GQ8UNIT(1)
	GQ8UNIT(2)
	GQ8UNIT(3)
	GQ8UNIT(4)
	GQ8UNIT(5)
	GQ8UNIT(6)
	GQ8UNIT(7)
	GT_SCALE
	GT_NEXT(544, 256)
	DECQ CX
	JNZ  g8block

g8store:
	GT_STORE
	DECQ R10
	JNZ  g8group

g8done:
	VZEROUPPER
	RET

// GQ4UNIT(K): nibble unit K of a Q4_0 block, low nibbles against activation
// bytes 4K…4K+3, high ones against 16+4K…16+4K+3; Z20 holds 0x0f per byte.
#define GQ4UNIT(K) \
	VMOVDQU32 (32+(K)*64)(SI), Z16; \
	VPSRLW $4, Z16, Z19; \
	VPANDD Z20, Z16, Z16; \
	VPANDD Z20, Z19, Z19; \
	GT_DOT(Z16, (K)*4, 32); \
	GT_DOT(Z19, 16+(K)*4, 32)

// func gemmQ4_0x16x8AVX512(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32, ldo int)
TEXT ·gemmQ4_0x16x8AVX512(SB), NOSPLIT, $0-144
	GT_ARGS
	MOVL $0x0f0f0f0f, AX
	VPBROADCASTD AX, Z20
	TESTQ R10, R10
	JZ    g4done

g4group:
	GT_GROUP
	TESTQ CX, CX
	JZ    g4store

g4block:
	PREFETCHT0 (GT_AHEAD+288)(SI)
	PREFETCHT0 (GT_AHEAD+352)(SI)
	PREFETCHT0 (GT_AHEAD+416)(SI)
	PREFETCHT0 (GT_AHEAD+480)(SI)
	PREFETCHT0 (GT_AHEAD+544)(SI)
	GT_BIAS
	GQ4UNIT(0)
	GQ4UNIT(1)
	GQ4UNIT(2)
	GQ4UNIT(3)
	GT_SCALE
	GT_NEXT(288, 256)
	DECQ CX
	JNZ  g4block

g4store:
	GT_STORE
	DECQ R10
	JNZ  g4group

g4done:
	VZEROUPPER
	RET

// Q4_K, four tokens per tile (the chains of a super-block need five
// registers per token). Per 64-value chunk each token has two VPDPBUSD
// chains (low nibbles, Z4–Z7; high nibbles, Z8–Z11), weighed by the rows'
// scale bytes into its integer total (Z24–Z27); the rows' min bytes times
// the token's sub-block sums go into Z28–Z31; then, as gemvQ4_Kx16AVX512
// does, d·xd times the total is added and dmin·xd times the mins' terms
// subtracted. Z15 = 0x0f in every byte, Z12 = 0xff per dword; Z19/Z20
// hold the four low scales/mins and Z21/Z23 the high ones, a byte per
// sub-block. Tokens are 256 bytes of activations and 32 bytes of terms
// apart in the tile.

// GK_SCALES unpacks the super-block's scales and mins and clears the
// tokens' integer totals.
#define GK_SCALES \
	MOVL $0x3f3f3f3f, AX; \
	VPBROADCASTD AX, Z14; \
	MOVL $0x30303030, AX; \
	VPBROADCASTD AX, Z13; \
	K4_UNPACK_SCALES; \
	VPXORD Z24, Z24, Z24; \
	VPXORD Z25, Z25, Z25; \
	VPXORD Z26, Z26, Z26; \
	VPXORD Z27, Z27, Z27; \
	VPXORD Z28, Z28, Z28; \
	VPXORD Z29, Z29, Z29; \
	VPXORD Z30, Z30, Z30; \
	VPXORD Z31, Z31, Z31

// GK_CHUNK0 clears the tokens' chains of a chunk.
#define GK_CHUNK0 \
	VPXORD Z4, Z4, Z4; \
	VPXORD Z5, Z5, Z5; \
	VPXORD Z6, Z6, Z6; \
	VPXORD Z7, Z7, Z7; \
	VPXORD Z8, Z8, Z8; \
	VPXORD Z9, Z9, Z9; \
	VPXORD Z10, Z10, Z10; \
	VPXORD Z11, Z11, Z11

// GK_UNIT(QOFF, XLO, XHI): the nibble unit at QOFF(SI), low nibbles
// against each token's activation bytes XLO…XLO+3, high ones against
// XHI…XHI+3.
#define GK_UNIT(QOFF, XLO, XHI) \
	VMOVDQU32 QOFF(SI), Z16; \
	VPSRLW $4, Z16, Z17; \
	VPANDD Z15, Z16, Z16; \
	VPANDD Z15, Z17, Z17; \
	VPDPBUSD.BCST ((XLO)+0)(DI), Z16, Z4; \
	VPDPBUSD.BCST ((XLO)+256)(DI), Z16, Z5; \
	VPDPBUSD.BCST ((XLO)+512)(DI), Z16, Z6; \
	VPDPBUSD.BCST ((XLO)+768)(DI), Z16, Z7; \
	VPDPBUSD.BCST ((XHI)+0)(DI), Z17, Z8; \
	VPDPBUSD.BCST ((XHI)+256)(DI), Z17, Z9; \
	VPDPBUSD.BCST ((XHI)+512)(DI), Z17, Z10; \
	VPDPBUSD.BCST ((XHI)+768)(DI), Z17, Z11

// GK_WEIGH(SC, M, SH0, SH1, XC0, XC1): each token's total += scale bytes
// SH0/8 and SH1/8 of SC times its chains; its mins' terms += those bytes of
// M times its sub-block sums at XC0 and XC1 (BX).
#define GK_WEIGH(SC, M, SH0, SH1, XC0, XC1) \
	VPSRLD $(SH0), SC, Z13; \
	VPANDD Z12, Z13, Z13; \
	VPSRLD $(SH1), SC, Z14; \
	VPANDD Z12, Z14, Z14; \
	VPSRLD $(SH0), M, Z18; \
	VPANDD Z12, Z18, Z18; \
	VPSRLD $(SH1), M, Z22; \
	VPANDD Z12, Z22, Z22; \
	VPMULLD Z13, Z4, Z4; \
	VPMULLD Z14, Z8, Z8; \
	VPADDD Z4, Z24, Z24; \
	VPADDD Z8, Z24, Z24; \
	VPMULLD.BCST ((XC0)+0)(BX), Z18, Z16; \
	VPADDD Z16, Z28, Z28; \
	VPMULLD.BCST ((XC1)+0)(BX), Z22, Z17; \
	VPADDD Z17, Z28, Z28; \
	VPMULLD Z13, Z5, Z5; \
	VPMULLD Z14, Z9, Z9; \
	VPADDD Z5, Z25, Z25; \
	VPADDD Z9, Z25, Z25; \
	VPMULLD.BCST ((XC0)+32)(BX), Z18, Z16; \
	VPADDD Z16, Z29, Z29; \
	VPMULLD.BCST ((XC1)+32)(BX), Z22, Z17; \
	VPADDD Z17, Z29, Z29; \
	VPMULLD Z13, Z6, Z6; \
	VPMULLD Z14, Z10, Z10; \
	VPADDD Z6, Z26, Z26; \
	VPADDD Z10, Z26, Z26; \
	VPMULLD.BCST ((XC0)+64)(BX), Z18, Z16; \
	VPADDD Z16, Z30, Z30; \
	VPMULLD.BCST ((XC1)+64)(BX), Z22, Z17; \
	VPADDD Z17, Z30, Z30; \
	VPMULLD Z13, Z7, Z7; \
	VPMULLD Z14, Z11, Z11; \
	VPADDD Z7, Z27, Z27; \
	VPADDD Z11, Z27, Z27; \
	VPMULLD.BCST ((XC0)+96)(BX), Z18, Z16; \
	VPADDD Z16, Z31, Z31; \
	VPMULLD.BCST ((XC1)+96)(BX), Z22, Z17; \
	VPADDD Z17, Z31, Z31

// GK_FINISH adds each token's d·xd times its total and subtracts its
// dmin·xd times its mins' terms.
#define GK_FINISH \
	VCVTPH2PS 0(SI), Z13; \
	VCVTPH2PS 32(SI), Z14; \
	VCVTDQ2PS Z24, Z24; \
	VMULPS.BCST 0(DX), Z13, Z16; \
	VFMADD231PS Z16, Z24, Z0; \
	VCVTDQ2PS Z28, Z28; \
	VMULPS.BCST 0(DX), Z14, Z17; \
	VFNMADD231PS Z17, Z28, Z0; \
	VCVTDQ2PS Z25, Z25; \
	VMULPS.BCST 4(DX), Z13, Z16; \
	VFMADD231PS Z16, Z25, Z1; \
	VCVTDQ2PS Z29, Z29; \
	VMULPS.BCST 4(DX), Z14, Z17; \
	VFNMADD231PS Z17, Z29, Z1; \
	VCVTDQ2PS Z26, Z26; \
	VMULPS.BCST 8(DX), Z13, Z16; \
	VFMADD231PS Z16, Z26, Z2; \
	VCVTDQ2PS Z30, Z30; \
	VMULPS.BCST 8(DX), Z14, Z17; \
	VFNMADD231PS Z17, Z30, Z2; \
	VCVTDQ2PS Z27, Z27; \
	VMULPS.BCST 12(DX), Z13, Z16; \
	VFMADD231PS Z16, Z27, Z3; \
	VCVTDQ2PS Z31, Z31; \
	VMULPS.BCST 12(DX), Z14, Z17; \
	VFNMADD231PS Z17, Z31, Z3

// GK_GROUP(EMPTY) starts a group of a four-token kernel: the tile's first
// block, no sums; with no blocks, on to EMPTY.
#define GK_GROUP(EMPTY) \
	MOVQ R12, DI; \
	MOVQ R13, DX; \
	MOVQ R14, BX; \
	MOVQ R11, CX; \
	VXORPS Z0, Z0, Z0; \
	VXORPS Z1, Z1, Z1; \
	VXORPS Z2, Z2, Z2; \
	VXORPS Z3, Z3, Z3; \
	TESTQ CX, CX; \
	JZ    EMPTY

// GK_STORE writes the group's sixteen results of every token and moves on.
#define GK_STORE \
	MOVQ R8, AX; \
	VMOVUPS Z0, (AX); \
	ADDQ R9, AX; \
	VMOVUPS Z1, (AX); \
	ADDQ R9, AX; \
	VMOVUPS Z2, (AX); \
	ADDQ R9, AX; \
	VMOVUPS Z3, (AX); \
	ADDQ $64, R8

// func gemmQ4_Kx16x4AVX512(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32, ldo int)
TEXT ·gemmQ4_Kx16x4AVX512(SB), NOSPLIT, $0-144
	GT_ARGS
	MOVL $0x0f0f0f0f, AX
	VPBROADCASTD AX, Z15
	MOVL $0xff, AX
	VPBROADCASTD AX, Z12
	TESTQ R10, R10
	JZ    gkdone

gkgroup:
	GK_GROUP(gkstore)

gkblock:
	PREFETCHT0 2304(SI)
	PREFETCHT0 2368(SI)
	PREFETCHT0 2432(SI)
	PREFETCHT0 2496(SI)
	GK_SCALES
	// Chunk 0: sub-blocks 0 (low nibbles) and 1 (high).
	GK_CHUNK0
	GK_UNIT(256, 0, 32)
	GK_UNIT(320, 4, 36)
	GK_UNIT(384, 8, 40)
	GK_UNIT(448, 12, 44)
	GK_UNIT(512, 16, 48)
	GK_UNIT(576, 20, 52)
	GK_UNIT(640, 24, 56)
	GK_UNIT(704, 28, 60)
	GK_WEIGH(Z19, Z20, 0, 8, 0, 4)
	// Chunk 1: sub-blocks 2 (low nibbles) and 3 (high).
	GK_CHUNK0
	GK_UNIT(768, 64, 96)
	GK_UNIT(832, 68, 100)
	GK_UNIT(896, 72, 104)
	GK_UNIT(960, 76, 108)
	GK_UNIT(1024, 80, 112)
	GK_UNIT(1088, 84, 116)
	GK_UNIT(1152, 88, 120)
	GK_UNIT(1216, 92, 124)
	GK_WEIGH(Z19, Z20, 16, 24, 8, 12)
	// Chunk 2: sub-blocks 4 (low nibbles) and 5 (high).
	GK_CHUNK0
	GK_UNIT(1280, 128, 160)
	GK_UNIT(1344, 132, 164)
	GK_UNIT(1408, 136, 168)
	GK_UNIT(1472, 140, 172)
	GK_UNIT(1536, 144, 176)
	GK_UNIT(1600, 148, 180)
	GK_UNIT(1664, 152, 184)
	GK_UNIT(1728, 156, 188)
	GK_WEIGH(Z21, Z23, 0, 8, 16, 20)
	// Chunk 3: sub-blocks 6 (low nibbles) and 7 (high).
	GK_CHUNK0
	GK_UNIT(1792, 192, 224)
	GK_UNIT(1856, 196, 228)
	GK_UNIT(1920, 200, 232)
	GK_UNIT(1984, 204, 236)
	GK_UNIT(2048, 208, 240)
	GK_UNIT(2112, 212, 244)
	GK_UNIT(2176, 216, 248)
	GK_UNIT(2240, 220, 252)
	GK_WEIGH(Z21, Z23, 16, 24, 24, 28)
	GK_FINISH
	ADDQ $2304, SI
	ADDQ $1024, DI
	ADDQ $16, DX
	ADDQ $128, BX
	DECQ CX
	JNZ  gkblock

gkstore:
	GK_STORE
	DECQ R10
	JNZ  gkgroup

gkdone:
	VZEROUPPER
	RET

// GQ5UNIT(K): nibble unit K of a Q5_0 block with its fifth bits (Z22, as
// gemvQ5_0x16AVX512 places them; Z21 = 0x10 in every byte), low values
// against activation bytes 4K…4K+3, high ones against 16+4K…16+4K+3.
#define GQ5UNIT(K) \
	VMOVDQU32 (96+(K)*64)(SI), Z16; \
	VPSRLW $4, Z16, Z19; \
	VPANDD Z20, Z16, Z16; \
	VPANDD Z20, Z19, Z19; \
	VPSLLD $(4-(K)), Z22, Z23; \
	VPSRLD $(K), Z22, Z24; \
	VPTERNLOGD $0xf8, Z21, Z23, Z16; \
	VPTERNLOGD $0xf8, Z21, Z24, Z19; \
	GT_DOT(Z16, (K)*4, 32); \
	GT_DOT(Z19, 16+(K)*4, 32)

// func gemmQ5_0x16x8AVX512(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32, ldo int)
TEXT ·gemmQ5_0x16x8AVX512(SB), NOSPLIT, $0-144
	GT_ARGS
	MOVL $0x0f0f0f0f, AX
	VPBROADCASTD AX, Z20
	MOVL $0x10101010, AX
	VPBROADCASTD AX, Z21
	TESTQ R10, R10
	JZ    g5done

g5group:
	GT_GROUP
	TESTQ CX, CX
	JZ    g5store

g5block:
	PREFETCHT0 (GT_AHEAD+352)(SI)
	PREFETCHT0 (GT_AHEAD+416)(SI)
	PREFETCHT0 (GT_AHEAD+480)(SI)
	PREFETCHT0 (GT_AHEAD+544)(SI)
	PREFETCHT0 (GT_AHEAD+608)(SI)
	PREFETCHT0 (GT_AHEAD+672)(SI)
	VMOVDQU32 32(SI), Z22
	GT_BIAS
	GQ5UNIT(0)
	GQ5UNIT(1)
	GQ5UNIT(2)
	GQ5UNIT(3)
	GT_SCALE
	GT_NEXT(352, 256)
	DECQ CX
	JNZ  g5block

g5store:
	GT_STORE
	DECQ R10
	JNZ  g5group

g5done:
	VZEROUPPER
	RET

// Q6_K, four tokens per tile: per quad of units (Q6QUAD's), four weight
// vectors of four sub-blocks are assembled once and each meets the four
// tokens' activation bytes, so a token has a VPDPBUSD chain per sub-block
// of the quarter: Z16+4k+t for sub-block k of the quarter and token t,
// started from the token's bias term. The quarter's chains are weighed by
// the rows' int8 scales (read from the super-block, Z15) into each token's
// integer total (Z4–Z7), and the super-block ends as gemvQ6_Kx16AVX512's
// does: float sums Z0–Z3. Z8–Z12 are the quad's units and temporaries,
// Z13 = 0x30 and Z14 = 0x0f in every byte. Tokens are 256 bytes of
// activations and 64 bytes of terms apart in the tile.

// GQ6_BIAS(J): the chains of sub-blocks J, J+2, J+4, J+6 start from each
// token's bias terms.
#define GQ6_BIAS(J) \
	VPBROADCASTD (0+4*((J)+0))(BX), Z16 \
	VPBROADCASTD (64+4*((J)+0))(BX), Z17 \
	VPBROADCASTD (128+4*((J)+0))(BX), Z18 \
	VPBROADCASTD (192+4*((J)+0))(BX), Z19 \
	VPBROADCASTD (0+4*((J)+2))(BX), Z20 \
	VPBROADCASTD (64+4*((J)+2))(BX), Z21 \
	VPBROADCASTD (128+4*((J)+2))(BX), Z22 \
	VPBROADCASTD (192+4*((J)+2))(BX), Z23 \
	VPBROADCASTD (0+4*((J)+4))(BX), Z24 \
	VPBROADCASTD (64+4*((J)+4))(BX), Z25 \
	VPBROADCASTD (128+4*((J)+4))(BX), Z26 \
	VPBROADCASTD (192+4*((J)+4))(BX), Z27 \
	VPBROADCASTD (0+4*((J)+6))(BX), Z28 \
	VPBROADCASTD (64+4*((J)+6))(BX), Z29 \
	VPBROADCASTD (128+4*((J)+6))(BX), Z30 \
	VPBROADCASTD (192+4*((J)+6))(BX), Z31

// GQ6_DOT(W, X, C): the four tokens' chains from C on += W times their
// activation bytes X…X+3.
#define GQ6_DOT(W, X, C0, C1, C2, C3) \
	VPDPBUSD.BCST (X)(DI), W, C0; \
	VPDPBUSD.BCST ((X)+256)(DI), W, C1; \
	VPDPBUSD.BCST ((X)+512)(DI), W, C2; \
	VPDPBUSD.BCST ((X)+768)(DI), W, C3

// GQ6_QUAD(AOFF, BOFF, HOFF, X1, X2, X3, X4): Q6QUAD's four weight vectors,
// each against the four tokens.
#define GQ6_QUAD(AOFF, BOFF, HOFF, X1, X2, X3, X4) \
	PREFETCHT0 (AOFF+3360)(SI); \
	PREFETCHT0 (BOFF+3360)(SI); \
	PREFETCHT0 (HOFF+3360)(SI); \
	VMOVDQU32 AOFF(SI), Z8; \
	VMOVDQU32 BOFF(SI), Z9; \
	VMOVDQU32 HOFF(SI), Z10; \
	VPANDD Z14, Z8, Z11; \
	VPSLLD $4, Z10, Z12; \
	VPTERNLOGD $0xf8, Z13, Z12, Z11; \
	GQ6_DOT(Z11, X1, Z16, Z17, Z18, Z19); \
	VPANDD Z14, Z9, Z11; \
	VPSLLD $2, Z10, Z12; \
	VPTERNLOGD $0xf8, Z13, Z12, Z11; \
	GQ6_DOT(Z11, X2, Z20, Z21, Z22, Z23); \
	VPSRLW $4, Z8, Z11; \
	VPANDD Z14, Z11, Z11; \
	VPTERNLOGD $0xf8, Z13, Z10, Z11; \
	GQ6_DOT(Z11, X3, Z24, Z25, Z26, Z27); \
	VPSRLW $4, Z9, Z11; \
	VPANDD Z14, Z11, Z11; \
	VPSRLD $2, Z10, Z12; \
	VPTERNLOGD $0xf8, Z13, Z12, Z11; \
	GQ6_DOT(Z11, X4, Z28, Z29, Z30, Z31)

// GQ6_WEIGH(SOFF, SH, C0, C1, C2, C3): each token's total += its chain
// times the scale byte that a left shift by SH brings to the top of each
// lane of the scale unit at SOFF(SI).
#define GQ6_WEIGH(SOFF, SH, C0, C1, C2, C3) \
	VPSLLD $(SH), SOFF(SI), Z15; \
	VPSRAD $24, Z15, Z15; \
	VPMULLD Z15, C0, C0; \
	VPADDD C0, Z4, Z4; \
	VPMULLD Z15, C1, C1; \
	VPADDD C1, Z5, Z5; \
	VPMULLD Z15, C2, C2; \
	VPADDD C2, Z6, Z6; \
	VPMULLD Z15, C3, C3; \
	VPADDD C3, Z7, Z7

// GQ6_QUARTER(SA, SHA, SB, SHB): weighs the quarter's four sub-blocks,
// whose scales are at SA (shifts SHA, SHA-16) and SB (SHB, SHB-16).
#define GQ6_QUARTER(SA, SHA, SB, SHB) \
	GQ6_WEIGH(SA, SHA, Z16, Z17, Z18, Z19); \
	GQ6_WEIGH(SA, SHA-16, Z20, Z21, Z22, Z23); \
	GQ6_WEIGH(SB, SHB, Z24, Z25, Z26, Z27); \
	GQ6_WEIGH(SB, SHB-16, Z28, Z29, Z30, Z31)

// GQ6_SUBS(J, Q, X, SA, SB, SH): sub-blocks J, J+2, J+4, J+6 from their
// bias terms: the four quads from Q(SI) (192 bytes apart) against
// activations from X (4 bytes apart), weighed by the scale bytes at SA and
// SB that shifts SH and SH-16 select.
#define GQ6_SUBS(J, Q, X, SA, SB, SH) \
	GQ6_BIAS(J); \
	GQ6_QUAD(Q, (Q)+64, (Q)+128, X, (X)+32, (X)+64, (X)+96); \
	GQ6_QUAD((Q)+192, (Q)+256, (Q)+320, (X)+4, (X)+36, (X)+68, (X)+100); \
	GQ6_QUAD((Q)+384, (Q)+448, (Q)+512, (X)+8, (X)+40, (X)+72, (X)+104); \
	GQ6_QUAD((Q)+576, (Q)+640, (Q)+704, (X)+12, (X)+44, (X)+76, (X)+108); \
	GQ6_QUARTER(SA, SH, SB, SH)

// GQ6_FINISH1(TOT, SUM, OFF): SUM += float(TOT) times the rows' d (Z15)
// times the token's activation scale at OFF(DX), as IL_SCALE does.
#define GQ6_FINISH1(TOT, SUM, OFF) \
	VCVTDQ2PS TOT, TOT; \
	VMULPS.BCST OFF(DX), Z15, Z12; \
	VFMADD231PS Z12, TOT, SUM

// func gemmQ6_Kx16x4AVX512(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32, ldo int)
TEXT ·gemmQ6_Kx16x4AVX512(SB), NOSPLIT, $0-144
	GT_ARGS
	MOVL $0x0f0f0f0f, AX
	VPBROADCASTD AX, Z14
	MOVL $0x30303030, AX
	VPBROADCASTD AX, Z13
	TESTQ R10, R10
	JZ    g6done

g6group:
	GK_GROUP(g6store)

g6block:
	PREFETCHT0 3360(SI)
	PREFETCHT0 3424(SI)
	PREFETCHT0 3488(SI)
	PREFETCHT0 3552(SI)
	PREFETCHT0 3616(SI)
	VPXORD Z4, Z4, Z4
	VPXORD Z5, Z5, Z5
	VPXORD Z6, Z6, Z6
	VPXORD Z7, Z7, Z7
	// Half 0, values 0…15 of each 32: sub-blocks 0, 2, 4, 6.
	GQ6_SUBS(0, 288, 0, 32, 96, 24)
	// Half 0, values 16…31 of each 32: sub-blocks 1, 3, 5, 7.
	GQ6_SUBS(1, 1056, 16, 32, 96, 16)
	// Half 1, values 0…15 of each 32: sub-blocks 8, 10, 12, 14.
	GQ6_SUBS(8, 1824, 128, 160, 224, 24)
	// Half 1, values 16…31 of each 32: sub-blocks 9, 11, 13, 15.
	GQ6_SUBS(9, 2592, 144, 160, 224, 16)
	VCVTPH2PS 0(SI), Z15
	GQ6_FINISH1(Z4, Z0, 0)
	GQ6_FINISH1(Z5, Z1, 4)
	GQ6_FINISH1(Z6, Z2, 8)
	GQ6_FINISH1(Z7, Z3, 12)
	ADDQ $3360, SI
	ADDQ $1024, DI
	ADDQ $16, DX
	ADDQ $256, BX
	DECQ CX
	JNZ  g6block

g6store:
	GK_STORE
	DECQ R10
	JNZ  g6group

g6done:
	VZEROUPPER
	RET
