//go:build !noasm

#include "textflag.h"
#include "interleaved_arm64.h"

// The interleaved matrix-vector products (interleaved.go) on NEON with the
// dot-product extension: a group's sixteen rows are four registers of four
// lanes (rows 0–3, 4–7, 8–11, 12–15: a 64-byte unit's four quarters), and
// SDOT by element multiplies each lane's four quant bytes by four
// activation bytes taken from one lane of the activation registers (V0:
// activations 0–15 of the block, V1: 16–31). SDOT is signed by signed: Q8_0's
// quants are made signed again (EOR 0x80) and need no bias terms; Q4_0's and
// Q5_0's unsigned nibbles and five-bit values are valid signed bytes, and
// their offsets come back out with the bias terms, which start the integer
// sums (V16–V19). The block's sums are scaled by the rows' f16 scales
// (FCVTL) times the activation scale (V30) into V20–V23. Q5_0 keeps the
// rows' fifth bits in V8–V11 and its high nibbles in V26–V29.
//
// As elsewhere in this package the Go assembler lacks these instructions:
// they are WORDs, each with its ARM syntax (GNU as reproduces them).

// The frame every kernel shares. R0 walks the weights, R7 the activations,
// R8 their scales, R10 the per-block terms (xc), R11 counts the blocks of a
// group and R1 the groups.

// IL_GROUP starts a group: its activations from the first block, no sums.
#define IL_GROUP \
	MOVD	R3, R7; \
	MOVD	R4, R8; \
	MOVD	R5, R10; \
	MOVD	R2, R11; \
	VEOR	V20.B16, V20.B16, V20.B16; \
	VEOR	V21.B16, V21.B16, V21.B16; \
	VEOR	V22.B16, V22.B16, V22.B16; \
	VEOR	V23.B16, V23.B16, V23.B16

// IL_BLOCK loads a block's activations (V0, V1), their scale (V30) and the
// rows' f16 scales (V24, V25).
#define IL_BLOCK \
	VLD1.P	32(R7), [V0.B16, V1.B16]; \
	FMOVS	(R8), F30; \
	ADD	$4, R8; \
	VLD1.P	32(R0), [V24.B16, V25.B16]

// IL_BIAS starts the integer sums from the block's bias term.
#define IL_BIAS \
	MOVWU	(R10), R9; \
	VDUP	R9, V16.S4; \
	VDUP	R9, V17.S4; \
	VDUP	R9, V18.S4; \
	VDUP	R9, V19.S4

// IL_SCALE adds the block's integer sums, converted and scaled by the rows'
// scales times the activation scale, to V20–V23.
#define IL_SCALE \
	WORD	$0x4e21da10	/* scvtf v16.4s, v16.4s */; \
	WORD	$0x4e21da31	/* scvtf v17.4s, v17.4s */; \
	WORD	$0x4e21da52	/* scvtf v18.4s, v18.4s */; \
	WORD	$0x4e21da73	/* scvtf v19.4s, v19.4s */; \
	WORD	$0x0e217b1a	/* fcvtl v26.4s, v24.4h */; \
	WORD	$0x4e217b1b	/* fcvtl2 v27.4s, v24.8h */; \
	WORD	$0x0e217b3c	/* fcvtl v28.4s, v25.4h */; \
	WORD	$0x4e217b3d	/* fcvtl2 v29.4s, v25.8h */; \
	WORD	$0x4f9e935a	/* fmul v26.4s, v26.4s, v30.s[0] */; \
	WORD	$0x4f9e937b	/* fmul v27.4s, v27.4s, v30.s[0] */; \
	WORD	$0x4f9e939c	/* fmul v28.4s, v28.4s, v30.s[0] */; \
	WORD	$0x4f9e93bd	/* fmul v29.4s, v29.4s, v30.s[0] */; \
	WORD	$0x4e3ace14	/* fmla v20.4s, v16.4s, v26.4s */; \
	WORD	$0x4e3bce35	/* fmla v21.4s, v17.4s, v27.4s */; \
	WORD	$0x4e3cce56	/* fmla v22.4s, v18.4s, v28.4s */; \
	WORD	$0x4e3dce77	/* fmla v23.4s, v19.4s, v29.4s */

// func gemvQ8_0x16SDOT(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)
TEXT ·gemvQ8_0x16SDOT(SB), NOSPLIT, $0-136
	IL_ARGS
	MOVW	$0x80808080, R9
	VDUP	R9, V31.S4
	CBZ	R1, q8ndone

