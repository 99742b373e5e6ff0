//go:build !noasm

#include "textflag.h"

// One query's attention over the cache (attention.go) on NEON: the NEON
// twins of attention_one_amd64.s's AVX2 kernels, four lanes a vector. Head
// sizes are multiples of four. Vector FADD, FADDP are WORD-encoded (the
// comment is the instruction in ARM syntax).

// func attnScoresNEON(q, k []float32, stride, n int, scale float32, out []float32)
//
// out[p] = scale · Σ_i q[i]·k[p·stride+i], position by position: two
// vectors a step (even ones summed into V16, odd ones into V17), one for
// an odd last, then V16+V17 and its lanes pairwise.
TEXT ·attnScoresNEON(SB), NOSPLIT, $0-96
	MOVD	q_base+0(FP), R0
	MOVD	q_len+8(FP), R1
	MOVD	k_base+24(FP), R2
	MOVD	stride+48(FP), R3
	LSL	$2, R3, R3
	MOVD	n+56(FP), R4
	FMOVS	scale+64(FP), F31
	MOVD	out_base+72(FP), R5
	CBZ	R4, sdone
spos:
	VEOR	V16.B16, V16.B16, V16.B16
	VEOR	V17.B16, V17.B16, V17.B16
	MOVD	R0, R6
	MOVD	R2, R7
	MOVD	R1, R8
spair:
	CMP	$8, R8
	BLT	sone
	VLD1.P	32(R6), [V0.S4, V1.S4]
	VLD1.P	32(R7), [V2.S4, V3.S4]
	VFMLA	V0.S4, V2.S4, V16.S4
	VFMLA	V1.S4, V3.S4, V17.S4
	SUB	$8, R8
	B	spair
sone:
	CBZ	R8, sreduce
	VLD1	(R6), [V0.S4]
	VLD1	(R7), [V2.S4]
	VFMLA	V0.S4, V2.S4, V16.S4
sreduce:
	WORD	$0x4e31d610	// FADD V16.4S, V16.4S, V17.4S
	WORD	$0x6e30d610	// FADDP V16.4S, V16.4S, V16.4S
	WORD	$0x7e30da00	// FADDP S0, V16.2S
	FMULS	F31, F0, F0
	FMOVS.P	F0, 4(R5)
	ADD	R3, R2, R2
	SUB	$1, R4
	CBNZ	R4, spos
sdone:
	RET

// func attnMixNEON(s, v []float32, stride int, out []float32)
//
// out[i] += Σ_p s[p]·v[p·stride+i], in p order with one FMA per term (as
// axpy into out would): blocks of four vectors, then one at a time.
TEXT ·attnMixNEON(SB), NOSPLIT, $0-80
	MOVD	s_base+0(FP), R0
	MOVD	s_len+8(FP), R1
	MOVD	v_base+24(FP), R2
	MOVD	stride+48(FP), R3
	LSL	$2, R3, R3
	MOVD	out_base+56(FP), R4
	MOVD	out_len+64(FP), R5
mfour:
	CMP	$16, R5
	BLT	mone
	VLD1	(R4), [V0.S4, V1.S4, V2.S4, V3.S4]
	MOVD	R0, R6
	MOVD	R2, R7
	MOVD	R1, R8
	CBZ	R8, mfourstore
mfourpos:
	FMOVS.P	4(R6), F4
	VDUP	V4.S[0], V5.S4
	VLD1	(R7), [V8.S4, V9.S4, V10.S4, V11.S4]
	VFMLA	V8.S4, V5.S4, V0.S4
	VFMLA	V9.S4, V5.S4, V1.S4
	VFMLA	V10.S4, V5.S4, V2.S4
	VFMLA	V11.S4, V5.S4, V3.S4
	ADD	R3, R7, R7
	SUB	$1, R8
	CBNZ	R8, mfourpos
mfourstore:
	VST1.P	[V0.S4, V1.S4, V2.S4, V3.S4], 64(R4)
	ADD	$64, R2, R2
	SUB	$16, R5
	B	mfour
mone:
	CBZ	R5, mdone
	VLD1	(R4), [V0.S4]
	MOVD	R0, R6
	MOVD	R2, R7
	MOVD	R1, R8
	CBZ	R8, monestore
monepos:
	FMOVS.P	4(R6), F4
	VDUP	V4.S[0], V5.S4
	VLD1	(R7), [V8.S4]
	VFMLA	V8.S4, V5.S4, V0.S4
	ADD	R3, R7, R7
	SUB	$1, R8
	CBNZ	R8, monepos
monestore:
	VST1.P	[V0.S4], 16(R4)
	ADD	$16, R2, R2
	SUB	$4, R5
	B	mone
mdone:
	RET
