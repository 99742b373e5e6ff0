//go:build !noasm

#include "textflag.h"

// EXPSUM8 adds the eight float32 from off(SI) on to X10, one at a time:
// the sum in element order, as the Go loop takes it.
#define EXPSUM8(off) \
	VADDSS off+0(SI), X10, X10; \
	VADDSS off+4(SI), X10, X10; \
	VADDSS off+8(SI), X10, X10; \
	VADDSS off+12(SI), X10, X10; \
	VADDSS off+16(SI), X10, X10; \
	VADDSS off+20(SI), X10, X10; \
	VADDSS off+24(SI), X10, X10; \
	VADDSS off+28(SI), X10, X10

// EXPCONSTS loads ExpCore's constants (consts at R8, the table at R9)
// into Z23–Z31 and 127 into Z19, for EXPCORE.
#define EXPCONSTS \
	VBROADCASTSS 0(R8), Z24; \
	VBROADCASTSS 4(R8), Z25; \
	VBROADCASTSS 8(R8), Z26; \
	VBROADCASTSS 12(R8), Z27; \
	VBROADCASTSS 16(R8), Z28; \
	VBROADCASTSS 20(R8), Z29; \
	VBROADCASTSS 24(R8), Z30; \
	VBROADCASTSS 28(R8), Z23; \
	VMOVUPS (R9), Z31; \
	MOVL $127, AX; \
	VPBROADCASTD AX, Z19

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

// func expScaled16AVX512(x []float32, scale, shift, cut float32, consts *[8]float32, table *[16]float32) float32
// ExpScaled (exp_portable.go) on len(x)/16 whole vectors: EXPCORE, lanes
// whose argument is below cut (or NaN) zeroed by mask, then the sum element
// by element. Returns that sum.
TEXT ·expScaled16AVX512(SB), NOSPLIT, $0-60
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	SHRQ $4, CX
	VBROADCASTSS scale+24(FP), Z20
	VBROADCASTSS shift+28(FP), Z21
	VBROADCASTSS cut+32(FP), Z22
	MOVQ consts+40(FP), R8
	MOVQ table+48(FP), R9
	EXPCONSTS
	VXORPS X10, X10, X10
	TESTQ CX, CX
	JZ   done

loop:
	VMOVUPS (SI), Z0
	VMULPS Z20, Z0, Z0        // v·scale
	VSUBPS Z21, Z0, Z0        // y = v·scale − shift
	VCMPPS $0x1d, Z22, Z0, K1 // y ≥ cut (false for NaN)
	VMINPS Z23, Z0, Z0        // y > ExpMaxArg → ExpMaxArg
	EXPCORE(Z0, Z7)
	VMOVUPS.Z Z7, K1, Z7
	VMOVUPS Z7, (SI)
	EXPSUM8(0)
	EXPSUM8(32)
	ADDQ $64, SI
	DECQ CX
	JNZ  loop

done:
	VMOVSS X10, ret+56(FP)
	VZEROUPPER
	RET

// func expScaled8AVX2(x []float32, scale, shift, cut float32, consts *[8]float32, table *[16]float32) float32
// expScaled16AVX512 on eight lanes: the table's halves in Y14 (2^(j/16),
// j < 8) and Y15 (j ≥ 8), chosen by bit 3 of k moved to the sign for
// VBLENDVPS; the cut by compare-and-AND.
TEXT ·expScaled8AVX2(SB), NOSPLIT, $0-60
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	SHRQ $3, CX
	VBROADCASTSS scale+24(FP), Y0
	VBROADCASTSS shift+28(FP), Y1
	VBROADCASTSS cut+32(FP), Y2
	MOVQ consts+40(FP), R8
	MOVQ table+48(FP), R9
	VMOVUPS (R9), Y14
	VMOVUPS 32(R9), Y15
	MOVL $127, AX
	MOVL AX, X13
	VPBROADCASTD X13, Y13
	VXORPS X10, X10, X10
	TESTQ CX, CX
	JZ   done8

loop8:
	VMOVUPS (SI), Y3
	VMULPS Y0, Y3, Y3         // v·scale
	VSUBPS Y1, Y3, Y3         // y
	VCMPPS $0x1d, Y2, Y3, Y12 // y ≥ cut (false for NaN)
	VBROADCASTSS 28(R8), Y4
	VMINPS Y4, Y3, Y3         // y > ExpMaxArg → ExpMaxArg
	VBROADCASTSS 0(R8), Y4
	VMULPS Y4, Y3, Y4
	VBROADCASTSS 4(R8), Y5
	VADDPS Y5, Y4, Y4
	VSUBPS Y5, Y4, Y4         // kf
	VBROADCASTSS 8(R8), Y5
	VMULPS Y5, Y4, Y5
	VSUBPS Y5, Y3, Y5         // y − kf·hi
	VBROADCASTSS 12(R8), Y6
	VMULPS Y6, Y4, Y6
	VSUBPS Y6, Y5, Y5         // r
	VCVTTPS2DQ Y4, Y6         // k
	VPSRAD $4, Y6, Y7
	VPADDD Y13, Y7, Y7
	VPSLLD $23, Y7, Y7        // s = 2^(k>>4)
	VPERMPS Y14, Y6, Y8       // 2^(j/16), j = k&7
	VPERMPS Y15, Y6, Y9       // 2^((j+8)/16)
	VPSLLD $28, Y6, Y6        // bit 3 of k to the sign
	VBLENDVPS Y6, Y9, Y8, Y8  // j = k&15
	VMULPS Y8, Y7, Y7         // s·2^(j/16)
	VBROADCASTSS 16(R8), Y8
	VMULPS Y8, Y5, Y8
	VBROADCASTSS 20(R8), Y9
	VADDPS Y9, Y8, Y8         // r/6 + 0.5
	VBROADCASTSS 24(R8), Y9
	VMULPS Y8, Y5, Y8
	VADDPS Y9, Y8, Y8         // r·(…) + 1
	VMULPS Y8, Y5, Y8
	VADDPS Y9, Y8, Y8         // r·(…) + 1
	VMULPS Y8, Y7, Y7
	VANDPS Y12, Y7, Y7
	VMOVUPS Y7, (SI)
	EXPSUM8(0)
	ADDQ $32, SI
	DECQ CX
	JNZ  loop8

done8:
	VMOVSS X10, ret+56(FP)
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

// SWIGLUCONSTS sets up EXPNEG: EXPCONSTS, then Z17, Z18 and Z22 from
// consts' tail (+Inf, −0, ExpMinArg at 32, 36, 40 bytes).
#define SWIGLUCONSTS \
	EXPCONSTS; \
	VBROADCASTSS 32(R8), Z17; \
	VBROADCASTSS 36(R8), Z18; \
	VBROADCASTSS 40(R8), Z22

// func swiglu16AVX512(h, g, u []float32, consts *[12]float32, table *[16]float32)
// SwiGLU (swiglu_portable.go) on len(g)/16 whole vectors: h = g / (1 +
// Exp(−g)) · u, each operation as the Go loop rounds it.
TEXT ·swiglu16AVX512(SB), NOSPLIT, $0-88
	MOVQ h_base+0(FP), DX
	MOVQ g_base+24(FP), SI
	MOVQ g_len+32(FP), CX
	MOVQ u_base+48(FP), DI
	MOVQ consts+72(FP), R8
	MOVQ table+80(FP), R9
	SWIGLUCONSTS
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
	SWIGLUCONSTS
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
