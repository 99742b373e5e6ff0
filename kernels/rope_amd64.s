//go:build !noasm

#include "textflag.h"

// Rotary embedding with the angles of RoPE.Angles: each value times its
// cosine plus its partner times its signed sine, multiplied and then added
// (no FMA), as ropeGeneric rounds. Sixteen values per step.

// ROPEARGS loads the arguments: x at DI, heads in R8, the head stride in
// bytes in R9, cos at SI, sin at DX and Dims in CX.
#define ROPEARGS \
	MOVQ x_base+0(FP), DI; \
	MOVQ heads+24(FP), R8; \
	MOVQ headSize+32(FP), R9; \
	SHLQ $2, R9; \
	MOVQ cs_base+40(FP), SI; \
	MOVQ cs_len+48(FP), CX; \
	SHRQ $1, CX; \
	LEAQ (SI)(CX*4), DX

// ROPEPAIRS is the body of a pairs kernel whose STEP rotates the sixteen
// values at AX (cos at SI+BX, sin at DX+BX).
#define ROPEPAIRS(STEP) \
	ROPEARGS; \
	SHRQ $4, CX; \
	TESTQ R8, R8; \
	JZ   done; \
	TESTQ CX, CX; \
	JZ   done; \
head: \
	MOVQ DI, AX; \
	XORQ BX, BX; \
	MOVQ CX, R10; \
step: \
	STEP; \
	ADDQ $64, AX; \
	ADDQ $64, BX; \
	DECQ R10; \
	JNZ  step; \
	ADDQ R9, DI; \
	DECQ R8; \
	JNZ  head; \
done: \
	VZEROUPPER; \
	RET

// ROPEHALVES is the body of a NeoX kernel whose STEP rotates sixteen values
// of each half, at AX and R12 (cos and sin of the first half at SI+BX and
// DX+BX, of the second at R13+BX and R14+BX).
#define ROPEHALVES(STEP) \
	ROPEARGS; \
	SHLQ $1, CX; \
	LEAQ (SI)(CX*1), R13; \
	LEAQ (DX)(CX*1), R14; \
	MOVQ CX, R11; \
	SHRQ $6, CX; \
	TESTQ R8, R8; \
	JZ   done; \
	TESTQ CX, CX; \
	JZ   done; \
head: \
	MOVQ DI, AX; \
	LEAQ (DI)(R11*1), R12; \
	XORQ BX, BX; \
	MOVQ CX, R10; \
step: \
	STEP; \
	ADDQ $64, AX; \
	ADDQ $64, R12; \
	ADDQ $64, BX; \
	DECQ R10; \
	JNZ  step; \
	ADDQ R9, DI; \
	DECQ R8; \
	JNZ  head; \
done: \
	VZEROUPPER; \
	RET

// The AVX-512 steps: one ZMM a half.
#define RPAIRZ \
	VMOVUPS (AX), Z0; \
	VPERMILPS $0xB1, Z0, Z1; \
	VMULPS (SI)(BX*1), Z0, Z0; \
	VMULPS (DX)(BX*1), Z1, Z1; \
	VADDPS Z1, Z0, Z0; \
	VMOVUPS Z0, (AX)

#define RHALFZ \
	VMOVUPS (AX), Z0; \
	VMOVUPS (R12), Z1; \
	VMULPS (SI)(BX*1), Z0, Z2; \
	VMULPS (DX)(BX*1), Z1, Z3; \
	VADDPS Z3, Z2, Z2; \
	VMULPS (R13)(BX*1), Z1, Z4; \
	VMULPS (R14)(BX*1), Z0, Z5; \
	VADDPS Z5, Z4, Z4; \
	VMOVUPS Z2, (AX); \
	VMOVUPS Z4, (R12)

// The AVX2 steps: the same sixteen values as two YMM halves at byte
// offsets 0 and 32, so that Rotate's conditions on Dims hold for both.
#define RPAIRY(o, v, p) \
	VMOVUPS o(AX), v; \
	VPERMILPS $0xB1, v, p; \
	VMULPS o(SI)(BX*1), v, v; \
	VMULPS o(DX)(BX*1), p, p; \
	VADDPS p, v, v; \
	VMOVUPS v, o(AX)

#define RPAIRSY \
	RPAIRY(0, Y0, Y1); \
	RPAIRY(32, Y2, Y3)

#define RHALFY(o) \
	VMOVUPS o(AX), Y0; \
	VMOVUPS o(R12), Y1; \
	VMULPS o(SI)(BX*1), Y0, Y2; \
	VMULPS o(DX)(BX*1), Y1, Y3; \
	VADDPS Y3, Y2, Y2; \
	VMULPS o(R13)(BX*1), Y1, Y4; \
	VMULPS o(R14)(BX*1), Y0, Y5; \
	VADDPS Y5, Y4, Y4; \
	VMOVUPS Y2, o(AX); \
	VMOVUPS Y4, o(R12)

#define RHALVESY \
	RHALFY(0); \
	RHALFY(32)

// func ropePairsAVX512(x []float32, heads, headSize int, cs []float32)
// Pairs (2i, 2i+1): the partner vector is the value vector with each pair
// swapped in its lanes. Dims (len(cs)/2) is a multiple of 16.
TEXT ·ropePairsAVX512(SB), NOSPLIT, $0-64
	ROPEPAIRS(RPAIRZ)

// func ropeHalvesAVX512(x []float32, heads, headSize int, cs []float32)
// NeoX pairs (i, i+Dims/2): sixteen values of each half at a time, each
// the other's partner. Dims is a multiple of 32.
TEXT ·ropeHalvesAVX512(SB), NOSPLIT, $0-64
	ROPEHALVES(RHALFZ)

// func ropePairsAVX2(x []float32, heads, headSize int, cs []float32)
TEXT ·ropePairsAVX2(SB), NOSPLIT, $0-64
	ROPEPAIRS(RPAIRSY)

// func ropeHalvesAVX2(x []float32, heads, headSize int, cs []float32)
TEXT ·ropeHalvesAVX2(SB), NOSPLIT, $0-64
	ROPEHALVES(RHALVESY)
