//go:build !noasm

#include "textflag.h"
#include "zero_amd64.h"
#include "attention_reduce_amd64.h"

// One query's attention over the cache (attention.go): the scores of every
// position in one call and the weighted sum of V with the output in
// registers, instead of a dot and an axpy call per position (whose call
// overhead was most of a short cache's time). Head sizes are multiples of
// the vector width (16 floats for AVX-512, 8 for AVX2). Both levels share
// the bodies below: V0–V4 are their vector registers (Z or Y), W their
// width in bytes.

// ATTNSCORESARGS loads attnScores' arguments: q (SI, R8 values), k (DI),
// the stride in bytes (R9), n (CX), the scale (X15), out (DX).
#define ATTNSCORESARGS \
	MOVQ q_base+0(FP), SI; \
	MOVQ q_len+8(FP), R8; \
	MOVQ k_base+24(FP), DI; \
	MOVQ stride+48(FP), R9; \
	SHLQ $2, R9; \
	MOVQ n+56(FP), CX; \
	MOVSS scale+64(FP), X15; \
	MOVQ out_base+72(FP), DX

// MIX3ARGS loads the arguments of the three-head weighted sums (attnMix3's
// layout, below, at both levels): the weights (SI, n in R10, the heads' rows
// R13 bytes apart), the values (DI, rows R9 bytes apart: the stride
// shifted by SHIFT, 2 for float32 and 1 for halves), the outputs (DX, R14
// bytes apart) and the dimensions (BX). Here, before the first TEXT, so
// that vet reads its offsets in the functions that use it.
#define MIX3ARGS(SHIFT) \
	MOVQ s_base+0(FP), SI; \
	MOVQ n+24(FP), R10; \
	MOVQ sStride+32(FP), R13; \
	SHLQ $2, R13; \
	MOVQ v_base+40(FP), DI; \
	MOVQ stride+64(FP), R9; \
	SHLQ $SHIFT, R9; \
	MOVQ out_base+72(FP), DX; \
	MOVQ outStride+96(FP), R14; \
	SHLQ $2, R14; \
	MOVQ dims+104(FP), BX

// ATTNSCORES is the body of attnScores from the position at DI on (CX of
// them): out[p] = scale · Σ_i q[i]·k[p·stride+i] for p < n, i < len(q), two
// vectors a step (even ones summed into V0, odd ones into V1) and one for
// an odd last; REDUCE sums V0's lanes into X0. LOADK(V, off) loads a vector
// of keys from off(DI)(R11*1), KB bytes of them: LOADF32 (W bytes), or
// LOADF16 (W/2), which widens halves exactly, so that each score has the
// bits LOADF32 gives the widened keys.
#define ATTNSCORES(V0, V1, V2, V3, W, REDUCE, LOADK, KB) \
	TESTQ CX, CX; \
	JZ    sdone; \
spos: \
	VXORPS V0, V0, V0; \
	VXORPS V1, V1, V1; \
	XORQ AX, AX; \
	XORQ R11, R11; \
	MOVQ R8, BX; \
spair: \
	CMPQ BX, $(W/2); \
	JB   sone; \
	LOADK(V2, 0); \
	LOADK(V3, KB); \
	VFMADD231PS (SI)(AX*1), V2, V0; \
	VFMADD231PS W(SI)(AX*1), V3, V1; \
	ADDQ $(2*W), AX; \
	ADDQ $(2*KB), R11; \
	SUBQ $(W/2), BX; \
	JMP  spair; \
sone: \
	TESTQ BX, BX; \
	JZ    sreduce; \
	LOADK(V2, 0); \
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

#define LOADF32(V, off) VMOVUPS off(DI)(R11*1), V
#define LOADF16(V, off) VCVTPH2PS off(DI)(R11*1), V

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

// MIXPOS adds s[p] (broadcast in B) times the values at off(R12) to V;
// MIXPOSF16 the same from halves (at off/2), widened exactly into T first,
// so the sums have the bits of MIXPOS's on the widened values.
#define MIXPOS(B, V, off, T) VFMADD231PS off(R12), B, V
#define MIXPOSF16(B, V, off, T) VCVTPH2PS (off/2)(R12), T; VFMADD231PS T, B, V

