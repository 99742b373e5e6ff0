//go:build !noasm

#include "textflag.h"

// The bit-exact kernels' vector forms (bitexact_*.go): ExpScaled on eight
// lanes (AVX2, used at both levels), SwiGLU and its backward on sixteen
// (AVX-512) and eight (AVX2), SoftmaxGrad on eight. Each computes the Go
// loop's operations in its order, each rounded on its own, so the results
// are the Go loops' bits.

// EXPCORECONSTS loads expConsts (at R8) and the table (at R9) for EXPCORE
// and EXPNEG: ExpCore's constants into Z23–Z31, the integer 127 into Z19,
// and +Inf, −0, ExpMinArg for Exp's guards into Z17, Z18, Z22.
#define EXPCORECONSTS \
	VBROADCASTSS 0(R8), Z24; \
	VBROADCASTSS 4(R8), Z25; \
	VBROADCASTSS 8(R8), Z26; \
	VBROADCASTSS 12(R8), Z27; \
	VBROADCASTSS 16(R8), Z28; \
	VBROADCASTSS 20(R8), Z29; \
	VBROADCASTSS 24(R8), Z30; \
	VBROADCASTSS 28(R8), Z23; \
	VMOVUPS (R9), Z31; \
	VPBROADCASTD 44(R8), Z19; \
	VBROADCASTSS 32(R8), Z17; \
	VBROADCASTSS 36(R8), Z18; \
	VBROADCASTSS 40(R8), Z22

// EXPCORE computes ExpCore(y) into out on sixteen lanes, every operation
// in its order and rounded on its own (no FMA): kf = (y·16/ln2 + magic) −
// magic, r = (y − kf·hi) − kf·lo, 2^(k>>4) through the exponent bits,
// 2^((k&15)/16) by VPERMPS from the table, e^r by its cubic in Horner form.
// y must lie in [ExpMinArg, ExpMaxArg] where the result is used. Clobbers
// Z1–Z8.
#define EXPCORE(y, out) \
	VMULPS Z24, y, Z1; \
	VADDPS Z25, Z1, Z1; \
	VSUBPS Z25, Z1, Z1; \
	VMULPS Z26, Z1, Z2; \
	VSUBPS Z2, y, Z2; \
	VMULPS Z27, Z1, Z3; \
	VSUBPS Z3, Z2, Z2; \
	VCVTTPS2DQ Z1, Z4; \
	VPSRAD $4, Z4, Z5; \
	VPADDD Z19, Z5, Z5; \
	VPSLLD $23, Z5, Z5; \
	VPERMPS Z31, Z4, Z6; \
	VMULPS Z6, Z5, Z7; \
	VMULPS Z28, Z2, Z8; \
	VADDPS Z29, Z8, Z8; \
	VMULPS Z8, Z2, Z8; \
	VADDPS Z30, Z8, Z8; \
	VMULPS Z8, Z2, Z8; \
	VADDPS Z30, Z8, Z8; \
	VMULPS Z8, Z7, out

// The AVX2 kernels read their constants as whole rows of eight from
// expRows8 (R8): 0 16/ln2, 32 1.5·2²³, 64 ln2/16 head, 96 its tail, 128 1/6,
// 160 0.5, 192 1, 224 ExpMaxArg, 256 +Inf, 288 −0, 320 ExpMinArg, 352 the
// integer 127; and the table's halves from R9 (j < 8, then j ≥ 8).

