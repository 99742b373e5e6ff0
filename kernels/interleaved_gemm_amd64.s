//go:build !noasm

#include "textflag.h"

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

// GT_ARGS loads the arguments (w, groups, nb, xq, xd, xc, out, ldo).
#define GT_ARGS \
	MOVQ w_base+0(FP), SI; \
	MOVQ groups+24(FP), R10; \
	MOVQ nb+32(FP), R11; \
	MOVQ xq_base+40(FP), R12; \
	MOVQ xd_base+64(FP), R13; \
	MOVQ xc_base+88(FP), R14; \
	MOVQ out_base+112(FP), R8; \
	MOVQ ldo+136(FP), R9; \
	SHLQ $2, R9

// GT_GROUP starts a group: the tile's first block, no sums.
#define GT_GROUP \
	MOVQ R12, DI; \
	MOVQ R13, DX; \
	MOVQ R14, BX; \
	MOVQ R11, CX; \
	VXORPS Z0, Z0, Z0; \
	VXORPS Z1, Z1, Z1; \
	VXORPS Z2, Z2, Z2; \
	VXORPS Z3, Z3, Z3; \
	VXORPS Z4, Z4, Z4; \
	VXORPS Z5, Z5, Z5; \
	VXORPS Z6, Z6, Z6; \
	VXORPS Z7, Z7, Z7

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
	PREFETCHT0 544(SI)
	PREFETCHT0 608(SI)
	PREFETCHT0 672(SI)
	PREFETCHT0 736(SI)
	PREFETCHT0 800(SI)
	PREFETCHT0 864(SI)
	PREFETCHT0 928(SI)
	PREFETCHT0 992(SI)
	PREFETCHT0 1056(SI)
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
	PREFETCHT0 288(SI)
	PREFETCHT0 352(SI)
	PREFETCHT0 416(SI)
	PREFETCHT0 480(SI)
	PREFETCHT0 544(SI)
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
