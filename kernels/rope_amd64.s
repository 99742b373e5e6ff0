//go:build !noasm

#include "textflag.h"

// Rotary embedding with the angles of RoPE.Angles: each value times its
// cosine plus its partner times its signed sine, multiplied and then added
// (no FMA), as ropeGeneric rounds. Sixteen values per step.

// func ropePairsAVX512(x []float32, heads, headSize int, cs []float32)
// Pairs (2i, 2i+1): the partner vector is the value vector with each pair
// swapped in its lanes. Dims (len(cs)/2) is a multiple of 16.
TEXT ·ropePairsAVX512(SB), NOSPLIT, $0-64
	MOVQ x_base+0(FP), DI
	MOVQ heads+24(FP), R8
	MOVQ headSize+32(FP), R9
	SHLQ $2, R9                 // head stride in bytes
	MOVQ cs_base+40(FP), SI     // cos
	MOVQ cs_len+48(FP), CX
	SHRQ $1, CX                 // Dims
	LEAQ (SI)(CX*4), DX         // sin
	SHRQ $4, CX                 // steps per head
	TESTQ R8, R8
	JZ   rpdone
	TESTQ CX, CX
	JZ   rpdone

rphead:
	MOVQ DI, AX
	XORQ BX, BX
	MOVQ CX, R10

rpstep:
	VMOVUPS (AX), Z0
	VPERMILPS $0xB1, Z0, Z1
	VMULPS (SI)(BX*1), Z0, Z0
	VMULPS (DX)(BX*1), Z1, Z1
	VADDPS Z1, Z0, Z0
	VMOVUPS Z0, (AX)
	ADDQ $64, AX
	ADDQ $64, BX
	DECQ R10
	JNZ  rpstep
	ADDQ R9, DI
	DECQ R8
	JNZ  rphead

rpdone:
	VZEROUPPER
	RET

// func ropeHalvesAVX512(x []float32, heads, headSize int, cs []float32)
// NeoX pairs (i, i+Dims/2): sixteen values of each half at a time, each
// the other's partner. Dims is a multiple of 32.
TEXT ·ropeHalvesAVX512(SB), NOSPLIT, $0-64
	MOVQ x_base+0(FP), DI
	MOVQ heads+24(FP), R8
	MOVQ headSize+32(FP), R9
	SHLQ $2, R9                 // head stride in bytes
	MOVQ cs_base+40(FP), SI     // cos, first half
	MOVQ cs_len+48(FP), CX
	SHRQ $1, CX                 // Dims
	LEAQ (SI)(CX*4), DX         // sin, first half
	SHLQ $1, CX                 // Dims/2 in bytes
	LEAQ (SI)(CX*1), R13        // cos, second half
	LEAQ (DX)(CX*1), R14        // sin, second half
	MOVQ CX, R11                // Dims/2 in bytes: a value to its partner
	SHRQ $6, CX                 // steps per head
	TESTQ R8, R8
	JZ   rhdone
	TESTQ CX, CX
	JZ   rhdone

rhhead:
	MOVQ DI, AX
	LEAQ (DI)(R11*1), R12
	XORQ BX, BX
	MOVQ CX, R10

rhstep:
	VMOVUPS (AX), Z0            // a
	VMOVUPS (R12), Z1           // b
	VMULPS (SI)(BX*1), Z0, Z2
	VMULPS (DX)(BX*1), Z1, Z3
	VADDPS Z3, Z2, Z2           // a·cos + b·(−sin)
	VMULPS (R13)(BX*1), Z1, Z4
	VMULPS (R14)(BX*1), Z0, Z5
	VADDPS Z5, Z4, Z4           // b·cos + a·sin
	VMOVUPS Z2, (AX)
	VMOVUPS Z4, (R12)
	ADDQ $64, AX
	ADDQ $64, R12
	ADDQ $64, BX
	DECQ R10
	JNZ  rhstep
	ADDQ R9, DI
	DECQ R8
	JNZ  rhhead

rhdone:
	VZEROUPPER
	RET