// ATTNMIX is the body of attnMix: out[i] += Σ_p s[p]·v[p·stride+i] for i <
// len(out), p < len(s), summed onto out in p order with one FMA per term
// (as axpy into out would, so a cache can be mixed in blocks of positions:
// attention_grouped.go); blocks of four vectors, then one at a time. MIX is
// MIXPOS for float32 values (VB, the bytes of a vector of them, is W and
// SHIFT, log2 of a value's bytes, 2) or MIXPOSF16 for halves (W/2, 1).
#define ATTNMIX(V0, V1, V2, V3, V4, V5, W, VB, SHIFT, MIX) \
	MOVQ s_base+0(FP), SI; \
	MOVQ s_len+8(FP), R10; \
	MOVQ v_base+24(FP), DI; \
	MOVQ stride+48(FP), R9; \
	SHLQ $SHIFT, R9; \
	MOVQ out_base+56(FP), DX; \
	MOVQ out_len+64(FP), BX; \
mfour: \
	CMPQ BX, $W; \
	JB   mone; \
	VMOVUPS (DX), V0; VMOVUPS W(DX), V1; VMOVUPS (2*W)(DX), V2; VMOVUPS (3*W)(DX), V3; \
	MOVQ SI, R11; \
	MOVQ DI, R12; \
	MOVQ R10, CX; \
	TESTQ CX, CX; \
	JZ    mfourstore; \
mfourpos: \
	VBROADCASTSS (R11), V4; \
	MIX(V4, V0, 0, V5); MIX(V4, V1, W, V5); MIX(V4, V2, 2*W, V5); MIX(V4, V3, 3*W, V5); \
	ADDQ $4, R11; \
	ADDQ R9, R12; \
	DECQ CX; \
	JNZ  mfourpos; \
mfourstore: \
	VMOVUPS V0, (DX); VMOVUPS V1, W(DX); VMOVUPS V2, (2*W)(DX); VMOVUPS V3, (3*W)(DX); \
	ADDQ $(4*W), DX; \
	ADDQ $(4*VB), DI; \
	SUBQ $W, BX; \
	JMP  mfour; \
mone: \
	TESTQ BX, BX; \
	JZ    mdone; \
	VMOVUPS (DX), V0; \
	MOVQ SI, R11; \
	MOVQ DI, R12; \
	MOVQ R10, CX; \
	TESTQ CX, CX; \
	JZ    monestore; \
monepos: \
	VBROADCASTSS (R11), V4; \
	MIX(V4, V0, 0, V5); \
	ADDQ $4, R11; \
	ADDQ R9, R12; \
	DECQ CX; \
	JNZ  monepos; \
monestore: \
	VMOVUPS V0, (DX); \
	ADDQ $W, DX; \
	ADDQ $VB, DI; \
	SUBQ $(W/4), BX; \
	JMP  mone; \
mdone: \
	VZEROUPPER; \
	RET


// func attnMixAVX512(s, v []float32, stride int, out []float32)
TEXT ·attnMixAVX512(SB), NOSPLIT, $0-80
	ATTNMIX(Z0, Z1, Z2, Z3, Z4, Z5, 64, 64, 2, MIXPOS)

