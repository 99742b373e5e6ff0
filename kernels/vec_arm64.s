//go:build !noasm

#include "textflag.h"

// NEON f32 vector kernels. Instructions the Go assembler does not know
// (vector FADD/FMUL, FADDP, by-element forms) are WORD-encoded; the comment
// on each WORD is the instruction in ARM syntax.

// func dotNEON(a, b []float32) float32
TEXT ·dotNEON(SB), NOSPLIT, $0-52
	MOVD	a_base+0(FP), R0
	MOVD	b_base+24(FP), R1
	MOVD	a_len+8(FP), R2
	VEOR	V16.B16, V16.B16, V16.B16
	VEOR	V17.B16, V17.B16, V17.B16
	VEOR	V18.B16, V18.B16, V18.B16
	VEOR	V19.B16, V19.B16, V19.B16
	VEOR	V20.B16, V20.B16, V20.B16
	VEOR	V21.B16, V21.B16, V21.B16
	VEOR	V22.B16, V22.B16, V22.B16
	VEOR	V23.B16, V23.B16, V23.B16
	// 32 values per round into eight independent accumulators: FMLA has a
	// latency of about four cycles and two pipes, so eight chains keep it busy.
dot32:
	CMP	$32, R2
	BLT	dot4
	VLD1.P	64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P	64(R1), [V8.S4, V9.S4, V10.S4, V11.S4]
	VLD1.P	64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	VLD1.P	64(R1), [V12.S4, V13.S4, V14.S4, V15.S4]
	VFMLA	V0.S4, V8.S4, V16.S4
	VFMLA	V1.S4, V9.S4, V17.S4
	VFMLA	V2.S4, V10.S4, V18.S4
	VFMLA	V3.S4, V11.S4, V19.S4
	VFMLA	V4.S4, V12.S4, V20.S4
	VFMLA	V5.S4, V13.S4, V21.S4
	VFMLA	V6.S4, V14.S4, V22.S4
	VFMLA	V7.S4, V15.S4, V23.S4
	SUB	$32, R2
	B	dot32
dot4:
	CMP	$4, R2
	BLT	dotreduce
	VLD1.P	16(R0), [V0.S4]
	VLD1.P	16(R1), [V8.S4]
	VFMLA	V0.S4, V8.S4, V16.S4
	SUB	$4, R2
	B	dot4
dotreduce:
	WORD	$0x4e34d610	// FADD V16.4S, V16.4S, V20.4S
	WORD	$0x4e35d631	// FADD V17.4S, V17.4S, V21.4S
	WORD	$0x4e36d652	// FADD V18.4S, V18.4S, V22.4S
	WORD	$0x4e37d673	// FADD V19.4S, V19.4S, V23.4S
	WORD	$0x4e31d610	// FADD V16.4S, V16.4S, V17.4S
	WORD	$0x4e33d652	// FADD V18.4S, V18.4S, V19.4S
	WORD	$0x4e32d610	// FADD V16.4S, V16.4S, V18.4S
	WORD	$0x6e30d610	// FADDP V16.4S, V16.4S, V16.4S
	WORD	$0x7e30da00	// FADDP S0, V16.2S
dottail:
	CBZ	R2, dotdone
	FMOVS.P	4(R0), F1
	FMOVS.P	4(R1), F2
	FMADDS	F1, F0, F2, F0
	SUB	$1, R2
	B	dottail
dotdone:
	FMOVS	F0, ret+48(FP)
	RET

// func axpyNEON(alpha float32, x, y []float32)
//
// alpha lives in V31 (F31 in the scalar tail): V0..V7 carry the data.
TEXT ·axpyNEON(SB), NOSPLIT, $0-56
	FMOVS	alpha+0(FP), F0
	MOVD	x_base+8(FP), R0
	MOVD	x_len+16(FP), R2
	MOVD	y_base+32(FP), R1
	VDUP	V0.S[0], V31.S4