// EXPCORE8 is EXPCORE on eight lanes: 2^(j/16) from both halves of the
// table by VPERMPS, chosen by bit 3 of k moved to the sign for VBLENDVPS.
// Clobbers Y1–Y8.
#define EXPCORE8(y, out) \
	VMULPS 0(R8), y, Y1; \
	VADDPS 32(R8), Y1, Y1; \
	VSUBPS 32(R8), Y1, Y1; \
	VMULPS 64(R8), Y1, Y2; \
	VSUBPS Y2, y, Y2; \
	VMULPS 96(R8), Y1, Y3; \
	VSUBPS Y3, Y2, Y2; \
	VCVTTPS2DQ Y1, Y4; \
	VPSRAD $4, Y4, Y5; \
	VPADDD 352(R8), Y5, Y5; \
	VPSLLD $23, Y5, Y5; \
	VPERMPS (R9), Y4, Y6; \
	VPERMPS 32(R9), Y4, Y7; \
	VPSLLD $28, Y4, Y4; \
	VBLENDVPS Y4, Y7, Y6, Y6; \
	VMULPS Y6, Y5, Y7; \
	VMULPS 128(R8), Y2, Y8; \
	VADDPS 160(R8), Y8, Y8; \
	VMULPS Y8, Y2, Y8; \
	VADDPS 192(R8), Y8, Y8; \
	VMULPS Y8, Y2, Y8; \
	VADDPS 192(R8), Y8, Y8; \
	VMULPS Y8, Y7, out

// func expScaled8AVX2(x []float32, scale, shift, cut float32, rows *[12][8]float32, table *[16]float32) float32
// ExpScaled (bitexact_exp.go) on len(x)/8 whole vectors: EXPCORE8, lanes
// whose argument is below cut (or NaN) zeroed by compare-and-AND, then the
// sum element by element. Returns that sum.
TEXT ·expScaled8AVX2(SB), NOSPLIT, $0-60
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	SHRQ $3, CX
	VBROADCASTSS scale+24(FP), Y10
	VBROADCASTSS shift+28(FP), Y11
	VBROADCASTSS cut+32(FP), Y12
	MOVQ rows+40(FP), R8
	MOVQ table+48(FP), R9
	VXORPS X15, X15, X15      // the sum
	TESTQ CX, CX
	JZ   done8

loop8:
	VMOVUPS (SI), Y0
	VMULPS Y10, Y0, Y0        // v·scale
	VSUBPS Y11, Y0, Y0        // y
	VCMPPS $0x1d, Y12, Y0, Y9 // y ≥ cut (false for NaN)
	VMINPS 224(R8), Y0, Y0    // y > ExpMaxArg → ExpMaxArg
	EXPCORE8(Y0, Y13)
	VANDPS Y9, Y13, Y13
	VMOVUPS Y13, (SI)
	VADDSS 0(SI), X15, X15
	VADDSS 4(SI), X15, X15
	VADDSS 8(SI), X15, X15
	VADDSS 12(SI), X15, X15
	VADDSS 16(SI), X15, X15
	VADDSS 20(SI), X15, X15
	VADDSS 24(SI), X15, X15
	VADDSS 28(SI), X15, X15
	ADDQ $32, SI
	DECQ CX
	JNZ  loop8

done8:
	VMOVSS X15, ret+56(FP)
	VZEROUPPER
	RET

// EXPNEG8 is EXPNEG on eight lanes (x in Y0, Exp(−x) into Y11); the
// guards by compare and blend. Clobbers Y1–Y10 and Y12.
#define EXPNEG8 \
	VXORPS 288(R8), Y0, Y9; \
	VMAXPS 320(R8), Y9, Y10; \
	VMINPS 224(R8), Y10, Y10; \
	EXPCORE8(Y10, Y11); \
	VCMPPS $0x1e, 224(R8), Y9, Y12; \
	VBLENDVPS Y12, 256(R8), Y11, Y11; \
	VCMPPS $0x11, 320(R8), Y9, Y12; \
	VANDNPS Y11, Y12, Y11; \
	VCMPPS $3, Y9, Y9, Y12; \
	VBLENDVPS Y12, Y9, Y11, Y11