// ATTNSCORES4 is the body of the scores kernels at both levels (V0–V9 Y or
// Z registers of W bytes): four positions at a time, then ATTNSCORES for the
// rest. A position's sum alone ends in a chain of dependent lane sums
// (HSUM: extracts, adds, horizontal adds: most of its time on a long
// cache); four positions' sums share one such tree (REDUCE4Y, REDUCE4Z),
// its operations those of HSUM on the same operands, so every score has
// the same bits as one computed alone. Positions p+1, p+2, p+3 start at
// R10, R11, R12; V0–V1 are position p's even and odd vectors, V2–V3 p+1's,
// and so on. KFMA(off, base, Q, ACC) adds Q times the keys at
// off(base)(R13*1) (off in float32 bytes) to ACC: KFMAF32, or KFMAF16
// widening halves first (KFMAZ16 on Z registers); KB is the bytes of a
// vector's keys.
#define ATTNSCORES4(V0, V1, V2, V3, V4, V5, V6, V7, V8, V9, W, KFMA, LOADK, KB, REDUCE4, HSUM) \
four: \
	CMPQ CX, $4; \
	JB   rest; \
	LEAQ (DI)(R9*1), R10; \
	LEAQ (R10)(R9*1), R11; \
	LEAQ (R11)(R9*1), R12; \
	VXORPS V0, V0, V0; VXORPS V1, V1, V1; VXORPS V2, V2, V2; VXORPS V3, V3, V3; \
	VXORPS V4, V4, V4; VXORPS V5, V5, V5; VXORPS V6, V6, V6; VXORPS V7, V7, V7; \
	XORQ AX, AX; \
	XORQ R13, R13; \
	MOVQ R8, BX; \
fpair: \
	CMPQ BX, $(W/2); \
	JB   fone; \
	VMOVUPS (SI)(AX*1), V8; \
	VMOVUPS W(SI)(AX*1), V9; \
	KFMA(0, DI, V8, V0); \
	KFMA(W, DI, V9, V1); \
	KFMA(0, R10, V8, V2); \
	KFMA(W, R10, V9, V3); \
	KFMA(0, R11, V8, V4); \
	KFMA(W, R11, V9, V5); \
	KFMA(0, R12, V8, V6); \
	KFMA(W, R12, V9, V7); \
	ADDQ $(2*W), AX; \
	ADDQ $(2*KB), R13; \
	SUBQ $(W/2), BX; \
	JMP  fpair; \
fone: \
	TESTQ BX, BX; \
	JZ    freduce; \
	VMOVUPS (SI)(AX*1), V8; \
	KFMA(0, DI, V8, V0); \
	KFMA(0, R10, V8, V2); \
	KFMA(0, R11, V8, V4); \
	KFMA(0, R12, V8, V6); \
freduce: \
	VADDPS V1, V0, V0; \
	VADDPS V3, V2, V2; \
	VADDPS V5, V4, V4; \
	VADDPS V7, V6, V6; \
	REDUCE4; \
	ADDQ $16, DX; \
	LEAQ (R12)(R9*1), DI; \
	SUBQ $4, CX; \
	JMP  four; \
rest: \
	ATTNSCORES(V0, V1, V2, V3, W, HSUM, LOADK, KB)

// REDUCE4Y is ATTNSCORES4's reduction on AVX2 (the scale broadcast in X15):
// the four positions' sums and scores into out[p..p+3].
#define REDUCE4Y \
	VPERM2F128 $0x20, Y2, Y0, Y8; \
	VPERM2F128 $0x31, Y2, Y0, Y9; \
	VADDPS Y9, Y8, Y8; \
	VPERM2F128 $0x20, Y6, Y4, Y10; \
	VPERM2F128 $0x31, Y6, Y4, Y11; \
	VADDPS Y11, Y10, Y10; \
	VHADDPS Y10, Y8, Y8; \
	VHADDPS Y8, Y8, Y8; \
	VEXTRACTF128 $1, Y8, X9; \
	VUNPCKLPS X9, X8, X8; \
	VMULPS X15, X8, X8; \
	VMOVUPS X8, (DX)

// In the reduction of ATTNSCORES4, low half plus high half puts two
// positions in a register ([p | p+1], [p+2 | p+3]); the two horizontal adds
// give lanes [p, p+2, p, p+2 | p+1, p+3, p+1, p+3], unpacked to [p, p+1,
// p+2, p+3].

#define KFMAF32(off, base, Q, ACC) VFMADD231PS off(base)(R13*1), Q, ACC
#define KFMAF16(off, base, Q, ACC) VCVTPH2PS (off/2)(base)(R13*1), Y10; VFMADD231PS Y10, Q, ACC

