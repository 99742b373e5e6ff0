//go:build !noasm

#include "textflag.h"

// func dequantQ8Rows8AVX2(q []int8, scales []float32, hs int, dst []float32)
//
// dequantQ8Rows for hs a multiple of 8: each row's scale broadcast once,
// eight bytes a step sign-extended, converted (exactly) and multiplied by
// it, one rounding as in the generic loop.
TEXT ·dequantQ8Rows8AVX2(SB), NOSPLIT, $0-80
	MOVQ q_base+0(FP), SI
	MOVQ scales_base+24(FP), BX
	MOVQ hs+48(FP), R8
	MOVQ dst_base+56(FP), DI
	MOVQ dst_len+64(FP), CX
	TESTQ CX, CX
	JZ    done

row:
	VBROADCASTSS (BX), Y1
	MOVQ R8, DX

eight:
	VPMOVSXBD (SI), Y0
	VCVTDQ2PS Y0, Y0
	VMULPS    Y1, Y0, Y0
	VMOVUPS   Y0, (DI)
	ADDQ $8, SI
	ADDQ $32, DI
	SUBQ $8, DX
	JNZ  eight

	ADDQ $4, BX
	SUBQ R8, CX
	JNZ  row

done:
	VZEROUPPER
	RET
