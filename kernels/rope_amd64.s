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

// ROPELOOP rotates every head (R8 of them, R9 bytes apart from DI) in CX
// steps of sixteen values, STEP rotating those at AX with the angles at
// byte BX of each table.
#define ROPELOOP(STEP) \
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

// ROPEPAIRS is the body of a pairs kernel whose STEP rotates the sixteen
// values at AX (cos at SI+BX, sin at DX+BX).
#define ROPEPAIRS(STEP) \
	ROPEARGS; \
	SHRQ $4, CX; \
	ROPELOOP(STEP)

// ROPEHALVES is the body of a NeoX kernel whose STEP rotates sixteen values
// of each half, at AX and AX+R11 (cos and sin of the first half at SI+BX
// and DX+BX, of the second at R13+BX and R14+BX).
#define ROPEHALVES(STEP) \
	ROPEARGS; \
	SHLQ $1, CX; \
	LEAQ (SI)(CX*1), R13; \
	LEAQ (DX)(CX*1), R14; \
	MOVQ CX, R11; \
	SHRQ $6, CX; \
	ROPELOOP(STEP)

// RPAIR rotates the pair values at o(AX) through the registers v and p (ZMM:
// sixteen values, YMM: eight): the partner vector is v with each pair
// swapped in its lanes.
#define RPAIR(o, v, p) \
	VMOVUPS o(AX), v; \
	VPERMILPS $0xB1, v, p; \
	VMULPS o(SI)(BX*1), v, v; \
	VMULPS o(DX)(BX*1), p, p; \
	VADDPS p, v, v; \
	VMOVUPS v, o(AX)

// RHALF rotates the values at o(AX) (a, first half) and o(AX)(R11) (b,
// second half), each the other's partner, with t0–t3 as scratch.
#define RHALF(o, a, b, t0, t1, t2, t3) \
	VMOVUPS o(AX), a; \
	VMOVUPS o(AX)(R11*1), b; \
	VMULPS o(SI)(BX*1), a, t0; \
	VMULPS o(DX)(BX*1), b, t1; \
	VADDPS t1, t0, t0; \
	VMULPS o(R13)(BX*1), b, t2; \
	VMULPS o(R14)(BX*1), a, t3; \
	VADDPS t3, t2, t2; \
	VMOVUPS t0, o(AX); \
	VMOVUPS t2, o(AX)(R11*1)

// The steps: AVX-512 one ZMM of sixteen values (a half), AVX2 the same
// sixteen as two YMM at byte offsets 0 and 32, so that Rotate's conditions
// on Dims hold for both.
#define RPAIRZ RPAIR(0, Z0, Z1)
#define RHALFZ RHALF(0, Z0, Z1, Z2, Z3, Z4, Z5)

#define RPAIRSY \
	RPAIR(0, Y0, Y1); \
	RPAIR(32, Y2, Y3)

#define RHALVESY \
	RHALF(0, Y0, Y1, Y2, Y3, Y4, Y5); \
	RHALF(32, Y0, Y1, Y2, Y3, Y4, Y5)

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