q8ngroup:
	IL_GROUP
	CBZ	R11, q8nstore

q8nblock:
	IL_BLOCK
	WORD	$0x4f000410	// movi v16.4s, #0
	WORD	$0x4f000411	// movi v17.4s, #0
	WORD	$0x4f000412	// movi v18.4s, #0
	WORD	$0x4f000413	// movi v19.4s, #0
	VLD1.P	64(R0), [V2.B16, V3.B16, V4.B16, V5.B16]
	WORD	$0x6e3f1c42	// eor v2.16b, v2.16b, v31.16b
	WORD	$0x6e3f1c63	// eor v3.16b, v3.16b, v31.16b
	WORD	$0x6e3f1c84	// eor v4.16b, v4.16b, v31.16b
	WORD	$0x6e3f1ca5	// eor v5.16b, v5.16b, v31.16b
	WORD	$0x4f80e050	// sdot v16.4s, v2.16b, v0.4b[0]
	WORD	$0x4f80e071	// sdot v17.4s, v3.16b, v0.4b[0]
	WORD	$0x4f80e092	// sdot v18.4s, v4.16b, v0.4b[0]
	WORD	$0x4f80e0b3	// sdot v19.4s, v5.16b, v0.4b[0]
	VLD1.P	64(R0), [V2.B16, V3.B16, V4.B16, V5.B16]
	WORD	$0x6e3f1c42	// eor v2.16b, v2.16b, v31.16b
	WORD	$0x6e3f1c63	// eor v3.16b, v3.16b, v31.16b
	WORD	$0x6e3f1c84	// eor v4.16b, v4.16b, v31.16b
	WORD	$0x6e3f1ca5	// eor v5.16b, v5.16b, v31.16b
	WORD	$0x4fa0e050	// sdot v16.4s, v2.16b, v0.4b[1]
	WORD	$0x4fa0e071	// sdot v17.4s, v3.16b, v0.4b[1]
	WORD	$0x4fa0e092	// sdot v18.4s, v4.16b, v0.4b[1]
	WORD	$0x4fa0e0b3	// sdot v19.4s, v5.16b, v0.4b[1]
	VLD1.P	64(R0), [V2.B16, V3.B16, V4.B16, V5.B16]
	WORD	$0x6e3f1c42	// eor v2.16b, v2.16b, v31.16b
	WORD	$0x6e3f1c63	// eor v3.16b, v3.16b, v31.16b
	WORD	$0x6e3f1c84	// eor v4.16b, v4.16b, v31.16b
	WORD	$0x6e3f1ca5	// eor v5.16b, v5.16b, v31.16b
	WORD	$0x4f80e850	// sdot v16.4s, v2.16b, v0.4b[2]
	WORD	$0x4f80e871	// sdot v17.4s, v3.16b, v0.4b[2]
	WORD	$0x4f80e892	// sdot v18.4s, v4.16b, v0.4b[2]
	WORD	$0x4f80e8b3	// sdot v19.4s, v5.16b, v0.4b[2]
	VLD1.P	64(R0), [V2.B16, V3.B16, V4.B16, V5.B16]
	WORD	$0x6e3f1c42	// eor v2.16b, v2.16b, v31.16b
	WORD	$0x6e3f1c63	// eor v3.16b, v3.16b, v31.16b
	WORD	$0x6e3f1c84	// eor v4.16b, v4.16b, v31.16b
	WORD	$0x6e3f1ca5	// eor v5.16b, v5.16b, v31.16b
	WORD	$0x4fa0e850	// sdot v16.4s, v2.16b, v0.4b[3]
	WORD	$0x4fa0e871	// sdot v17.4s, v3.16b, v0.4b[3]
	WORD	$0x4fa0e892	// sdot v18.4s, v4.16b, v0.4b[3]
	WORD	$0x4fa0e8b3	// sdot v19.4s, v5.16b, v0.4b[3]
	VLD1.P	64(R0), [V2.B16, V3.B16, V4.B16, V5.B16]
	WORD	$0x6e3f1c42	// eor v2.16b, v2.16b, v31.16b
	WORD	$0x6e3f1c63	// eor v3.16b, v3.16b, v31.16b
	WORD	$0x6e3f1c84	// eor v4.16b, v4.16b, v31.16b
	WORD	$0x6e3f1ca5	// eor v5.16b, v5.16b, v31.16b
	WORD	$0x4f81e050	// sdot v16.4s, v2.16b, v1.4b[0]
	WORD	$0x4f81e071	// sdot v17.4s, v3.16b, v1.4b[0]
	WORD	$0x4f81e092	// sdot v18.4s, v4.16b, v1.4b[0]
	WORD	$0x4f81e0b3	// sdot v19.4s, v5.16b, v1.4b[0]
	VLD1.P	64(R0), [V2.B16, V3.B16, V4.B16, V5.B16]
	WORD	$0x6e3f1c42	// eor v2.16b, v2.16b, v31.16b
	WORD	$0x6e3f1c63	// eor v3.16b, v3.16b, v31.16b
	WORD	$0x6e3f1c84	// eor v4.16b, v4.16b, v31.16b
	WORD	$0x6e3f1ca5	// eor v5.16b, v5.16b, v31.16b
	WORD	$0x4fa1e050	// sdot v16.4s, v2.16b, v1.4b[1]
	WORD	$0x4fa1e071	// sdot v17.4s, v3.16b, v1.4b[1]
	WORD	$0x4fa1e092	// sdot v18.4s, v4.16b, v1.4b[1]
	WORD	$0x4fa1e0b3	// sdot v19.4s, v5.16b, v1.4b[1]
	VLD1.P	64(R0), [V2.B16, V3.B16, V4.B16, V5.B16]
	WORD	$0x6e3f1c42	// eor v2.16b, v2.16b, v31.16b
	WORD	$0x6e3f1c63	// eor v3.16b, v3.16b, v31.16b
	WORD	$0x6e3f1c84	// eor v4.16b, v4.16b, v31.16b
	WORD	$0x6e3f1ca5	// eor v5.16b, v5.16b, v31.16b
	WORD	$0x4f81e850	// sdot v16.4s, v2.16b, v1.4b[2]
	WORD	$0x4f81e871	// sdot v17.4s, v3.16b, v1.4b[2]
	WORD	$0x4f81e892	// sdot v18.4s, v4.16b, v1.4b[2]
	WORD	$0x4f81e8b3	// sdot v19.4s, v5.16b, v1.4b[2]
	VLD1.P	64(R0), [V2.B16, V3.B16, V4.B16, V5.B16]
	WORD	$0x6e3f1c42	// eor v2.16b, v2.16b, v31.16b
	WORD	$0x6e3f1c63	// eor v3.16b, v3.16b, v31.16b
	WORD	$0x6e3f1c84	// eor v4.16b, v4.16b, v31.16b
	WORD	$0x6e3f1ca5	// eor v5.16b, v5.16b, v31.16b
	WORD	$0x4fa1e850	// sdot v16.4s, v2.16b, v1.4b[3]
	WORD	$0x4fa1e871	// sdot v17.4s, v3.16b, v1.4b[3]
	WORD	$0x4fa1e892	// sdot v18.4s, v4.16b, v1.4b[3]
	WORD	$0x4fa1e8b3	// sdot v19.4s, v5.16b, v1.4b[3]
	IL_SCALE
	ADD	$4, R10
	SUBS	$1, R11, R11
	BNE	q8nblock

