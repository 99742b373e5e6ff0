//go:build !noasm

#include "textflag.h"

#define HSUM8(Y, X, T) \
	VEXTRACTF128 $1, Y, T \
	VADDPS T, X, X \
	VHADDPS X, X, X \
	VHADDPS X, X, X

// func dotF16AVX2(w []byte, x []float32) float32
// VCVTPH2PS widens eight halves per instruction (exactly).
TEXT ·dotF16AVX2(SB), NOSPLIT, $0-52
	MOVQ w_base+0(FP), SI
	MOVQ x_base+24(FP), DI
	MOVQ x_len+32(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y3, Y3, Y3

loop16:
	CMPQ CX, $16
	JB   loop8
	VCVTPH2PS (SI), Y1
	VCVTPH2PS 16(SI), Y2
	VFMADD231PS (DI), Y1, Y0
	VFMADD231PS 32(DI), Y2, Y3
	ADDQ $32, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  loop16

loop8:
	CMPQ CX, $8
	JB   reduce
	VCVTPH2PS (SI), Y1
	VFMADD231PS (DI), Y1, Y0
	ADDQ $16, SI
	ADDQ $32, DI
	SUBQ $8, CX

reduce:
	VADDPS Y3, Y0, Y0
	HSUM8(Y0, X0, X1)

tail:
	TESTQ CX, CX
	JZ    done
	MOVWLZX (SI), AX
	VMOVD AX, X1
	VCVTPH2PS X1, X1
	VFMADD231SS (DI), X1, X0
	ADDQ $2, SI
	ADDQ $4, DI
	DECQ CX
	JMP  tail

done:
	VMOVSS X0, ret+48(FP)
	VZEROUPPER
	RET

// func dotBF16AVX2(w []byte, x []float32) float32
// bfloat16 is the top half of a float32: zero-extend and shift left 16.
TEXT ·dotBF16AVX2(SB), NOSPLIT, $0-52
	MOVQ w_base+0(FP), SI
	MOVQ x_base+24(FP), DI
	MOVQ x_len+32(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y3, Y3, Y3

loop16:
	CMPQ CX, $16
	JB   loop8
	VPMOVZXWD (SI), Y1
	VPMOVZXWD 16(SI), Y2
	VPSLLD $16, Y1, Y1
	VPSLLD $16, Y2, Y2
	VFMADD231PS (DI), Y1, Y0
	VFMADD231PS 32(DI), Y2, Y3
	ADDQ $32, SI
	ADDQ $64, DI
	SUBQ $16, CX
	JMP  loop16

loop8:
	CMPQ CX, $8
	JB   reduce
	VPMOVZXWD (SI), Y1
	VPSLLD $16, Y1, Y1
	VFMADD231PS (DI), Y1, Y0
	ADDQ $16, SI
	ADDQ $32, DI
	SUBQ $8, CX

reduce:
	VADDPS Y3, Y0, Y0
	HSUM8(Y0, X0, X1)

tail:
	TESTQ CX, CX
	JZ    done
	MOVWLZX (SI), AX
	SHLL $16, AX
	VMOVD AX, X1
	VFMADD231SS (DI), X1, X0
	ADDQ $2, SI
	ADDQ $4, DI
	DECQ CX
	JMP  tail

done:
	VMOVSS X0, ret+48(FP)
	VZEROUPPER
	RET