// func attnScoresAVX2(q, k []float32, stride, n int, scale float32, out []float32)
TEXT ·attnScoresAVX2(SB), NOSPLIT, $0-96
	ATTNSCORESARGS
	VBROADCASTSS X15, X15
	ATTNSCORES4(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, 32, KFMAF32, LOADF32, 32, REDUCE4Y, HSUMY0)

// func attnMixAVX2(s, v []float32, stride int, out []float32)
TEXT ·attnMixAVX2(SB), NOSPLIT, $0-80
	ATTNMIX(Y0, Y1, Y2, Y3, Y4, Y5, 32, 32, 2, MIXPOS)

// MIX3WEIGHTS broadcasts the three heads' weights of the position at R11
// (rows R13 bytes apart) into A, B, C (Y12–Y14, or Z12–Z14 on AVX-512).
#define MIX3WEIGHTS(A, B, C) \
	VBROADCASTSS (R11), A; \
	VBROADCASTSS (R11)(R13*1), B; \
	VBROADCASTSS (R11)(R13*2), C

// MIX3VEC adds the vector of V at off(R12), times each head's weight, to
// that head's accumulator (A, B, C).
#define MIX3VEC(off, A, B, C) \
	VMOVUPS off(R12), Y15; \
	VFMADD231PS Y15, Y12, A; \
	VFMADD231PS Y15, Y13, B; \
	VFMADD231PS Y15, Y14, C

// MIX3POSITIONS runs BODY for each of the n positions (R10), the weights
// from SI (broadcast by MIX3WEIGHTS into W0–W2) and the values from DI on,
// then goes to done; none: straight to done.
#define MIX3POSITIONS(loop, done, W0, W1, W2, BODY) \
	MOVQ SI, R11; \
	MOVQ DI, R12; \
	MOVQ R10, CX; \
	TESTQ CX, CX; \
	JZ    done; \
loop: \
	MIX3WEIGHTS(W0, W1, W2); \
	BODY; \
	ADDQ $4, R11; \
	ADDQ R9, R12; \
	DECQ CX; \
	JNZ  loop

// MIX3FOUR is one position's step on four vectors of each head.
#define MIX3FOUR \
	MIX3VEC(0, Y0, Y4, Y8); \
	MIX3VEC(32, Y1, Y5, Y9); \
	MIX3VEC(64, Y2, Y6, Y10); \
	MIX3VEC(96, Y3, Y7, Y11)

// func attnMix3AVX2(s []float32, n, sStride int, v []float32, stride int, out []float32, outStride, dims int)
//
// attnMixAVX2 for three query heads of one KV head at once (the grouped
// path, attention_grouped.go): head j's weights are s[j·sStride:][:n], its
// output out[j·outStride:][:dims]. Each value of V is loaded once for the
// three; per accumulator the FMAs are attnMix's own, in position order, so
// the result has the same bits as three attnMix calls. Twelve accumulators
// keep the FMA units busy where one head's four wait on their own latency.
TEXT ·attnMix3AVX2(SB), NOSPLIT, $0-112
	MIX3ARGS(2)
m3four:
	CMPQ BX, $32
	JB   m3one
	VMOVUPS (DX), Y0
	VMOVUPS 32(DX), Y1
	VMOVUPS 64(DX), Y2
	VMOVUPS 96(DX), Y3
	VMOVUPS (DX)(R14*1), Y4
	VMOVUPS 32(DX)(R14*1), Y5
	VMOVUPS 64(DX)(R14*1), Y6
	VMOVUPS 96(DX)(R14*1), Y7
	VMOVUPS (DX)(R14*2), Y8
	VMOVUPS 32(DX)(R14*2), Y9
	VMOVUPS 64(DX)(R14*2), Y10
	VMOVUPS 96(DX)(R14*2), Y11
	MIX3POSITIONS(m3fourpos, m3fourstore, Y12, Y13, Y14, MIX3FOUR)
