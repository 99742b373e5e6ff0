//go:build !noasm

#include "textflag.h"

// NEON exponentials for softmax and SwiGLU, four lanes at a time; the Go
// wrappers in ops_arm64.go do the last len%4 values through a padded buffer.
// exp(x) = 2^n·exp(r) with a Cody-Waite reduction and a degree-6 polynomial:
// relative error a few 1e-7, inside the contract's 2e-6.

// func expShiftNEON4(x []float32, shift float32) float32
TEXT ·expShiftNEON4(SB), NOSPLIT, $0-36
	MOVD	x_base+0(FP), R0
	MOVD	x_len+8(FP), R2
	FMOVS	shift+24(FP), F5
	VDUP	V5.S[0], V19.S4
	MOVW	$0x3fb8aa3b, R5	// log2(e)
	VDUP	R5, V31.S4
	MOVW	$0x3f318000, R5	// ln2 high part (exact in few bits)
	VDUP	R5, V30.S4
	MOVW	$0xb95e8083, R5	// ln2 low part: ln2 - high
	VDUP	R5, V29.S4
	MOVW	$0xc2d00000, R5	// -104: below it exp rounds to 0 in float32
	VDUP	R5, V28.S4
	MOVW	$0x42b170a4, R5	// 88.72: just under ln(MaxFloat32)
	VDUP	R5, V27.S4
	MOVW	$0x3ab60b61, R5	// 1/720
	VDUP	R5, V26.S4
	MOVW	$0x3c088889, R5	// 1/120
	VDUP	R5, V25.S4
	MOVW	$0x3d2aaaab, R5	// 1/24
	VDUP	R5, V24.S4
	MOVW	$0x3e2aaaab, R5	// 1/6
	VDUP	R5, V23.S4
	MOVW	$0x3f000000, R5	// 1/2
	VDUP	R5, V22.S4
	MOVW	$0x3f800000, R5	// 1
	VDUP	R5, V21.S4
	MOVW	$127, R5
	VDUP	R5, V20.S4
	VEOR	V18.B16, V18.B16, V18.B16
exploop:
	CBZ	R2, expdone
	VLD1	(R0), [V16.S4]
	WORD	$0x4eb3d610	// FSUB V16.4S, V16.4S, V19.4S
	WORD	$0x4e3cf610	// FMAX V16.4S, V16.4S, V28.4S
	WORD	$0x4ebbf610	// FMIN V16.4S, V16.4S, V27.4S
	// x = n·ln2 + r with n = round(x·log2 e), |r| <= ln2/2
	WORD	$0x6e3fde00	// FMUL V0.4S, V16.4S, V31.4S
	WORD	$0x4e218800	// FRINTN V0.4S, V0.4S
	VORR	V16.B16, V16.B16, V1.B16
	VFMLS	V0.S4, V30.S4, V1.S4
	VFMLS	V0.S4, V29.S4, V1.S4
	// exp(r) by its Taylor polynomial to r^6 (error < 2e-7 relative), Horner's rule
	VORR	V26.B16, V26.B16, V2.B16
	VORR	V25.B16, V25.B16, V3.B16
	VFMLA	V2.S4, V1.S4, V3.S4
	VORR	V24.B16, V24.B16, V2.B16
	VFMLA	V3.S4, V1.S4, V2.S4
	VORR	V23.B16, V23.B16, V3.B16
	VFMLA	V2.S4, V1.S4, V3.S4
	VORR	V22.B16, V22.B16, V2.B16
	VFMLA	V3.S4, V1.S4, V2.S4
	VORR	V21.B16, V21.B16, V3.B16
	VFMLA	V2.S4, V1.S4, V3.S4
	VORR	V21.B16, V21.B16, V2.B16
	VFMLA	V3.S4, V1.S4, V2.S4
	// times 2^n as two factors 2^(n>>1)·2^(n-(n>>1)), each a normal float,
	// so results that are subnormal round only once
	WORD	$0x4ea1b800	// FCVTZS V0.4S, V0.4S
	WORD	$0x4f3f0404	// SSHR V4.4S, V0.4S, #1
	VSUB	V4.S4, V0.S4, V0.S4
	VADD	V20.S4, V4.S4, V4.S4
	VADD	V20.S4, V0.S4, V0.S4
	VSHL	$23, V4.S4, V4.S4
	VSHL	$23, V0.S4, V0.S4
	WORD	$0x6e24dc42	// FMUL V2.4S, V2.4S, V4.4S
	WORD	$0x6e20dc51	// FMUL V17.4S, V2.4S, V0.4S
	WORD	$0x4e31d652	// FADD V18.4S, V18.4S, V17.4S
	VST1.P	[V17.S4], 16(R0)
	SUB	$4, R2
	B	exploop
