//go:build !noasm

#include "textflag.h"

// RMSNorm's loops (norm.go). Lane j of the sum of squares holds the
// elements i ≡ j (mod 16), widened to float64 (VCVTPS2PD) and squared
// exactly, added by FMA: the generic code's lanes, bit for bit.

// func sumSquares16AVX2(x []float32) [16]float64
// len(x) is a multiple of 16. Y0-Y3 hold lanes 0-3, 4-7, 8-11, 12-15.
TEXT ·sumSquares16AVX2(SB), NOSPLIT, $0-152
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	LEAQ ret+24(FP), DI
	SHRQ $4, CX
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	TESTQ CX, CX
	JZ   ss2done

ss2loop:
	VCVTPS2PD (SI), Y4
	VCVTPS2PD 16(SI), Y5
	VCVTPS2PD 32(SI), Y6
	VCVTPS2PD 48(SI), Y7
	VFMADD231PD Y4, Y4, Y0
	VFMADD231PD Y5, Y5, Y1
	VFMADD231PD Y6, Y6, Y2
	VFMADD231PD Y7, Y7, Y3
	ADDQ $64, SI
	DECQ CX
	JNZ  ss2loop

ss2done:
	VMOVUPD Y0, (DI)
	VMOVUPD Y1, 32(DI)
	VMOVUPD Y2, 64(DI)
	VMOVUPD Y3, 96(DI)
	VZEROUPPER
	RET

// func sumSquares16AVX512(x []float32) [16]float64
// len(x) is a multiple of 16. Z0 holds lanes 0-7, Z1 lanes 8-15 (more
// accumulators would change the order of the sums, and a row of a few
// thousand values is short anyway).
TEXT ·sumSquares16AVX512(SB), NOSPLIT, $0-152
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	LEAQ ret+24(FP), DI
	SHRQ $4, CX
	VXORPD Z0, Z0, Z0
	VXORPD Z1, Z1, Z1
	TESTQ CX, CX
	JZ   ss5done

ss5loop:
	VCVTPS2PD (SI), Z4
	VCVTPS2PD 32(SI), Z5
	VFMADD231PD Z4, Z4, Z0
	VFMADD231PD Z5, Z5, Z1
	ADDQ $64, SI
	DECQ CX
	JNZ  ss5loop

ss5done:
	VMOVUPD Z0, (DI)
	VMOVUPD Z1, 64(DI)
	VZEROUPPER
	RET

// func scaleMul8AVX2(dst, x, w []float32, s float32)
// dst[i] = x[i]·s·w[i] for i < len(dst) (a multiple of 8).
TEXT ·scaleMul8AVX2(SB), NOSPLIT, $0-76
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	MOVQ w_base+48(FP), DX
	VBROADCASTSS s+72(FP), Y15
	SHRQ $3, CX
	JZ   sm2done

sm2loop:
	VMULPS (SI), Y15, Y0
	VMULPS (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	DECQ CX
	JNZ  sm2loop

sm2done:
	VZEROUPPER
	RET

// func scaleMulAVX512(dst, x, w []float32, s float32)
// dst[i] = x[i]·s·w[i] for every i < len(dst); the last len%16 under a mask.
TEXT ·scaleMulAVX512(SB), NOSPLIT, $0-76
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	MOVQ w_base+48(FP), DX
	VBROADCASTSS s+72(FP), Z15
	MOVQ CX, BX
	SHRQ $4, BX
	JZ   sm5tail

sm5loop:
	VMULPS (SI), Z15, Z0
	VMULPS (DX), Z0, Z0
	VMOVUPS Z0, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	DECQ BX
	JNZ  sm5loop

sm5tail:
	ANDQ $15, CX
	JZ   sm5done
	MOVL $1, AX
	SHLL CX, AX
	DECL AX
	KMOVW AX, K1
	VMOVUPS.Z (SI), K1, Z0
	VMOVUPS.Z (DX), K1, Z1
	VMULPS Z0, Z15, Z0
	VMULPS Z1, Z0, Z0
	VMOVUPS Z0, K1, (DI)

sm5done:
	VZEROUPPER
	RET
