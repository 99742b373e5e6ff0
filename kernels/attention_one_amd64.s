//go:build !noasm

#include "textflag.h"

// One query's attention over the cache (attention.go): the scores of every
// position in one call and the weighted sum of V with the output in
// registers, instead of a dot and an axpy call per position (whose call
// overhead was most of a short cache's time: on a Zen 3, AVX2, 9 heads of
// 64 over 512 positions, 55 µs against 117). Head sizes are multiples of
// the vector width (16 floats for AVX-512, 8 for AVX2). Both levels share
// the bodies below: V0–V4 are their vector registers (Z or Y), W their
// width in bytes.

// ATTNSCORES is the body of attnScores: out[p] = scale · Σ_i q[i]·k[p·
// stride+i] for p < n, i < len(q), two vectors a step and one for an odd
// last; REDUCE sums V0's lanes into X0.
#define ATTNSCORES(V0, V1, V2, V3, W, REDUCE) \
	MOVQ q_base+0(FP), SI; \
	MOVQ q_len+8(FP), R8; \
	MOVQ k_base+24(FP), DI; \
	MOVQ stride+48(FP), R9; \
	SHLQ $2, R9; \
	MOVQ n+56(FP), CX; \
	MOVSS scale+64(FP), X15; \
	MOVQ out_base+72(FP), DX; \
	TESTQ CX, CX; \
	JZ    sdone; \
spos: \
	VXORPS V0, V0, V0; \
	VXORPS V1, V1, V1; \
	XORQ AX, AX; \
	MOVQ R8, BX; \
spair: \
	CMPQ BX, $(W/2); \
	JB   sone; \
	VMOVUPS (DI)(AX*1), V2; \
	VMOVUPS W(DI)(AX*1), V3; \
	VFMADD231PS (SI)(AX*1), V2, V0; \
	VFMADD231PS W(SI)(AX*1), V3, V1; \
	ADDQ $(2*W), AX; \
	SUBQ $(W/2), BX; \
	JMP  spair; \
sone: \
	TESTQ BX, BX; \
	JZ    sreduce; \
	VMOVUPS (DI)(AX*1), V2; \
	VFMADD231PS (SI)(AX*1), V2, V0; \
sreduce: \
	VADDPS V1, V0, V0; \
	REDUCE; \
	VMULSS X15, X0, X0; \
	VMOVSS X0, (DX); \
	ADDQ $4, DX; \
	ADDQ R9, DI; \
	DECQ CX; \
	JNZ  spos; \
sdone: \
	VZEROUPPER; \
	RET

// HSUMY0 sums Y0's eight lanes into X0; HSUMZ0 Z0's sixteen.
#define HSUMY0 \
	VEXTRACTF128 $1, Y0, X1; \
	VADDPS X1, X0, X0; \
	VHADDPS X0, X0, X0; \
	VHADDPS X0, X0, X0

#define HSUMZ0 \
	VEXTRACTF64X4 $1, Z0, Y1; \
	VADDPS Y1, Y0, Y0; \
	HSUMY0

// MIXPOS adds s[p] (broadcast in B) times the values at off(R12) to V.
#define MIXPOS(B, V, off) VFMADD231PS off(R12), B, V

// ATTNMIX is the body of attnMix: out[i] = Σ_p s[p]·v[p·stride+i] for i <
// len(out), p < len(s), summed in p order with one FMA per term (as axpy
// into a cleared out would); blocks of four vectors, then one at a time.
#define ATTNMIX(V0, V1, V2, V3, V4, W) \
	MOVQ s_base+0(FP), SI; \
	MOVQ s_len+8(FP), R10; \
	MOVQ v_base+24(FP), DI; \
	MOVQ stride+48(FP), R9; \
	SHLQ $2, R9; \
	MOVQ out_base+56(FP), DX; \
	MOVQ out_len+64(FP), BX; \
mfour: \
	CMPQ BX, $W; \
	JB   mone; \
	VXORPS V0, V0, V0; VXORPS V1, V1, V1; VXORPS V2, V2, V2; VXORPS V3, V3, V3; \
	MOVQ SI, R11; \
	MOVQ DI, R12; \
	MOVQ R10, CX; \
	TESTQ CX, CX; \
	JZ    mfourstore; \
mfourpos: \
	VBROADCASTSS (R11), V4; \
	MIXPOS(V4, V0, 0); MIXPOS(V4, V1, W); MIXPOS(V4, V2, 2*W); MIXPOS(V4, V3, 3*W); \
	ADDQ $4, R11; \
	ADDQ R9, R12; \
	DECQ CX; \
	JNZ  mfourpos; \
mfourstore: \
	VMOVUPS V0, (DX); VMOVUPS V1, W(DX); VMOVUPS V2, (2*W)(DX); VMOVUPS V3, (3*W)(DX); \
	ADDQ $(4*W), DX; \
	ADDQ $(4*W), DI; \
	SUBQ $W, BX; \
	JMP  mfour; \
mone: \
	TESTQ BX, BX; \
	JZ    mdone; \
	VXORPS V0, V0, V0; \
	MOVQ SI, R11; \
	MOVQ DI, R12; \
	MOVQ R10, CX; \
	TESTQ CX, CX; \
	JZ    monestore; \
monepos: \
	VBROADCASTSS (R11), V4; \
	MIXPOS(V4, V0, 0); \
	ADDQ $4, R11; \
	ADDQ R9, R12; \
	DECQ CX; \
	JNZ  monepos; \
monestore: \
	VMOVUPS V0, (DX); \
	ADDQ $W, DX; \
	ADDQ $W, DI; \
	SUBQ $(W/4), BX; \
	JMP  mone; \
mdone: \
	VZEROUPPER; \
	RET

// func attnScoresAVX512(q, k []float32, stride, n int, scale float32, out []float32)
TEXT ·attnScoresAVX512(SB), NOSPLIT, $0-96
	ATTNSCORES(Z0, Z1, Z2, Z3, 64, HSUMZ0)

// func attnMixAVX512(s, v []float32, stride int, out []float32)
TEXT ·attnMixAVX512(SB), NOSPLIT, $0-80
	ATTNMIX(Z0, Z1, Z2, Z3, Z4, 64)

// func attnScoresAVX2(q, k []float32, stride, n int, scale float32, out []float32)
TEXT ·attnScoresAVX2(SB), NOSPLIT, $0-96
	ATTNSCORES(Y0, Y1, Y2, Y3, 32, HSUMY0)

// func attnMixAVX2(s, v []float32, stride int, out []float32)
TEXT ·attnMixAVX2(SB), NOSPLIT, $0-80
	ATTNMIX(Y0, Y1, Y2, Y3, Y4, 32)