axpy16:
	CMP	$16, R2
	BLT	axpy4
	VLD1.P	64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1	(R1), [V4.S4, V5.S4, V6.S4, V7.S4]
	VFMLA	V0.S4, V31.S4, V4.S4
	VFMLA	V1.S4, V31.S4, V5.S4
	VFMLA	V2.S4, V31.S4, V6.S4
	VFMLA	V3.S4, V31.S4, V7.S4
	VST1.P	[V4.S4, V5.S4, V6.S4, V7.S4], 64(R1)
	SUB	$16, R2
	B	axpy16
axpy4:
	CMP	$4, R2
	BLT	axpytail
	VLD1.P	16(R0), [V0.S4]
	VLD1	(R1), [V4.S4]
	VFMLA	V0.S4, V31.S4, V4.S4
	VST1.P	[V4.S4], 16(R1)
	SUB	$4, R2
	B	axpy4
axpytail:
	CBZ	R2, axpydone
	FMOVS.P	4(R0), F1
	FMOVS	(R1), F2
	FMADDS	F1, F2, F31, F2
	FMOVS.P	F2, 4(R1)
	SUB	$1, R2
	B	axpytail
axpydone:
	RET

// func scaleNEON(alpha float32, x []float32)
TEXT ·scaleNEON(SB), NOSPLIT, $0-32
	FMOVS	alpha+0(FP), F0
	MOVD	x_base+8(FP), R0
	MOVD	x_len+16(FP), R2
	VDUP	V0.S[0], V31.S4
