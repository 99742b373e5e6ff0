//go:build !noasm

#include "textflag.h"
#include "attention_reduce_amd64.h"

// The scores of a group's query heads on AVX-512, head size 64: the keys
// of four positions are loaded (and widened) once into Z16–Z31 and every
// head of the group meets them there, where attnScoresAVX512 run head by
// head loads (and widens) them once per head. Per head the body is
// ATTNSCORES4's at head size 64: the even vectors' FMAs into Z0, Z2, Z4,
// Z6 and the odd ones' into Z1, Z3, Z5, Z7, in ATTNSCORES4's order, then
// REDUCE4Z: each score has the bits attnScoresAVX512 gives it. Positions
// past the last multiple of four are the caller's. The keys of the
// position 16 rows ahead (R15 bytes) are prefetched into L1: the hardware's
// prefetchers alone leave the loads waiting on memory (the kernels are
// about a third slower without it).

// GKF32, GKF16 and GKQ8 load 16 keys at float32 offset off (bytes) of the
// row at base into V: float32, halves widened, or bytes widened and
// multiplied by the row's scale, at sc(R8) (GKQ8 alone reads sc).
#define GKF32(V, off, base, sc) VMOVUPS off(base), V
#define GKF16(V, off, base, sc) VCVTPH2PS (off/2)(base), V
#define GKQ8(V, off, base, sc) \
	VPMOVSXBD (off/4)(base), V; \
	VCVTDQ2PS V, V; \
	VMULPS.BCST sc(R8), V, V

// GSFMA4 adds the query vectors in Z8 (even) and Z9 (odd) times the keys
// of the four positions (E the even register of position p's pair in
// Z16–Z31 order) to the accumulators.
#define GSFMA4(K0, K1, K2, K3, K4, K5, K6, K7) \
	VFMADD231PS K0, Z8, Z0; VFMADD231PS K1, Z9, Z1; \
	VFMADD231PS K2, Z8, Z2; VFMADD231PS K3, Z9, Z3; \
	VFMADD231PS K4, Z8, Z4; VFMADD231PS K5, Z9, Z5; \
	VFMADD231PS K6, Z8, Z6; VFMADD231PS K7, Z9, Z7

// GROUPSCORES is the kernel: LOADK GKF32, GKF16 or GKQ8, SHIFT log2 of a
// key's bytes, PF the prefetches of a position's row (PF1: 64 bytes, PF2:
// 128, PF4: 256); an 8-bit cache's row scales are walked by R8, which
// START points at the first position's and STEP moves past four (GQ8START,
// GQ8STEP; GNONE for the others).
#define GROUPSCORES(LOADK, SHIFT, PF, START, STEP) \
	MOVQ q_base+0(FP), SI; \
	MOVQ k_base+32(FP), DI; \
	MOVQ stride+56(FP), R9; \
	SHLQ $SHIFT, R9; \
	MOVQ n+64(FP), CX; \
	MOVSS scale+72(FP), X15; \
	MOVQ outStride+104(FP), BX; \
	SHLQ $2, BX; \
	MOVQ R9, R15; \
	SHLQ $4, R15; \
	ATTNSCORES4ZSETUP; \
	MOVQ out_base+80(FP), R14; \
	START; \
gfour: \
	CMPQ CX, $4; \
	JB   gdone; \
	LEAQ (DI)(R9*1), R10; \
	LEAQ (R10)(R9*1), R11; \
	LEAQ (R11)(R9*1), R12; \
	PF(DI); PF(R10); PF(R11); PF(R12); \
	LOADK(Z16, 0, DI, 0); LOADK(Z17, 64, DI, 0); LOADK(Z18, 128, DI, 0); LOADK(Z19, 192, DI, 0); \
	LOADK(Z20, 0, R10, 4); LOADK(Z21, 64, R10, 4); LOADK(Z22, 128, R10, 4); LOADK(Z23, 192, R10, 4); \
	LOADK(Z24, 0, R11, 8); LOADK(Z25, 64, R11, 8); LOADK(Z26, 128, R11, 8); LOADK(Z27, 192, R11, 8); \
	LOADK(Z28, 0, R12, 12); LOADK(Z29, 64, R12, 12); LOADK(Z30, 128, R12, 12); LOADK(Z31, 192, R12, 12); \
	MOVQ SI, AX; \
	MOVQ R14, DX; \
	MOVQ heads+24(FP), R13; \
ghead: \
	VXORPS Z0, Z0, Z0; VXORPS Z1, Z1, Z1; VXORPS Z2, Z2, Z2; VXORPS Z3, Z3, Z3; \
	VXORPS Z4, Z4, Z4; VXORPS Z5, Z5, Z5; VXORPS Z6, Z6, Z6; VXORPS Z7, Z7, Z7; \
	VMOVUPS (AX), Z8; \
	VMOVUPS 64(AX), Z9; \
	GSFMA4(Z16, Z17, Z20, Z21, Z24, Z25, Z28, Z29); \
	VMOVUPS 128(AX), Z8; \
	VMOVUPS 192(AX), Z9; \
	GSFMA4(Z18, Z19, Z22, Z23, Z26, Z27, Z30, Z31); \
	VADDPS Z1, Z0, Z0; \
	VADDPS Z3, Z2, Z2; \
	VADDPS Z5, Z4, Z4; \
	VADDPS Z7, Z6, Z6; \
	REDUCE4Z; \
	ADDQ $256, AX; \
	ADDQ BX, DX; \
	DECQ R13; \
	JNZ  ghead; \
	ADDQ $16, R14; \
	STEP; \
	LEAQ (R12)(R9*1), DI; \
	SUBQ $4, CX; \
	JMP  gfour; \
gdone: \
	VZEROUPPER; \
	RET

#define GPF1(base) PREFETCHT0 (base)(R15*1)
#define GPF2(base) GPF1(base); PREFETCHT0 64(base)(R15*1)
#define GNONE
#define GQ8START MOVQ ks_base+112(FP), R8
#define GQ8STEP ADDQ $16, R8
#define GPF4(base) GPF2(base); PREFETCHT0 128(base)(R15*1); PREFETCHT0 192(base)(R15*1)

// func attnScoresGroupAVX512(q []float32, heads int, k []float32, stride, n int, scale float32, out []float32, outStride int)
TEXT ·attnScoresGroupAVX512(SB), NOSPLIT, $0-112
	GROUPSCORES(GKF32, 2, GPF4, GNONE, GNONE)

// func attnScoresGroupF16AVX512(q []float32, heads int, k []uint16, stride, n int, scale float32, out []float32, outStride int)
TEXT ·attnScoresGroupF16AVX512(SB), NOSPLIT, $0-112
	GROUPSCORES(GKF16, 1, GPF2, GNONE, GNONE)

// func attnScoresGroupQ8AVX512(q []float32, heads int, k []int8, stride, n int, scale float32, out []float32, outStride int, ks []float32)
TEXT ·attnScoresGroupQ8AVX512(SB), NOSPLIT, $0-136
	GROUPSCORES(GKQ8, 0, GPF1, GQ8START, GQ8STEP)
