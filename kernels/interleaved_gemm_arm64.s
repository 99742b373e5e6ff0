//go:build !noasm

#include "textflag.h"
#include "interleaved_arm64.h"

// The batched interleaved products (interleaved_gemm.go) on NEON with the
// dot-product extension, four tokens per tile: as in the single-token
// kernels (interleaved_arm64.s) a group's sixteen rows are four registers
// of four lanes and SDOT by element meets each lane's four quant bytes with
// four activation bytes, and each token follows their integer and float
// steps, so its result is bit-identical to them. A unit of weights is
// loaded (and unpacked) once and meets the four tokens' activations, two
// registers each (V0–V7: token t's bytes 0–15 in V2t, 16–31 in V2t+1);
// token t's integer sums are V12+4t…V15+4t. Its float sums, which no
// register is left for, stay in the output rows, zeroed when a group
// starts and updated once per block.
//
// The frame: R0 walks the weights, R7 the tile's activations (128 bytes
// per block), R8 their scales and R10 their bias terms (16 bytes per block
// each), R11 counts a group's blocks, R1 the groups; R6, R13, R14 and R15
// are the group's outputs of tokens 0–3 (R12 bytes apart). R19 keeps the
// block's f16 row scales for its end; R9 is a temporary.
//
// As elsewhere in this package the Go assembler lacks these instructions:
// they are WORDs, each with its ARM syntax (GNU as or llvm-mc reproduce
// them).

// GN_ARGS loads the arguments (w, groups, nb, xq, xd, xc, out, ldo).
#define GN_ARGS \
	IL_ARGS; \
	MOVD	ldo+136(FP), R12; \
	LSL	$2, R12

// GN_GROUP starts a group: the tile's first block, the tokens' outputs
// zeroed (V4–V7 are zero).
#define GN_GROUP \
	MOVD	R3, R7; \
	MOVD	R4, R8; \
	MOVD	R5, R10; \
	MOVD	R2, R11; \
	ADD	R12, R6, R13; \
	ADD	R12, R13, R14; \
	ADD	R12, R14, R15; \
	VEOR	V4.B16, V4.B16, V4.B16; \
	VEOR	V5.B16, V5.B16, V5.B16; \
	VEOR	V6.B16, V6.B16, V6.B16; \
	VEOR	V7.B16, V7.B16, V7.B16; \
	VST1	[V4.S4, V5.S4, V6.S4, V7.S4], (R6); \
	VST1	[V4.S4, V5.S4, V6.S4, V7.S4], (R13); \
	VST1	[V4.S4, V5.S4, V6.S4, V7.S4], (R14); \
	VST1	[V4.S4, V5.S4, V6.S4, V7.S4], (R15)

// GN_START starts a block: R19 keeps the rows' f16 scales for its end, and
// the tokens' activations are loaded.
#define GN_START \
	MOVD	R0, R19; \
	ADD	$32, R0; \
	VLD1.P	64(R7), [V0.B16, V1.B16, V2.B16, V3.B16]; \
	VLD1.P	64(R7), [V4.B16, V5.B16, V6.B16, V7.B16]

// GN_SCALE1(A, XD, PTR): a token's integer sums VA…VA+3, converted and
// scaled by the rows' scales (V10, V11, V28, V29) times its activation
// scale at XD(R8), are added to its float sums at PTR, as IL_SCALE does.
#define GN_SCALE1(A, XD, PTR) \
	WORD	$(0x4e21d800|((A)<<5)|(A))	/* scvtf vA.4s, vA.4s */; \
	WORD	$(0x4e21d800|((A+1)<<5)|(A+1))	/* scvtf vA+1.4s, vA+1.4s */; \
	WORD	$(0x4e21d800|((A+2)<<5)|(A+2))	/* scvtf vA+2.4s, vA+2.4s */; \
	WORD	$(0x4e21d800|((A+3)<<5)|(A+3))	/* scvtf vA+3.4s, vA+3.4s */; \
	FMOVS	XD(R8), F30; \
	WORD	$0x4f9e9140	/* fmul v0.4s, v10.4s, v30.s[0] */; \
	WORD	$0x4f9e9161	/* fmul v1.4s, v11.4s, v30.s[0] */; \
	WORD	$0x4f9e9382	/* fmul v2.4s, v28.4s, v30.s[0] */; \
	WORD	$0x4f9e93a3	/* fmul v3.4s, v29.4s, v30.s[0] */; \
	VLD1	(PTR), [V4.S4, V5.S4, V6.S4, V7.S4]; \
	WORD	$(0x4e20cc04|((A)<<5))	/* fmla v4.4s, vA.4s, v0.4s */; \
	WORD	$(0x4e20cc00|(1<<16)|((A+1)<<5)|5)	/* fmla v5.4s, vA+1.4s, v1.4s */; \
	WORD	$(0x4e20cc00|(2<<16)|((A+2)<<5)|6)	/* fmla v6.4s, vA+2.4s, v2.4s */; \
	WORD	$(0x4e20cc00|(3<<16)|((A+3)<<5)|7)	/* fmla v7.4s, vA+3.4s, v3.4s */; \
	VST1	[V4.S4, V5.S4, V6.S4, V7.S4], (PTR)