scale16:
	CMP	$16, R2
	BLT	scale4
	VLD1	(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	WORD	$0x6e3fdc84	// FMUL V4.4S, V4.4S, V31.4S
	WORD	$0x6e3fdca5	// FMUL V5.4S, V5.4S, V31.4S
	WORD	$0x6e3fdcc6	// FMUL V6.4S, V6.4S, V31.4S
	WORD	$0x6e3fdce7	// FMUL V7.4S, V7.4S, V31.4S
	VST1.P	[V4.S4, V5.S4, V6.S4, V7.S4], 64(R0)
	SUB	$16, R2
	B	scale16
scale4:
	CMP	$4, R2
	BLT	scaletail
	VLD1	(R0), [V4.S4]
	WORD	$0x6e3fdc84	// FMUL V4.4S, V4.4S, V31.4S
	VST1.P	[V4.S4], 16(R0)
	SUB	$4, R2
	B	scale4
scaletail:
	CBZ	R2, scaledone
	FMOVS	(R0), F1
	FMULS	F0, F1, F1
	FMOVS.P	F1, 4(R0)
	SUB	$1, R2
	B	scaletail
scaledone:
	RET

// func sumNEON(x []float32) float32
TEXT ·sumNEON(SB), NOSPLIT, $0-28
	MOVD	x_base+0(FP), R0
	MOVD	x_len+8(FP), R2
	VEOR	V16.B16, V16.B16, V16.B16
	VEOR	V17.B16, V17.B16, V17.B16
	VEOR	V18.B16, V18.B16, V18.B16
	VEOR	V19.B16, V19.B16, V19.B16
	VEOR	V20.B16, V20.B16, V20.B16
	VEOR	V21.B16, V21.B16, V21.B16
	VEOR	V22.B16, V22.B16, V22.B16
	VEOR	V23.B16, V23.B16, V23.B16
sum32:
	CMP	$32, R2
	BLT	sum4
	VLD1.P	64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P	64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	WORD	$0x4e20d610	// FADD V16.4S, V16.4S, V0.4S
	WORD	$0x4e21d631	// FADD V17.4S, V17.4S, V1.4S
	WORD	$0x4e22d652	// FADD V18.4S, V18.4S, V2.4S
	WORD	$0x4e23d673	// FADD V19.4S, V19.4S, V3.4S
	WORD	$0x4e24d694	// FADD V20.4S, V20.4S, V4.4S
	WORD	$0x4e25d6b5	// FADD V21.4S, V21.4S, V5.4S
	WORD	$0x4e26d6d6	// FADD V22.4S, V22.4S, V6.4S
	WORD	$0x4e27d6f7	// FADD V23.4S, V23.4S, V7.4S
	SUB	$32, R2
	B	sum32
sum4:
	CMP	$4, R2
	BLT	sumreduce
	VLD1.P	16(R0), [V0.S4]
	WORD	$0x4e20d610	// FADD V16.4S, V16.4S, V0.4S
	SUB	$4, R2
	B	sum4
sumreduce:
	WORD	$0x4e34d610	// FADD V16.4S, V16.4S, V20.4S
	WORD	$0x4e35d631	// FADD V17.4S, V17.4S, V21.4S
	WORD	$0x4e36d652	// FADD V18.4S, V18.4S, V22.4S
	WORD	$0x4e37d673	// FADD V19.4S, V19.4S, V23.4S
	WORD	$0x4e31d610	// FADD V16.4S, V16.4S, V17.4S
	WORD	$0x4e33d652	// FADD V18.4S, V18.4S, V19.4S
	WORD	$0x4e32d610	// FADD V16.4S, V16.4S, V18.4S
	WORD	$0x6e30d610	// FADDP V16.4S, V16.4S, V16.4S
	WORD	$0x7e30da00	// FADDP S0, V16.2S
sumtail:
	CBZ	R2, sumdone
	FMOVS.P	4(R0), F1
	FADDS	F1, F0, F0
	SUB	$1, R2
	B	sumtail
sumdone:
	FMOVS	F0, ret+24(FP)
	RET

// func peakFMANEON(iters int) int64
//
// Sixteen independent FMA chains of four lanes: enough to cover FMLA latency
// on two or four pipes. Each round is 16 FMLAs = 128 flops.
TEXT ·peakFMANEON(SB), NOSPLIT, $0-16
	MOVD	iters+0(FP), R0
	MOVD	R0, R1
	// acc += 1.0 × 0.5: the chains grow linearly and never reach subnormals.
	FMOVS	$1.0, F0
	VDUP	V0.S[0], V30.S4
	FMOVS	$0.5, F1
	VDUP	V1.S[0], V31.S4
	VEOR	V16.B16, V16.B16, V16.B16
	VEOR	V17.B16, V17.B16, V17.B16
	VEOR	V18.B16, V18.B16, V18.B16
	VEOR	V19.B16, V19.B16, V19.B16
	VEOR	V20.B16, V20.B16, V20.B16
	VEOR	V21.B16, V21.B16, V21.B16
	VEOR	V22.B16, V22.B16, V22.B16
	VEOR	V23.B16, V23.B16, V23.B16
	VEOR	V24.B16, V24.B16, V24.B16
	VEOR	V25.B16, V25.B16, V25.B16
	VEOR	V26.B16, V26.B16, V26.B16
	VEOR	V27.B16, V27.B16, V27.B16
	VEOR	V8.B16, V8.B16, V8.B16
	VEOR	V9.B16, V9.B16, V9.B16
	VEOR	V10.B16, V10.B16, V10.B16
	VEOR	V11.B16, V11.B16, V11.B16
peakloop:
	CBZ	R0, peakdone
	VFMLA	V30.S4, V31.S4, V16.S4
	VFMLA	V30.S4, V31.S4, V17.S4
	VFMLA	V30.S4, V31.S4, V18.S4
	VFMLA	V30.S4, V31.S4, V19.S4
	VFMLA	V30.S4, V31.S4, V20.S4
	VFMLA	V30.S4, V31.S4, V21.S4
	VFMLA	V30.S4, V31.S4, V22.S4
	VFMLA	V30.S4, V31.S4, V23.S4
	VFMLA	V30.S4, V31.S4, V24.S4
	VFMLA	V30.S4, V31.S4, V25.S4
	VFMLA	V30.S4, V31.S4, V26.S4
	VFMLA	V30.S4, V31.S4, V27.S4
	VFMLA	V30.S4, V31.S4, V8.S4
	VFMLA	V30.S4, V31.S4, V9.S4
	VFMLA	V30.S4, V31.S4, V10.S4
	VFMLA	V30.S4, V31.S4, V11.S4
	SUB	$1, R0
	B	peakloop
peakdone:
	// Assembly is never elided by the compiler, so the count need not be
	// derived from the registers: 16 FMLAs × 4 lanes × 2 flops per round.
	LSL	$7, R1, R1
	MOVD	R1, ret+8(FP)
	RET