// func swiglu8AVX2(h, g, u []float32, rows *[12][8]float32, table *[16]float32)
// swiglu16AVX512 on eight lanes.
TEXT ·swiglu8AVX2(SB), NOSPLIT, $0-88
	MOVQ h_base+0(FP), DX
	MOVQ g_base+24(FP), SI
	MOVQ g_len+32(FP), CX
	MOVQ u_base+48(FP), DI
	MOVQ rows+72(FP), R8
	MOVQ table+80(FP), R9
	SHRQ $3, CX
	JZ   sw8done

sw8loop:
	VMOVUPS (SI), Y0
	EXPNEG8
	VADDPS 192(R8), Y11, Y11  // 1 + Exp(−x)
	VDIVPS Y11, Y0, Y12       // x / (…)
	VMULPS (DI), Y12, Y12     // · u
	VMOVUPS Y12, (DX)
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, DX
	DECQ CX
	JNZ  sw8loop

sw8done:
	VZEROUPPER
	RET

// func swigluBack8AVX2(dg, du, g, u, dh []float32, rows *[12][8]float32, table *[16]float32)
// swigluBack16AVX512 on eight lanes.
TEXT ·swigluBack8AVX2(SB), NOSPLIT, $0-136
	MOVQ dg_base+0(FP), R10
	MOVQ du_base+24(FP), R11
	MOVQ g_base+48(FP), SI
	MOVQ g_len+56(FP), CX
	MOVQ u_base+72(FP), DI
	MOVQ dh_base+96(FP), R12
	MOVQ rows+120(FP), R8
	MOVQ table+128(FP), R9
	SHRQ $3, CX
	JZ   sb8done

sb8loop:
	VMOVUPS (SI), Y0
	EXPNEG8
	VADDPS 192(R8), Y11, Y11  // 1 + Exp(−x)
	VMOVUPS 192(R8), Y13
	VDIVPS Y11, Y13, Y13      // s
	VMOVUPS (R12), Y14        // dh
	VMULPS Y0, Y14, Y15       // dh·x
	VMULPS Y13, Y15, Y15      // ·s
	VADDPS (R11), Y15, Y15
	VMOVUPS Y15, (R11)        // du += …
	VMOVUPS 192(R8), Y1
	VSUBPS Y13, Y1, Y1        // 1 − s
	VMULPS Y1, Y0, Y1         // x·(1 − s)
	VADDPS 192(R8), Y1, Y1    // 1 + …
	VMULPS (DI), Y14, Y2      // dh·u
	VMULPS Y13, Y2, Y2        // ·s
	VMULPS Y1, Y2, Y2         // ·(1 + x·(1 − s))
	VADDPS (R10), Y2, Y2
	VMOVUPS Y2, (R10)         // dg += …
	ADDQ $32, SI
	ADDQ $32, DI
	ADDQ $32, R10
	ADDQ $32, R11
	ADDQ $32, R12
	DECQ CX
	JNZ  sb8loop

sb8done:
	VZEROUPPER
	RET

// EXPNEG writes Exp(−x) for the x in Z0 into Z11, as Exp's guards have it:
// +Inf above ExpMaxArg, 0 below ExpMinArg, the NaN itself for a NaN; the
// core runs on the argument clamped into range. Z17 = +Inf, Z18 = the sign
// bit, Z22 = ExpMinArg. Clobbers Z1–Z10 and K1–K3.
#define EXPNEG \
	VXORPS Z18, Z0, Z9; \
	VMAXPS Z22, Z9, Z10; \
	VMINPS Z23, Z10, Z10; \
	EXPCORE(Z10, Z11); \
	VCMPPS $0x1e, Z23, Z9, K1; \
	VMOVAPS Z17, K1, Z11; \
	VCMPPS $0x11, Z22, Z9, K2; \
	VXORPS Z11, Z11, K2, Z11; \
	VCMPPS $3, Z9, Z9, K3; \
	VMOVAPS Z9, K3, Z11