m3fourstore:
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	VMOVUPS Y2, 64(DX)
	VMOVUPS Y3, 96(DX)
	VMOVUPS Y4, (DX)(R14*1)
	VMOVUPS Y5, 32(DX)(R14*1)
	VMOVUPS Y6, 64(DX)(R14*1)
	VMOVUPS Y7, 96(DX)(R14*1)
	VMOVUPS Y8, (DX)(R14*2)
	VMOVUPS Y9, 32(DX)(R14*2)
	VMOVUPS Y10, 64(DX)(R14*2)
	VMOVUPS Y11, 96(DX)(R14*2)
	ADDQ $128, DX
	ADDQ $128, DI
	SUBQ $32, BX
	JMP  m3four
m3one:
	TESTQ BX, BX
	JZ    m3done
	VMOVUPS (DX), Y0
	VMOVUPS (DX)(R14*1), Y4
	VMOVUPS (DX)(R14*2), Y8
	MIX3POSITIONS(m3onepos, m3onestore, Y12, Y13, Y14, MIX3VEC(0, Y0, Y4, Y8))
m3onestore:
	VMOVUPS Y0, (DX)
	VMOVUPS Y4, (DX)(R14*1)
	VMOVUPS Y8, (DX)(R14*2)
	ADDQ $32, DX
	ADDQ $32, DI
	SUBQ $8, BX
	JMP  m3one
m3done:
	VZEROUPPER
	RET


// func attnScoresF16AVX2(q []float32, k []uint16, stride, n int, scale float32, out []float32)
TEXT ·attnScoresF16AVX2(SB), NOSPLIT, $0-96
	ATTNSCORESARGS
	SHRQ $1, R9
	VBROADCASTSS X15, X15
	ATTNSCORES4(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, 32, KFMAF16, LOADF16, 16, REDUCE4Y, HSUMY0)

// func attnMixF16AVX512(s []float32, v []uint16, stride int, out []float32)
TEXT ·attnMixF16AVX512(SB), NOSPLIT, $0-80
	ATTNMIX(Z0, Z1, Z2, Z3, Z4, Z5, 64, 32, 1, MIXPOSF16)

// func attnMixF16AVX2(s []float32, v []uint16, stride int, out []float32)
TEXT ·attnMixF16AVX2(SB), NOSPLIT, $0-80
	ATTNMIX(Y0, Y1, Y2, Y3, Y4, Y5, 32, 16, 1, MIXPOSF16)

// func narrowF16x8AVX2(src []float32, dst []uint16)
//
// len(src)/8 groups of eight floats to halves by F16C, rounding to
// nearest even (immediate 0), as quant.F32ToF16 does.
TEXT ·narrowF16x8AVX2(SB), NOSPLIT, $0-48
	MOVQ src_base+0(FP), SI
	MOVQ src_len+8(FP), CX
	MOVQ dst_base+24(FP), DI
	SHRQ $3, CX
	JZ   ndone
nloop:
	VMOVUPS (SI), Y0
	VCVTPS2PH $0, Y0, (DI)
	ADDQ $32, SI
	ADDQ $16, DI
	DECQ CX
	JNZ  nloop
ndone:
	VZEROUPPER
	RET

// One query's scores on AVX-512, four positions at a time (ATTNSCORES, the
// one-position body, takes the rest). Alone, a position's sixteen lanes end
// in a chain of six dependent shuffles and adds (HSUMZ0), the shuffles all
// on one port; four positions share one reduction tree of nine shuffles,
// under half of the shuffles a position needs alone. Each step adds the operands
// HSUMZ0 adds for that position (float addition commutes bit for bit), so
// every score has the bits it gets alone:
//
//	HSUMZ0:      y[i] = z[i] + z[i+8]   x[i] = y[i] + y[i+4]   (x0+x1) + (x2+x3)
//	here, 4 at once: low and high 256-bit halves of [p | p+1] and [p+2 | p+3]
//	shuffled apart and added; then the 128-bit quarters of the four; then
//	even and odd lanes; then lanes 0 and 1 of each quarter. The scores sit
//	in lanes 0, 4, 8 and 12, which two VPMOVQD store side by side.
//
// The body is ATTNSCORES4 on Z registers: positions p..p+3 start at
// DI, R10, R11, R12; R13 is the keys' offset, AX the query's; Z0–Z1 are
// position p's even and odd vectors, Z2–Z3 p+1's, and so on.