// GN_SCALE ends a block: each token's integer sums, converted and scaled by
// the rows' scales times its activation scale, are added to its float sums
// in the output, as IL_SCALE does.
#define GN_SCALE \
	VLD1	(R19), [V8.B16, V9.B16]; \
	WORD	$0x0e21790a	/* fcvtl v10.4s, v8.4h */; \
	WORD	$0x4e21790b	/* fcvtl2 v11.4s, v8.8h */; \
	WORD	$0x0e21793c	/* fcvtl v28.4s, v9.4h */; \
	WORD	$0x4e21793d	/* fcvtl2 v29.4s, v9.8h */; \
	GN_SCALE1(12, 0, R6); \
	GN_SCALE1(16, 4, R13); \
	GN_SCALE1(20, 8, R14); \
	GN_SCALE1(24, 12, R15); \
	ADD	$16, R8

// GN_BIAS1(A, OFF): a token's sums VA…VA+3 start from its bias term at
// OFF(R10).
#define GN_BIAS1(A, OFF) \
	MOVWU	OFF(R10), R9; \
	WORD	$(0x4e040d20|(A))	/* dup vA.4s, w9 */; \
	WORD	$(0x4e040d20|((A)+1)); \
	WORD	$(0x4e040d20|((A)+2)); \
	WORD	$(0x4e040d20|((A)+3))

// GN_BIAS starts each token's integer sums from its bias term.
#define GN_BIAS \
	GN_BIAS1(12, 0); \
	GN_BIAS1(16, 4); \
	GN_BIAS1(20, 8); \
	GN_BIAS1(24, 12); \
	ADD	$16, R10


// GN_SDOT(D, N, M, I): sdot vD.4s, vN.16b, vM.4b[I] (M < 16).
#define GN_SDOT(D, N, M, I) \
	WORD	$(0x4f80e000|(((I)&1)<<21)|((M)<<16)|(((I)>>1)<<11)|((N)<<5)|(D))

// GN_SDOT4(A, N, M, I): a token's sums VA…VA+3 += the four quarters
// VN…VN+3 of a unit times its activation bytes 4I…4I+3 of VM.
#define GN_SDOT4(A, N, M, I) \
	GN_SDOT(A, N, M, I); \
	GN_SDOT((A)+1, (N)+1, M, I); \
	GN_SDOT((A)+2, (N)+2, M, I); \
	GN_SDOT((A)+3, (N)+3, M, I)

// GN_ZERO4(A): movi vA.4s…vA+3.4s, #0.
#define GN_ZERO4(A) \
	WORD	$(0x4f000400|(A)); \
	WORD	$(0x4f000400|((A)+1)); \
	WORD	$(0x4f000400|((A)+2)); \
	WORD	$(0x4f000400|((A)+3))

// Q8_0: per unit, the quants made signed again (EOR 0x80, V31), no bias
// terms.

// GN8_UNIT(H, I): the next unit (V8–V11) against the four tokens'
// activation bytes 4I…4I+3 of their register H (0: bytes 0–15, 1: 16–31).
#define GN8_UNIT(H, I) \
	VLD1.P	64(R0), [V8.B16, V9.B16, V10.B16, V11.B16]; \
	WORD	$0x6e3f1d08	/* eor v8.16b, v8.16b, v31.16b */; \
	WORD	$0x6e3f1d29	/* eor v9.16b, v9.16b, v31.16b */; \
	WORD	$0x6e3f1d4a	/* eor v10.16b, v10.16b, v31.16b */; \
	WORD	$0x6e3f1d6b	/* eor v11.16b, v11.16b, v31.16b */; \
	GN_SDOT4(12, 8, H, I); \
	GN_SDOT4(16, 8, 2+(H), I); \
	GN_SDOT4(20, 8, 4+(H), I); \
	GN_SDOT4(24, 8, 6+(H), I)