q8nstore:
	VST1.P	[V20.S4, V21.S4, V22.S4, V23.S4], 64(R6)
	SUBS	$1, R1, R1
	BNE	q8ngroup

q8ndone:
	RET

// func gemvQ4_0x16SDOT(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)
TEXT ·gemvQ4_0x16SDOT(SB), NOSPLIT, $0-136
	IL_ARGS
	MOVW	$0x0f0f0f0f, R9
	VDUP	R9, V31.S4
	CBZ	R1, q4ndone

q4ngroup:
	IL_GROUP
	CBZ	R11, q4nstore

q4nblock:
	IL_BLOCK
	IL_BIAS
	VLD1.P	64(R0), [V2.B16, V3.B16, V4.B16, V5.B16]
	WORD	$0x6f0c0446	// ushr v6.16b, v2.16b, #4
	WORD	$0x6f0c0467	// ushr v7.16b, v3.16b, #4
	WORD	$0x6f0c0488	// ushr v8.16b, v4.16b, #4
	WORD	$0x6f0c04a9	// ushr v9.16b, v5.16b, #4
	WORD	$0x4e3f1c42	// and v2.16b, v2.16b, v31.16b
	WORD	$0x4e3f1c63	// and v3.16b, v3.16b, v31.16b
	WORD	$0x4e3f1c84	// and v4.16b, v4.16b, v31.16b
	WORD	$0x4e3f1ca5	// and v5.16b, v5.16b, v31.16b
	WORD	$0x4f80e050	// sdot v16.4s, v2.16b, v0.4b[0]
	WORD	$0x4f80e071	// sdot v17.4s, v3.16b, v0.4b[0]
	WORD	$0x4f80e092	// sdot v18.4s, v4.16b, v0.4b[0]
	WORD	$0x4f80e0b3	// sdot v19.4s, v5.16b, v0.4b[0]
	WORD	$0x4f81e0d0	// sdot v16.4s, v6.16b, v1.4b[0]
	WORD	$0x4f81e0f1	// sdot v17.4s, v7.16b, v1.4b[0]
	WORD	$0x4f81e112	// sdot v18.4s, v8.16b, v1.4b[0]
	WORD	$0x4f81e133	// sdot v19.4s, v9.16b, v1.4b[0]
	VLD1.P	64(R0), [V2.B16, V3.B16, V4.B16, V5.B16]
	WORD	$0x6f0c0446	// ushr v6.16b, v2.16b, #4
	WORD	$0x6f0c0467	// ushr v7.16b, v3.16b, #4
	WORD	$0x6f0c0488	// ushr v8.16b, v4.16b, #4
	WORD	$0x6f0c04a9	// ushr v9.16b, v5.16b, #4
	WORD	$0x4e3f1c42	// and v2.16b, v2.16b, v31.16b
	WORD	$0x4e3f1c63	// and v3.16b, v3.16b, v31.16b
	WORD	$0x4e3f1c84	// and v4.16b, v4.16b, v31.16b
	WORD	$0x4e3f1ca5	// and v5.16b, v5.16b, v31.16b
	WORD	$0x4fa0e050	// sdot v16.4s, v2.16b, v0.4b[1]
	WORD	$0x4fa0e071	// sdot v17.4s, v3.16b, v0.4b[1]
	WORD	$0x4fa0e092	// sdot v18.4s, v4.16b, v0.4b[1]
	WORD	$0x4fa0e0b3	// sdot v19.4s, v5.16b, v0.4b[1]
	WORD	$0x4fa1e0d0	// sdot v16.4s, v6.16b, v1.4b[1]
	WORD	$0x4fa1e0f1	// sdot v17.4s, v7.16b, v1.4b[1]
	WORD	$0x4fa1e112	// sdot v18.4s, v8.16b, v1.4b[1]
	WORD	$0x4fa1e133	// sdot v19.4s, v9.16b, v1.4b[1]
	VLD1.P	64(R0), [V2.B16, V3.B16, V4.B16, V5.B16]
	WORD	$0x6f0c0446	// ushr v6.16b, v2.16b, #4
	WORD	$0x6f0c0467	// ushr v7.16b, v3.16b, #4
	WORD	$0x6f0c0488	// ushr v8.16b, v4.16b, #4
	WORD	$0x6f0c04a9	// ushr v9.16b, v5.16b, #4
	WORD	$0x4e3f1c42	// and v2.16b, v2.16b, v31.16b
	WORD	$0x4e3f1c63	// and v3.16b, v3.16b, v31.16b
	WORD	$0x4e3f1c84	// and v4.16b, v4.16b, v31.16b
	WORD	$0x4e3f1ca5	// and v5.16b, v5.16b, v31.16b
	WORD	$0x4f80e850	// sdot v16.4s, v2.16b, v0.4b[2]
	WORD	$0x4f80e871	// sdot v17.4s, v3.16b, v0.4b[2]
	WORD	$0x4f80e892	// sdot v18.4s, v4.16b, v0.4b[2]
	WORD	$0x4f80e8b3	// sdot v19.4s, v5.16b, v0.4b[2]
	WORD	$0x4f81e8d0	// sdot v16.4s, v6.16b, v1.4b[2]
	WORD	$0x4f81e8f1	// sdot v17.4s, v7.16b, v1.4b[2]
	WORD	$0x4f81e912	// sdot v18.4s, v8.16b, v1.4b[2]
	WORD	$0x4f81e933	// sdot v19.4s, v9.16b, v1.4b[2]
	VLD1.P	64(R0), [V2.B16, V3.B16, V4.B16, V5.B16]
	WORD	$0x6f0c0446	// ushr v6.16b, v2.16b, #4
	WORD	$0x6f0c0467	// ushr v7.16b, v3.16b, #4
	WORD	$0x6f0c0488	// ushr v8.16b, v4.16b, #4
	WORD	$0x6f0c04a9	// ushr v9.16b, v5.16b, #4
	WORD	$0x4e3f1c42	// and v2.16b, v2.16b, v31.16b
	WORD	$0x4e3f1c63	// and v3.16b, v3.16b, v31.16b
	WORD	$0x4e3f1c84	// and v4.16b, v4.16b, v31.16b
	WORD	$0x4e3f1ca5	// and v5.16b, v5.16b, v31.16b
	WORD	$0x4fa0e850	// sdot v16.4s, v2.16b, v0.4b[3]
	WORD	$0x4fa0e871	// sdot v17.4s, v3.16b, v0.4b[3]
	WORD	$0x4fa0e892	// sdot v18.4s, v4.16b, v0.4b[3]
	WORD	$0x4fa0e8b3	// sdot v19.4s, v5.16b, v0.4b[3]
	WORD	$0x4fa1e8d0	// sdot v16.4s, v6.16b, v1.4b[3]
	WORD	$0x4fa1e8f1	// sdot v17.4s, v7.16b, v1.4b[3]
	WORD	$0x4fa1e912	// sdot v18.4s, v8.16b, v1.4b[3]
	WORD	$0x4fa1e933	// sdot v19.4s, v9.16b, v1.4b[3]
	IL_SCALE
	ADD	$4, R10
	SUBS	$1, R11, R11
	BNE	q4nblock