// KFMAZ16 is KFMAF16 on Z registers (KFMAF32 takes either).
#define KFMAZ16(off, base, Q, ACC) VCVTPH2PS (off/2)(base)(R13*1), Z10; VFMADD231PS Z10, Q, ACC

// func attnScoresAVX512(q, k []float32, stride, n int, scale float32, out []float32)
TEXT ·attnScoresAVX512(SB), NOSPLIT, $0-96
	ATTNSCORESARGS
	ATTNSCORES4ZSETUP
	ATTNSCORES4(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, 64, KFMAF32, LOADF32, 64, REDUCE4Z, HSUMZ0)

// func attnScoresF16AVX512(q []float32, k []uint16, stride, n int, scale float32, out []float32)
TEXT ·attnScoresF16AVX512(SB), NOSPLIT, $0-96
	ATTNSCORESARGS
	SHRQ $1, R9
	ATTNSCORES4ZSETUP
	ATTNSCORES4(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, 64, KFMAZ16, LOADF16, 32, REDUCE4Z, HSUMZ0)

// The three-head weighted sums on AVX-512 (attnMix3AVX2's on Z registers):
// each position's weights of the three heads broadcast in Z12–Z14, its
// values in Z15–Z18 (loaded by MIX3ZF32 or MIX3ZF16: float32, or halves
// widened once for the three heads), the accumulators Z0–Z3, Z4–Z7 and Z8–Z11 for the
// heads' 64 dimensions at a time, then Z0, Z4, Z8 for 16 at a time. Per
// accumulator the FMAs are attnMix's own, in position order, so the sums
// have the bits of three attnMix (or attnMixF16) calls.

// MIX3ZVEC adds the values in V times each head's weight to A, B, C.
#define MIX3ZVEC(V, A, B, C) \
	VFMADD231PS V, Z12, A; \
	VFMADD231PS V, Z13, B; \
	VFMADD231PS V, Z14, C

// MIX3ZBODY is the whole kernel; LOAD(V, off) loads the 16 values at
// float32 offset off (bytes) from R12, VB the bytes of 16 values, PF
// prefetches a position's values R8 bytes ahead.
#define MIX3ZBODY(LOAD, VB, PF) \
	MOVQ R9, R8; \
	SHLQ $4, R8; \
z3four: \
	CMPQ BX, $64; \
	JB   z3one; \
	VMOVUPS (DX), Z0; VMOVUPS 64(DX), Z1; VMOVUPS 128(DX), Z2; VMOVUPS 192(DX), Z3; \
	VMOVUPS (DX)(R14*1), Z4; VMOVUPS 64(DX)(R14*1), Z5; VMOVUPS 128(DX)(R14*1), Z6; VMOVUPS 192(DX)(R14*1), Z7; \
	VMOVUPS (DX)(R14*2), Z8; VMOVUPS 64(DX)(R14*2), Z9; VMOVUPS 128(DX)(R14*2), Z10; VMOVUPS 192(DX)(R14*2), Z11; \
	MIX3POSITIONS(z3fourpos, z3fourstore, Z12, Z13, Z14, PF; LOAD(Z15, 0); LOAD(Z16, 64); LOAD(Z17, 128); LOAD(Z18, 192); MIX3ZVEC(Z15, Z0, Z4, Z8); MIX3ZVEC(Z16, Z1, Z5, Z9); MIX3ZVEC(Z17, Z2, Z6, Z10); MIX3ZVEC(Z18, Z3, Z7, Z11)); \