// func gemmQ8_0x16x4SDOT(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32, ldo int)
TEXT ·gemmQ8_0x16x4SDOT(SB), NOSPLIT, $0-144
	GN_ARGS
	MOVW	$0x80808080, R9
	VDUP	R9, V31.S4
	CBZ	R1, g8ndone

g8ngroup:
	GN_GROUP
	CBZ	R11, g8nnext

g8nblock:
	GN_START
	GN_ZERO4(12)
	GN_ZERO4(16)
	GN_ZERO4(20)
	GN_ZERO4(24)
	GN8_UNIT(0, 0)
	GN8_UNIT(0, 1)
	GN8_UNIT(0, 2)
	GN8_UNIT(0, 3)
	GN8_UNIT(1, 0)
	GN8_UNIT(1, 1)
	GN8_UNIT(1, 2)
	GN8_UNIT(1, 3)
	GN_SCALE
	SUBS	$1, R11, R11
	BNE	g8nblock

g8nnext:
	ADD	$64, R6
	SUBS	$1, R1, R1
	BNE	g8ngroup

g8ndone:
	RET

// Q4_0: per unit, the low nibbles (AND 0x0f, V31) meet activations 4K…
// and the high ones (V28–V30, then V28 again for the last quarter, for want
// of registers) 16+4K…; the sums start from the bias terms.

// GN4_LOHI(A, Q, HI, M, I): a token's sums VA+Q += the quarter's low
// nibbles (V8+Q) times its bytes 4I… of VM and the high ones (VHI) times
// those of VM+1.
#define GN4_LOHI(A, Q, HI, M, I) \
	GN_SDOT((A)+(Q), 8+(Q), M, I); \
	GN_SDOT((A)+(Q), HI, (M)+1, I)

// GN4_TOKEN3(A, M, I) and GN4_TOKEN1(A, M, I): quarters 0–2, and 3.
#define GN4_TOKEN3(A, M, I) \
	GN4_LOHI(A, 0, 28, M, I); \
	GN4_LOHI(A, 1, 29, M, I); \
	GN4_LOHI(A, 2, 30, M, I)

#define GN4_TOKEN1(A, M, I) \
	GN4_LOHI(A, 3, 28, M, I)

// GN4_UNIT(I): the next unit against the four tokens' activation bytes 4I…
// (low nibbles) and 16+4I… (high).
#define GN4_UNIT(I) \
	VLD1.P	64(R0), [V8.B16, V9.B16, V10.B16, V11.B16]; \
	WORD	$0x6f0c051c	/* ushr v28.16b, v8.16b, #4 */; \
	WORD	$0x4e3f1d08	/* and v8.16b, v8.16b, v31.16b */; \
	WORD	$0x6f0c053d	/* ushr v29.16b, v9.16b, #4 */; \
	WORD	$0x4e3f1d29	/* and v9.16b, v9.16b, v31.16b */; \
	WORD	$0x6f0c055e	/* ushr v30.16b, v10.16b, #4 */; \
	WORD	$0x4e3f1d4a	/* and v10.16b, v10.16b, v31.16b */; \
	GN4_TOKEN3(12, 0, I); \
	GN4_TOKEN3(16, 2, I); \
	GN4_TOKEN3(20, 4, I); \
	GN4_TOKEN3(24, 6, I); \
	WORD	$0x6f0c057c	/* ushr v28.16b, v11.16b, #4 */; \
	WORD	$0x4e3f1d6b	/* and v11.16b, v11.16b, v31.16b */; \
	GN4_TOKEN1(12, 0, I); \
	GN4_TOKEN1(16, 2, I); \
	GN4_TOKEN1(20, 4, I); \
	GN4_TOKEN1(24, 6, I)

// func gemmQ4_0x16x4SDOT(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32, ldo int)
TEXT ·gemmQ4_0x16x4SDOT(SB), NOSPLIT, $0-144
	GN_ARGS
	MOVW	$0x0f0f0f0f, R9
	VDUP	R9, V31.S4
	CBZ	R1, g4ndone

g4ngroup:
	GN_GROUP
	CBZ	R11, g4nnext

g4nblock:
	GN_START
	GN_BIAS
	GN4_UNIT(0)
	GN4_UNIT(1)
	GN4_UNIT(2)
	GN4_UNIT(3)
	GN_SCALE
	SUBS	$1, R11, R11
	BNE	g4nblock

g4nnext:
	ADD	$64, R6
	SUBS	$1, R1, R1
	BNE	g4ngroup

g4ndone:
	RET

