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

// func quantizeQ8Rows16AVX512(src []float32, dst []int8, scales []float32, hs int)
//
// QuantizeRowsQ8 for hs a multiple of 16, in the generic loop's float32
// steps, so with its bits: the largest magnitude as the largest of the
// values' bits with the sign cleared (VPMAXUD), d = it / 127 and 1/d
// (zero for a zero row) as scalars, then x·(1/d) plus ±0.5 of x's sign,
// truncated to an integer and its low byte kept (VPMOVDB), as the
// conversion to int8 does.
TEXT ·quantizeQ8Rows16AVX512(SB), NOSPLIT, $0-80
	MOVQ src_base+0(FP), SI
	MOVQ src_len+8(FP), CX
	MOVQ dst_base+24(FP), DI
	MOVQ scales_base+48(FP), BX
	MOVQ hs+72(FP), R8
	TESTQ CX, CX
	JZ    qdone
	MOVL $0x7fffffff, AX
	VPBROADCASTD AX, Z30 // the magnitude's bits
	MOVL $0x3f000000, AX
	VPBROADCASTD AX, Z29 // 0.5
	MOVL $0x42fe0000, AX // 127
	VMOVD AX, X28
	MOVL $0x3f800000, AX // 1
	VMOVD AX, X27

qrow:
	// The largest magnitude's bits.
	VPXORD Z1, Z1, Z1
	MOVQ SI, R9
	MOVQ R8, DX
qmax:
	VPANDD (R9), Z30, Z0
	VPMAXUD Z0, Z1, Z1
	ADDQ $64, R9
	SUBQ $16, DX
	JNZ  qmax
	VEXTRACTI64X4 $1, Z1, Y0
	VPMAXUD Y0, Y1, Y1
	VEXTRACTI128 $1, Y1, X0
	VPMAXUD X0, X1, X1
	VPSHUFD $0x4e, X1, X0
	VPMAXUD X0, X1, X1
	VPSHUFD $0xb1, X1, X0
	VPMAXUD X0, X1, X1

	// d = amax / 127, its inverse (0 for d = 0), broadcast.
	VDIVSS X28, X1, X2
	VMOVSS X2, (BX)
	VXORPS X3, X3, X3
	VUCOMISS X3, X2
	JE    qzero
	VDIVSS X2, X27, X3
qzero:
	VBROADCASTSS X3, Z3

	MOVQ R8, DX
qquant:
	VMULPS (SI), Z3, Z0
	VPANDND Z0, Z30, Z5 // x's sign
	VPORD Z5, Z29, Z4   // ±0.5
	VADDPS Z4, Z0, Z0
	VCVTTPS2DQ Z0, Z0
	VPMOVDB Z0, (DI)
	ADDQ $64, SI
	ADDQ $16, DI
	SUBQ $16, DX
	JNZ  qquant

	ADDQ $4, BX
	SUBQ R8, CX
	JNZ  qrow

qdone:
	VZEROUPPER
	RET