z3fourstore: \
	VMOVUPS Z0, (DX); VMOVUPS Z1, 64(DX); VMOVUPS Z2, 128(DX); VMOVUPS Z3, 192(DX); \
	VMOVUPS Z4, (DX)(R14*1); VMOVUPS Z5, 64(DX)(R14*1); VMOVUPS Z6, 128(DX)(R14*1); VMOVUPS Z7, 192(DX)(R14*1); \
	VMOVUPS Z8, (DX)(R14*2); VMOVUPS Z9, 64(DX)(R14*2); VMOVUPS Z10, 128(DX)(R14*2); VMOVUPS Z11, 192(DX)(R14*2); \
	ADDQ $256, DX; \
	ADDQ $(4*VB), DI; \
	SUBQ $64, BX; \
	JMP  z3four; \
z3one: \
	TESTQ BX, BX; \
	JZ    z3done; \
	VMOVUPS (DX), Z0; \
	VMOVUPS (DX)(R14*1), Z4; \
	VMOVUPS (DX)(R14*2), Z8; \
	MIX3POSITIONS(z3onepos, z3onestore, Z12, Z13, Z14, LOAD(Z15, 0); MIX3ZVEC(Z15, Z0, Z4, Z8)); \
z3onestore: \
	VMOVUPS Z0, (DX); \
	VMOVUPS Z4, (DX)(R14*1); \
	VMOVUPS Z8, (DX)(R14*2); \
	ADDQ $64, DX; \
	ADDQ $VB, DI; \
	SUBQ $16, BX; \
	JMP  z3one; \
z3done: \
	VZEROUPPER; \
	RET

// MIX3PF2 and MIX3PF4 prefetch the position's 64 values 16 positions
// ahead (R8 bytes: the stride's 16 rows), 128 bytes of halves or 256 of
// float32, into L1: the hardware's prefetchers alone leave the loads
// waiting on memory.
#define MIX3PF2 PREFETCHT0 (R12)(R8*1); PREFETCHT0 64(R12)(R8*1)
#define MIX3PF4 MIX3PF2; PREFETCHT0 128(R12)(R8*1); PREFETCHT0 192(R12)(R8*1)
#define MIX3ZF32(V, off) VMOVUPS off(R12), V
#define MIX3ZF16(V, off) VCVTPH2PS (off/2)(R12), V

// MIX3PF1 prefetches an 8-bit row's 64 bytes 16 positions ahead; MIX3ZQ8
// widens 16 bytes and multiplies them by the position's scale, at the
// weights' address (R11) plus AX (the scales' base less the weights').
#define MIX3PF1 PREFETCHT0 (R12)(R8*1)
#define MIX3ZQ8(V, off) \
	VPMOVSXBD (off/4)(R12), V; \
	VCVTDQ2PS V, V; \
	VMULPS.BCST (R11)(AX*1), V, V

// func attnMix3AVX512(s []float32, n, sStride int, v []float32, stride int, out []float32, outStride, dims int)
//
// The arguments as attnMix3AVX2's; the values' stride in bytes is stride·4.
TEXT ·attnMix3AVX512(SB), NOSPLIT, $0-112
	MIX3ARGS(2)
	MIX3ZBODY(MIX3ZF32, 64, MIX3PF4)

// func attnMix3F16AVX512(s []float32, n, sStride int, v []uint16, stride int, out []float32, outStride, dims int)
//
// The values' stride is in halves (bytes: stride·2).
TEXT ·attnMix3F16AVX512(SB), NOSPLIT, $0-112
	MIX3ARGS(1)
	MIX3ZBODY(MIX3ZF16, 32, MIX3PF2)

// func attnMix3Q8AVX512(s []float32, n, sStride int, v []int8, stride int, out []float32, outStride, dims int, vs []float32)
//
// The values' stride is in bytes; vs[p] is position p's scale.
TEXT ·attnMix3Q8AVX512(SB), NOSPLIT, $0-136
	MIX3ARGS(0)
	MOVQ vs_base+112(FP), AX
	SUBQ SI, AX
	MIX3ZBODY(MIX3ZQ8, 16, MIX3PF1)