expdone:
	WORD	$0x6e32d652	// FADDP V18.4S, V18.4S, V18.4S
	WORD	$0x7e30da40	// FADDP S0, V18.2S
	FMOVS	F0, ret+32(FP)
	RET

// func siluMulNEON4(gate, up []float32)
TEXT ·siluMulNEON4(SB), NOSPLIT, $0-48
	MOVD	gate_base+0(FP), R0
	MOVD	gate_len+8(FP), R2
	MOVD	up_base+24(FP), R1
	MOVW	$0x3fb8aa3b, R5	// log2(e)
	VDUP	R5, V31.S4
	MOVW	$0x3f318000, R5	// ln2 high part (exact in few bits)
	VDUP	R5, V30.S4
	MOVW	$0xb95e8083, R5	// ln2 low part: ln2 - high
	VDUP	R5, V29.S4
	MOVW	$0xc2d00000, R5	// -104: below it exp rounds to 0 in float32
	VDUP	R5, V28.S4
	MOVW	$0x42b170a4, R5	// 88.72: just under ln(MaxFloat32)
	VDUP	R5, V27.S4
	MOVW	$0x3ab60b61, R5	// 1/720
	VDUP	R5, V26.S4
	MOVW	$0x3c088889, R5	// 1/120
	VDUP	R5, V25.S4
	MOVW	$0x3d2aaaab, R5	// 1/24
	VDUP	R5, V24.S4
	MOVW	$0x3e2aaaab, R5	// 1/6
	VDUP	R5, V23.S4
	MOVW	$0x3f000000, R5	// 1/2
	VDUP	R5, V22.S4
	MOVW	$0x3f800000, R5	// 1
	VDUP	R5, V21.S4
	MOVW	$127, R5
	VDUP	R5, V20.S4
siluloop:
	CBZ	R2, siludone
	VLD1	(R0), [V16.S4]
	VLD1.P	16(R1), [V17.S4]
	WORD	$0x6ea0fa12	// FNEG V18.4S, V16.4S
	WORD	$0x4e3cf652	// FMAX V18.4S, V18.4S, V28.4S
	WORD	$0x4ebbf652	// FMIN V18.4S, V18.4S, V27.4S
	// x = n·ln2 + r with n = round(x·log2 e), |r| <= ln2/2
	WORD	$0x6e3fde40	// FMUL V0.4S, V18.4S, V31.4S
	WORD	$0x4e218800	// FRINTN V0.4S, V0.4S
	VORR	V18.B16, V18.B16, V1.B16
	VFMLS	V0.S4, V30.S4, V1.S4
	VFMLS	V0.S4, V29.S4, V1.S4
	// exp(r) by its Taylor polynomial to r^6 (error < 2e-7 relative), Horner's rule
	VORR	V26.B16, V26.B16, V2.B16
	VORR	V25.B16, V25.B16, V3.B16
	VFMLA	V2.S4, V1.S4, V3.S4
	VORR	V24.B16, V24.B16, V2.B16
	VFMLA	V3.S4, V1.S4, V2.S4
	VORR	V23.B16, V23.B16, V3.B16
	VFMLA	V2.S4, V1.S4, V3.S4
	VORR	V22.B16, V22.B16, V2.B16
	VFMLA	V3.S4, V1.S4, V2.S4
	VORR	V21.B16, V21.B16, V3.B16
	VFMLA	V2.S4, V1.S4, V3.S4
	VORR	V21.B16, V21.B16, V2.B16
	VFMLA	V3.S4, V1.S4, V2.S4
	// times 2^n as two factors 2^(n>>1)·2^(n-(n>>1)), each a normal float,
	// so results that are subnormal round only once
	WORD	$0x4ea1b800	// FCVTZS V0.4S, V0.4S
	WORD	$0x4f3f0404	// SSHR V4.4S, V0.4S, #1
	VSUB	V4.S4, V0.S4, V0.S4
	VADD	V20.S4, V4.S4, V4.S4
	VADD	V20.S4, V0.S4, V0.S4
	VSHL	$23, V4.S4, V4.S4
	VSHL	$23, V0.S4, V0.S4
	WORD	$0x6e24dc42	// FMUL V2.4S, V2.4S, V4.4S
	WORD	$0x6e20dc53	// FMUL V19.4S, V2.4S, V0.4S
	// gate / (1 + exp(-gate)) · up, in the generic code's order: gate·up
	// first overflowed where the SiLU is tiny and up huge
	WORD	$0x4e35d673	// FADD V19.4S, V19.4S, V21.4S
	WORD	$0x6e33fe10	// FDIV V16.4S, V16.4S, V19.4S
	WORD	$0x6e31de10	// FMUL V16.4S, V16.4S, V17.4S
	VST1.P	[V16.S4], 16(R0)
	SUB	$4, R2
	B	siluloop
siludone:
	RET