// Q5_0: per unit and quarter, the nibbles and the rows' fifth bits (the
// quarter's qh bytes, reloaded from R20, the block's qh, and moved into
// place by a shift as gemvQ5_0x16SDOT does; V29 = 0x10 bytes) make the
// five-bit values, low in V8 and high in V9, a quarter at a time for want
// of registers; the sums start from the bias terms.

// GN5_LOAD(Q): the quarter's nibbles (V8 low, V9 high) and its qh bytes
// (V10, from R20+16Q).
#define GN5_LOAD(Q) \
	VLD1.P	16(R0), [V8.B16]; \
	WORD	$(0x3dc0028a|((Q)<<10))	/* ldr q10, [x20, #16*Q] */; \
	WORD	$0x6f0c0509	/* ushr v9.16b, v8.16b, #4 */; \
	WORD	$0x4e3f1d08	/* and v8.16b, v8.16b, v31.16b */

// GN5_FIFTH(SHL): the low values' fifth bits, qh shifted left by SHL.
#define GN5_FIFTH(SHL) \
	WORD	$(0x4f20554b|((SHL)<<16))	/* shl v11.4s, v10.4s, #SHL */; \
	WORD	$0x4e3d1d6b	/* and v11.16b, v11.16b, v29.16b */; \
	WORD	$0x4eab1d08	/* orr v8.16b, v8.16b, v11.16b */

// GN5_TOKENS(A, I): the quarter's values against the four tokens' bytes
// 4I… (low) and 16+4I… (high); A is the quarter's sums of token 0.
#define GN5_TOKENS(A, I) \
	GN_SDOT(A, 8, 0, I); \
	GN_SDOT(A, 9, 1, I); \
	GN_SDOT((A)+4, 8, 2, I); \
	GN_SDOT((A)+4, 9, 3, I); \
	GN_SDOT((A)+8, 8, 4, I); \
	GN_SDOT((A)+8, 9, 5, I); \
	GN_SDOT((A)+12, 8, 6, I); \
	GN_SDOT((A)+12, 9, 7, I)

// GN5_QUARTER0(Q): quarter Q of unit 0 (the high values' fifth bits are qh
// bit 4 in place); GN5_QUARTER(I, Q) of unit I > 0 (qh shifted right by I).
#define GN5_QUARTER0(Q) \
	GN5_LOAD(Q); \
	GN5_FIFTH(4); \
	WORD	$0x4e3d1d4b	/* and v11.16b, v10.16b, v29.16b */; \
	WORD	$0x4eab1d29	/* orr v9.16b, v9.16b, v11.16b */; \
	GN5_TOKENS(12+(Q), 0)

#define GN5_QUARTER(I, Q) \
	GN5_LOAD(Q); \
	GN5_FIFTH(4-(I)); \
	WORD	$(0x6f00054b|((64-(I))<<16))	/* ushr v11.4s, v10.4s, #I */; \
	WORD	$0x4e3d1d6b	/* and v11.16b, v11.16b, v29.16b */; \
	WORD	$0x4eab1d29	/* orr v9.16b, v9.16b, v11.16b */; \
	GN5_TOKENS(12+(Q), I)

// func gemmQ5_0x16x4SDOT(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32, ldo int)
TEXT ·gemmQ5_0x16x4SDOT(SB), NOSPLIT, $0-144
	GN_ARGS
	MOVW	$0x0f0f0f0f, R9
	VDUP	R9, V31.S4
	MOVW	$0x10101010, R9
	VDUP	R9, V29.S4
	CBZ	R1, g5ndone

g5ngroup:
	GN_GROUP
	CBZ	R11, g5nnext

g5nblock:
	GN_START
	ADD	$32, R19, R20
	ADD	$64, R0
	GN_BIAS
	GN5_QUARTER0(0)
	GN5_QUARTER0(1)
	GN5_QUARTER0(2)
	GN5_QUARTER0(3)
	GN5_QUARTER(1, 0)
	GN5_QUARTER(1, 1)
	GN5_QUARTER(1, 2)
	GN5_QUARTER(1, 3)
	GN5_QUARTER(2, 0)
	GN5_QUARTER(2, 1)
	GN5_QUARTER(2, 2)
	GN5_QUARTER(2, 3)
	GN5_QUARTER(3, 0)
	GN5_QUARTER(3, 1)
	GN5_QUARTER(3, 2)
	GN5_QUARTER(3, 3)
	GN_SCALE
	// GN_SCALE took V29 for a row scale.
	MOVW	$0x10101010, R9
	VDUP	R9, V29.S4
	SUBS	$1, R11, R11
	BNE	g5nblock

g5nnext:
	ADD	$64, R6
	SUBS	$1, R1, R1
	BNE	g5ngroup

g5ndone:
	RET