q4nstore:
	VST1.P	[V20.S4, V21.S4, V22.S4, V23.S4], 64(R6)
	SUBS	$1, R1, R1
	BNE	q4ngroup

q4ndone:
	RET

// func gemvQ5_0x16SDOT(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)
TEXT ·gemvQ5_0x16SDOT(SB), NOSPLIT, $0-136
	IL_ARGS
	MOVW	$0x0f0f0f0f, R9
	VDUP	R9, V31.S4
	MOVW	$0x10101010, R9
	VDUP	R9, V15.S4
	CBZ	R1, q5ndone

q5ngroup:
	IL_GROUP
	CBZ	R11, q5nstore

q5nblock:
	IL_BLOCK
	VLD1.P	64(R0), [V8.B16, V9.B16, V10.B16, V11.B16]
	IL_BIAS
	VLD1.P	64(R0), [V2.B16, V3.B16, V4.B16, V5.B16]
	WORD	$0x6f0c045a	// ushr v26.16b, v2.16b, #4
	WORD	$0x6f0c047b	// ushr v27.16b, v3.16b, #4
	WORD	$0x6f0c049c	// ushr v28.16b, v4.16b, #4
	WORD	$0x6f0c04bd	// ushr v29.16b, v5.16b, #4
	WORD	$0x4e3f1c42	// and v2.16b, v2.16b, v31.16b
	WORD	$0x4e3f1c63	// and v3.16b, v3.16b, v31.16b
	WORD	$0x4e3f1c84	// and v4.16b, v4.16b, v31.16b
	WORD	$0x4e3f1ca5	// and v5.16b, v5.16b, v31.16b
	WORD	$0x4f24550c	// shl v12.4s, v8.4s, #4
	WORD	$0x4e2f1d8c	// and v12.16b, v12.16b, v15.16b
	WORD	$0x4eac1c42	// orr v2.16b, v2.16b, v12.16b
	WORD	$0x4e2f1d0d	// and v13.16b, v8.16b, v15.16b
	WORD	$0x4ead1f5a	// orr v26.16b, v26.16b, v13.16b
	WORD	$0x4f24552c	// shl v12.4s, v9.4s, #4
	WORD	$0x4e2f1d8c	// and v12.16b, v12.16b, v15.16b
	WORD	$0x4eac1c63	// orr v3.16b, v3.16b, v12.16b
	WORD	$0x4e2f1d2d	// and v13.16b, v9.16b, v15.16b
	WORD	$0x4ead1f7b	// orr v27.16b, v27.16b, v13.16b
	WORD	$0x4f24554c	// shl v12.4s, v10.4s, #4
	WORD	$0x4e2f1d8c	// and v12.16b, v12.16b, v15.16b
	WORD	$0x4eac1c84	// orr v4.16b, v4.16b, v12.16b
	WORD	$0x4e2f1d4d	// and v13.16b, v10.16b, v15.16b
	WORD	$0x4ead1f9c	// orr v28.16b, v28.16b, v13.16b
	WORD	$0x4f24556c	// shl v12.4s, v11.4s, #4
	WORD	$0x4e2f1d8c	// and v12.16b, v12.16b, v15.16b
	WORD	$0x4eac1ca5	// orr v5.16b, v5.16b, v12.16b
	WORD	$0x4e2f1d6d	// and v13.16b, v11.16b, v15.16b
	WORD	$0x4ead1fbd	// orr v29.16b, v29.16b, v13.16b
	WORD	$0x4f80e050	// sdot v16.4s, v2.16b, v0.4b[0]
	WORD	$0x4f80e071	// sdot v17.4s, v3.16b, v0.4b[0]
	WORD	$0x4f80e092	// sdot v18.4s, v4.16b, v0.4b[0]
	WORD	$0x4f80e0b3	// sdot v19.4s, v5.16b, v0.4b[0]
	WORD	$0x4f81e350	// sdot v16.4s, v26.16b, v1.4b[0]
	WORD	$0x4f81e371	// sdot v17.4s, v27.16b, v1.4b[0]
	WORD	$0x4f81e392	// sdot v18.4s, v28.16b, v1.4b[0]
	WORD	$0x4f81e3b3	// sdot v19.4s, v29.16b, v1.4b[0]
	VLD1.P	64(R0), [V2.B16, V3.B16, V4.B16, V5.B16]
	WORD	$0x6f0c045a	// ushr v26.16b, v2.16b, #4
	WORD	$0x6f0c047b	// ushr v27.16b, v3.16b, #4
	WORD	$0x6f0c049c	// ushr v28.16b, v4.16b, #4
	WORD	$0x6f0c04bd	// ushr v29.16b, v5.16b, #4
	WORD	$0x4e3f1c42	// and v2.16b, v2.16b, v31.16b
	WORD	$0x4e3f1c63	// and v3.16b, v3.16b, v31.16b
	WORD	$0x4e3f1c84	// and v4.16b, v4.16b, v31.16b
	WORD	$0x4e3f1ca5	// and v5.16b, v5.16b, v31.16b
	WORD	$0x4f23550c	// shl v12.4s, v8.4s, #3
	WORD	$0x4e2f1d8c	// and v12.16b, v12.16b, v15.16b
	WORD	$0x4eac1c42	// orr v2.16b, v2.16b, v12.16b
	WORD	$0x6f3f050d	// ushr v13.4s, v8.4s, #1
	WORD	$0x4e2f1dad	// and v13.16b, v13.16b, v15.16b
	WORD	$0x4ead1f5a	// orr v26.16b, v26.16b, v13.16b
	WORD	$0x4f23552c	// shl v12.4s, v9.4s, #3
	WORD	$0x4e2f1d8c	// and v12.16b, v12.16b, v15.16b
	WORD	$0x4eac1c63	// orr v3.16b, v3.16b, v12.16b
	WORD	$0x6f3f052d	// ushr v13.4s, v9.4s, #1
	WORD	$0x4e2f1dad	// and v13.16b, v13.16b, v15.16b
	WORD	$0x4ead1f7b	// orr v27.16b, v27.16b, v13.16b
	WORD	$0x4f23554c	// shl v12.4s, v10.4s, #3
	WORD	$0x4e2f1d8c	// and v12.16b, v12.16b, v15.16b
	WORD	$0x4eac1c84	// orr v4.16b, v4.16b, v12.16b
	WORD	$0x6f3f054d	// ushr v13.4s, v10.4s, #1
	WORD	$0x4e2f1dad	// and v13.16b, v13.16b, v15.16b
	WORD	$0x4ead1f9c	// orr v28.16b, v28.16b, v13.16b
	WORD	$0x4f23556c	// shl v12.4s, v11.4s, #3
	WORD	$0x4e2f1d8c	// and v12.16b, v12.16b, v15.16b
	WORD	$0x4eac1ca5	// orr v5.16b, v5.16b, v12.16b
	WORD	$0x6f3f056d	// ushr v13.4s, v11.4s, #1
	WORD	$0x4e2f1dad	// and v13.16b, v13.16b, v15.16b
	WORD	$0x4ead1fbd	// orr v29.16b, v29.16b, v13.16b
	WORD	$0x4fa0e050	// sdot v16.4s, v2.16b, v0.4b[1]
	WORD	$0x4fa0e071	// sdot v17.4s, v3.16b, v0.4b[1]
	WORD	$0x4fa0e092	// sdot v18.4s, v4.16b, v0.4b[1]
	WORD	$0x4fa0e0b3	// sdot v19.4s, v5.16b, v0.4b[1]
	WORD	$0x4fa1e350	// sdot v16.4s, v26.16b, v1.4b[1]
	WORD	$0x4fa1e371	// sdot v17.4s, v27.16b, v1.4b[1]
	WORD	$0x4fa1e392	// sdot v18.4s, v28.16b, v1.4b[1]
	WORD	$0x4fa1e3b3	// sdot v19.4s, v29.16b, v1.4b[1]
	VLD1.P	64(R0), [V2.B16, V3.B16, V4.B16, V5.B16]
	WORD	$0x6f0c045a	// ushr v26.16b, v2.16b, #4
	WORD	$0x6f0c047b	// ushr v27.16b, v3.16b, #4
	WORD	$0x6f0c049c	// ushr v28.16b, v4.16b, #4
	WORD	$0x6f0c04bd	// ushr v29.16b, v5.16b, #4
	WORD	$0x4e3f1c42	// and v2.16b, v2.16b, v31.16b
	WORD	$0x4e3f1c63	// and v3.16b, v3.16b, v31.16b
	WORD	$0x4e3f1c84	// and v4.16b, v4.16b, v31.16b
	WORD	$0x4e3f1ca5	// and v5.16b, v5.16b, v31.16b
	WORD	$0x4f22550c	// shl v12.4s, v8.4s, #2
	WORD	$0x4e2f1d8c	// and v12.16b, v12.16b, v15.16b
	WORD	$0x4eac1c42	// orr v2.16b, v2.16b, v12.16b
	WORD	$0x6f3e050d	// ushr v13.4s, v8.4s, #2
	WORD	$0x4e2f1dad	// and v13.16b, v13.16b, v15.16b
	WORD	$0x4ead1f5a	// orr v26.16b, v26.16b, v13.16b
	WORD	$0x4f22552c	// shl v12.4s, v9.4s, #2
	WORD	$0x4e2f1d8c	// and v12.16b, v12.16b, v15.16b
	WORD	$0x4eac1c63	// orr v3.16b, v3.16b, v12.16b
	WORD	$0x6f3e052d	// ushr v13.4s, v9.4s, #2
	WORD	$0x4e2f1dad	// and v13.16b, v13.16b, v15.16b
	WORD	$0x4ead1f7b	// orr v27.16b, v27.16b, v13.16b
	WORD	$0x4f22554c	// shl v12.4s, v10.4s, #2
	WORD	$0x4e2f1d8c	// and v12.16b, v12.16b, v15.16b
	WORD	$0x4eac1c84	// orr v4.16b, v4.16b, v12.16b
	WORD	$0x6f3e054d	// ushr v13.4s, v10.4s, #2
	WORD	$0x4e2f1dad	// and v13.16b, v13.16b, v15.16b
	WORD	$0x4ead1f9c	// orr v28.16b, v28.16b, v13.16b
	WORD	$0x4f22556c	// shl v12.4s, v11.4s, #2
	WORD	$0x4e2f1d8c	// and v12.16b, v12.16b, v15.16b
	WORD	$0x4eac1ca5	// orr v5.16b, v5.16b, v12.16b
	WORD	$0x6f3e056d	// ushr v13.4s, v11.4s, #2
	WORD	$0x4e2f1dad	// and v13.16b, v13.16b, v15.16b
	WORD	$0x4ead1fbd	// orr v29.16b, v29.16b, v13.16b
	WORD	$0x4f80e850	// sdot v16.4s, v2.16b, v0.4b[2]
	WORD	$0x4f80e871	// sdot v17.4s, v3.16b, v0.4b[2]
	WORD	$0x4f80e892	// sdot v18.4s, v4.16b, v0.4b[2]
	WORD	$0x4f80e8b3	// sdot v19.4s, v5.16b, v0.4b[2]
	WORD	$0x4f81eb50	// sdot v16.4s, v26.16b, v1.4b[2]
	WORD	$0x4f81eb71	// sdot v17.4s, v27.16b, v1.4b[2]
	WORD	$0x4f81eb92	// sdot v18.4s, v28.16b, v1.4b[2]
	WORD	$0x4f81ebb3	// sdot v19.4s, v29.16b, v1.4b[2]
	VLD1.P	64(R0), [V2.B16, V3.B16, V4.B16, V5.B16]
	WORD	$0x6f0c045a	// ushr v26.16b, v2.16b, #4
	WORD	$0x6f0c047b	// ushr v27.16b, v3.16b, #4
	WORD	$0x6f0c049c	// ushr v28.16b, v4.16b, #4
	WORD	$0x6f0c04bd	// ushr v29.16b, v5.16b, #4
	WORD	$0x4e3f1c42	// and v2.16b, v2.16b, v31.16b
	WORD	$0x4e3f1c63	// and v3.16b, v3.16b, v31.16b
	WORD	$0x4e3f1c84	// and v4.16b, v4.16b, v31.16b
	WORD	$0x4e3f1ca5	// and v5.16b, v5.16b, v31.16b
	WORD	$0x4f21550c	// shl v12.4s, v8.4s, #1
	WORD	$0x4e2f1d8c	// and v12.16b, v12.16b, v15.16b
	WORD	$0x4eac1c42	// orr v2.16b, v2.16b, v12.16b
	WORD	$0x6f3d050d	// ushr v13.4s, v8.4s, #3
	WORD	$0x4e2f1dad	// and v13.16b, v13.16b, v15.16b
	WORD	$0x4ead1f5a	// orr v26.16b, v26.16b, v13.16b
	WORD	$0x4f21552c	// shl v12.4s, v9.4s, #1
	WORD	$0x4e2f1d8c	// and v12.16b, v12.16b, v15.16b
	WORD	$0x4eac1c63	// orr v3.16b, v3.16b, v12.16b
	WORD	$0x6f3d052d	// ushr v13.4s, v9.4s, #3
	WORD	$0x4e2f1dad	// and v13.16b, v13.16b, v15.16b
	WORD	$0x4ead1f7b	// orr v27.16b, v27.16b, v13.16b
	WORD	$0x4f21554c	// shl v12.4s, v10.4s, #1
	WORD	$0x4e2f1d8c	// and v12.16b, v12.16b, v15.16b
	WORD	$0x4eac1c84	// orr v4.16b, v4.16b, v12.16b
	WORD	$0x6f3d054d	// ushr v13.4s, v10.4s, #3
	WORD	$0x4e2f1dad	// and v13.16b, v13.16b, v15.16b
	WORD	$0x4ead1f9c	// orr v28.16b, v28.16b, v13.16b
	WORD	$0x4f21556c	// shl v12.4s, v11.4s, #1
	WORD	$0x4e2f1d8c	// and v12.16b, v12.16b, v15.16b
	WORD	$0x4eac1ca5	// orr v5.16b, v5.16b, v12.16b
	WORD	$0x6f3d056d	// ushr v13.4s, v11.4s, #3
	WORD	$0x4e2f1dad	// and v13.16b, v13.16b, v15.16b
	WORD	$0x4ead1fbd	// orr v29.16b, v29.16b, v13.16b
	WORD	$0x4fa0e850	// sdot v16.4s, v2.16b, v0.4b[3]
	WORD	$0x4fa0e871	// sdot v17.4s, v3.16b, v0.4b[3]
	WORD	$0x4fa0e892	// sdot v18.4s, v4.16b, v0.4b[3]
	WORD	$0x4fa0e8b3	// sdot v19.4s, v5.16b, v0.4b[3]
	WORD	$0x4fa1eb50	// sdot v16.4s, v26.16b, v1.4b[3]
	WORD	$0x4fa1eb71	// sdot v17.4s, v27.16b, v1.4b[3]
	WORD	$0x4fa1eb92	// sdot v18.4s, v28.16b, v1.4b[3]
	WORD	$0x4fa1ebb3	// sdot v19.4s, v29.16b, v1.4b[3]
	IL_SCALE
	ADD	$4, R10
	SUBS	$1, R11, R11
	BNE	q5nblock

q5nstore:
	VST1.P	[V20.S4, V21.S4, V22.S4, V23.S4], 64(R6)
	SUBS	$1, R1, R1
	BNE	q5ngroup

q5ndone:
	RET