// func swiglu16AVX512(h, g, u []float32, consts *[12]float32, table *[16]float32)
// SwiGLU (bitexact_swiglu.go) on len(g)/16 whole vectors: h = g / (1 +
// Exp(−g)) · u, each operation as the Go loop rounds it.
TEXT ·swiglu16AVX512(SB), NOSPLIT, $0-88
	MOVQ h_base+0(FP), DX
	MOVQ g_base+24(FP), SI
	MOVQ g_len+32(FP), CX
	MOVQ u_base+48(FP), DI
	MOVQ consts+72(FP), R8
	MOVQ table+80(FP), R9
	EXPCORECONSTS
	SHRQ $4, CX
	JZ   swdone

swloop:
	VMOVUPS (SI), Z0
	EXPNEG
	VADDPS Z30, Z11, Z11      // 1 + Exp(−x)
	VDIVPS Z11, Z0, Z12       // x / (…)
	VMULPS (DI), Z12, Z12     // · u
	VMOVUPS Z12, (DX)
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, DX
	DECQ CX
	JNZ  swloop

swdone:
	VZEROUPPER
	RET

// func swigluBack16AVX512(dg, du, g, u, dh []float32, consts *[12]float32, table *[16]float32)
// SwiGLUBackward on len(g)/16 whole vectors: s = 1/(1 + Exp(−x)),
// du += (dh·x)·s, dg += ((dh·u)·s)·(1 + x·(1 − s)), each rounded as the Go
// loop rounds it.
TEXT ·swigluBack16AVX512(SB), NOSPLIT, $0-136
	MOVQ dg_base+0(FP), R10
	MOVQ du_base+24(FP), R11
	MOVQ g_base+48(FP), SI
	MOVQ g_len+56(FP), CX
	MOVQ u_base+72(FP), DI
	MOVQ dh_base+96(FP), R12
	MOVQ consts+120(FP), R8
	MOVQ table+128(FP), R9
	EXPCORECONSTS
	SHRQ $4, CX
	JZ   sbdone

sbloop:
	VMOVUPS (SI), Z0
	EXPNEG
	VADDPS Z30, Z11, Z11      // 1 + Exp(−x)
	VDIVPS Z11, Z30, Z13      // s
	VMOVUPS (R12), Z14        // dh
	VMULPS Z0, Z14, Z16       // dh·x
	VMULPS Z13, Z16, Z16      // ·s
	VADDPS (R11), Z16, Z16
	VMOVUPS Z16, (R11)        // du += …
	VSUBPS Z13, Z30, Z1       // 1 − s
	VMULPS Z1, Z0, Z1         // x·(1 − s)
	VADDPS Z30, Z1, Z1        // 1 + …
	VMULPS (DI), Z14, Z2      // dh·u
	VMULPS Z13, Z2, Z2        // ·s
	VMULPS Z1, Z2, Z2         // ·(1 + x·(1 − s))
	VADDPS (R10), Z2, Z2
	VMOVUPS Z2, (R10)         // dg += …
	ADDQ $64, SI
	ADDQ $64, DI
	ADDQ $64, R10
	ADDQ $64, R11
	ADDQ $64, R12
	DECQ CX
	JNZ  sbloop

sbdone:
	VZEROUPPER
	RET

// func softmaxGrad8AVX2(p, dp []float32, d, scale float32)
// dp[j] = p[j]·(dp[j] − d)·scale for j < len(p)&^7, as softmaxGradGeneric
// rounds it: a subtraction and two products, no FMA.
TEXT ·softmaxGrad8AVX2(SB), NOSPLIT, $0-56
	MOVQ p_base+0(FP), SI
	MOVQ p_len+8(FP), CX
	MOVQ dp_base+24(FP), DI
	VBROADCASTSS d+48(FP), Y14
	VBROADCASTSS scale+52(FP), Y15
	SHRQ $3, CX
	JZ   sgdone

sgloop:
	VMOVUPS (DI), Y0
	VSUBPS Y14, Y0, Y0
	VMULPS (SI), Y0, Y0
	VMULPS Y15, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  sgloop

sgdone:
	VZEROUPPER
	RET
