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

// func expScaled16AVX512(x []float32, scale, shift, cut float32, consts *[8]float32, table *[16]float32) float32
// ExpScaled (exp_portable.go) on len(x)/16 whole vectors: every operation
// of ExpCore in its order, each rounded (no FMA), 2^(j/16) by VPERMPS from
// the table in Z31, lanes whose argument is below cut (or NaN) zeroed by
// mask, then the sum element by element. Returns that sum.
TEXT ·expScaled16AVX512(SB), NOSPLIT, $0-60
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	SHRQ $4, CX
	VBROADCASTSS scale+24(FP), Z20
	VBROADCASTSS shift+28(FP), Z21
	VBROADCASTSS cut+32(FP), Z22
	MOVQ consts+40(FP), R8
	VBROADCASTSS 0(R8), Z24  // 16/ln2
	VBROADCASTSS 4(R8), Z25  // 1.5·2²³
	VBROADCASTSS 8(R8), Z26  // ln2/16, head
	VBROADCASTSS 12(R8), Z27 // ln2/16, tail
	VBROADCASTSS 16(R8), Z28 // 1/6
	VBROADCASTSS 20(R8), Z29 // 0.5
	VBROADCASTSS 24(R8), Z30 // 1
	VBROADCASTSS 28(R8), Z23 // ExpMaxArg
	MOVQ table+48(FP), R9
	VMOVUPS (R9), Z31
	MOVL $127, AX
	VPBROADCASTD AX, Z19
	VXORPS X10, X10, X10
	TESTQ CX, CX
	JZ   done

loop:
	VMOVUPS (SI), Z0
	VMULPS Z20, Z0, Z0        // v·scale
	VSUBPS Z21, Z0, Z0        // y = v·scale − shift
	VCMPPS $0x1d, Z22, Z0, K1 // y ≥ cut (false for NaN)
	VMINPS Z23, Z0, Z0        // y > ExpMaxArg → ExpMaxArg
	VMULPS Z24, Z0, Z1
	VADDPS Z25, Z1, Z1
	VSUBPS Z25, Z1, Z1        // kf = (y·16/ln2 + magic) − magic
	VMULPS Z26, Z1, Z2
	VSUBPS Z2, Z0, Z2         // y − kf·hi
	VMULPS Z27, Z1, Z3
	VSUBPS Z3, Z2, Z2         // r = (y − kf·hi) − kf·lo
	VCVTTPS2DQ Z1, Z4         // k
	VPSRAD $4, Z4, Z5
	VPADDD Z19, Z5, Z5
	VPSLLD $23, Z5, Z5        // s = 2^(k>>4)
	VPERMPS Z31, Z4, Z6       // 2^((k&15)/16)
	VMULPS Z6, Z5, Z7         // s·2^(j/16)
	VMULPS Z28, Z2, Z8
	VADDPS Z29, Z8, Z8        // r/6 + 0.5
	VMULPS Z8, Z2, Z8
	VADDPS Z30, Z8, Z8        // r·(…) + 1
	VMULPS Z8, Z2, Z8
	VADDPS Z30, Z8, Z8        // r·(…) + 1
	VMULPS Z8, Z7, Z7
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
