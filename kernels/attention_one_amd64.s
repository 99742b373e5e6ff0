//go:build !noasm

#include "textflag.h"

// One query's attention over the cache on AVX-512 (attention.go): the
// scores of every position in one call and the weighted sum of V with the
// output in registers, instead of a dot and an axpy call per position
// (whose call overhead was most of a short cache's time). Head sizes are
// multiples of 16.

// func attnScoresAVX512(q, k []float32, stride, n int, scale float32, out []float32)
// out[p] = scale · Σ_i q[i]·k[p·stride+i] for p < n, i < len(q).
TEXT ·attnScoresAVX512(SB), NOSPLIT, $0-96
	MOVQ q_base+0(FP), SI
	MOVQ q_len+8(FP), R8
	MOVQ k_base+24(FP), DI
	MOVQ stride+48(FP), R9
	SHLQ $2, R9
	MOVQ n+56(FP), CX
	MOVSS scale+64(FP), X15
	MOVQ out_base+72(FP), DX
	TESTQ CX, CX
	JZ    sdone

spos:
	VXORPS Z0, Z0, Z0
	VXORPS Z1, Z1, Z1
	XORQ AX, AX
	MOVQ R8, BX

s32:
	CMPQ BX, $32
	JB   s16
	VMOVUPS (DI)(AX*1), Z2
	VMOVUPS 64(DI)(AX*1), Z3
	VFMADD231PS (SI)(AX*1), Z2, Z0
	VFMADD231PS 64(SI)(AX*1), Z3, Z1
	ADDQ $128, AX
	SUBQ $32, BX
	JMP  s32

s16:
	TESTQ BX, BX
	JZ    sreduce
	VMOVUPS (DI)(AX*1), Z2
	VFMADD231PS (SI)(AX*1), Z2, Z0

sreduce:
	VADDPS Z1, Z0, Z0
	VEXTRACTF64X4 $1, Z0, Y1
	VADDPS Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS X1, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	VMULSS X15, X0, X0
	VMOVSS X0, (DX)
	ADDQ $4, DX
	ADDQ R9, DI
	DECQ CX
	JNZ  spos

sdone:
	VZEROUPPER
	RET

// func attnMixAVX512(s, v []float32, stride int, out []float32)
// out[i] = Σ_p s[p]·v[p·stride+i] for i < len(out), p < len(s), summed in
// p order with one FMA per term (as axpy into a cleared out would).
TEXT ·attnMixAVX512(SB), NOSPLIT, $0-80
	MOVQ s_base+0(FP), SI
	MOVQ s_len+8(FP), R10
	MOVQ v_base+24(FP), DI
	MOVQ stride+48(FP), R9
	SHLQ $2, R9
	MOVQ out_base+56(FP), DX
	MOVQ out_len+64(FP), BX

m64:
	CMPQ BX, $64
	JB   m16
	VXORPS Z0, Z0, Z0
	VXORPS Z1, Z1, Z1
	VXORPS Z2, Z2, Z2
	VXORPS Z3, Z3, Z3
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ R10, CX
	TESTQ CX, CX
	JZ    m64store

m64pos:
	VBROADCASTSS (R11), Z4
	VFMADD231PS (R12), Z4, Z0
	VFMADD231PS 64(R12), Z4, Z1
	VFMADD231PS 128(R12), Z4, Z2
	VFMADD231PS 192(R12), Z4, Z3
	ADDQ $4, R11
	ADDQ R9, R12
	DECQ CX
	JNZ  m64pos

m64store:
	VMOVUPS Z0, (DX)
	VMOVUPS Z1, 64(DX)
	VMOVUPS Z2, 128(DX)
	VMOVUPS Z3, 192(DX)
	ADDQ $256, DX
	ADDQ $256, DI
	SUBQ $64, BX
	JMP  m64

m16:
	TESTQ BX, BX
	JZ    mdone
	VXORPS Z0, Z0, Z0
	MOVQ SI, R11
	MOVQ DI, R12
	MOVQ R10, CX
	TESTQ CX, CX
	JZ    m16store

m16pos:
	VBROADCASTSS (R11), Z4
	VFMADD231PS (R12), Z4, Z0
	ADDQ $4, R11
	ADDQ R9, R12
	DECQ CX
	JNZ  m16pos

m16store:
	VMOVUPS Z0, (DX)
	ADDQ $64, DX
	ADDQ $64, DI
	SUBQ $16, BX
	JMP  m16

mdone:
	VZEROUPPER
	RET
