//go:build !noasm

#include "textflag.h"

// GEMM packing and Q8_0 expansion (AVX2, used at both amd64 levels).

// TRANS8 transposes the 8×8 block whose rows start at lo, lo+ld, lo+2ld,
// lo+3ld, hi, … (R8 = ld, R15 = 3·ld bytes) into the rows at dlo, dlo+n,
// …, dhi, … (R10 = n, R11 = 3·n bytes). Pairs of rows interleave (UNPCK),
// quads combine (SHUFPS), then 128-bit halves swap (PERM2F128). Clobbers
// Y0–Y15.
#define TRANS8(lo, hi, dlo, dhi) \
	VMOVUPS (lo), Y0; \
	VMOVUPS (lo)(R8*1), Y1; \
	VMOVUPS (lo)(R8*2), Y2; \
	VMOVUPS (lo)(R15*1), Y3; \
	VMOVUPS (hi), Y4; \
	VMOVUPS (hi)(R8*1), Y5; \
	VMOVUPS (hi)(R8*2), Y6; \
	VMOVUPS (hi)(R15*1), Y7; \
	VUNPCKLPS Y1, Y0, Y8; \
	VUNPCKHPS Y1, Y0, Y9; \
	VUNPCKLPS Y3, Y2, Y10; \
	VUNPCKHPS Y3, Y2, Y11; \
	VUNPCKLPS Y5, Y4, Y12; \
	VUNPCKHPS Y5, Y4, Y13; \
	VUNPCKLPS Y7, Y6, Y14; \
	VUNPCKHPS Y7, Y6, Y15; \
	VSHUFPS $0x44, Y10, Y8, Y0; \
	VSHUFPS $0xEE, Y10, Y8, Y1; \
	VSHUFPS $0x44, Y11, Y9, Y2; \
	VSHUFPS $0xEE, Y11, Y9, Y3; \
	VSHUFPS $0x44, Y14, Y12, Y4; \
	VSHUFPS $0xEE, Y14, Y12, Y5; \
	VSHUFPS $0x44, Y15, Y13, Y6; \
	VSHUFPS $0xEE, Y15, Y13, Y7; \
	VPERM2F128 $0x20, Y4, Y0, Y8; \
	VPERM2F128 $0x20, Y5, Y1, Y9; \
	VPERM2F128 $0x20, Y6, Y2, Y10; \
	VPERM2F128 $0x20, Y7, Y3, Y11; \
	VPERM2F128 $0x31, Y4, Y0, Y12; \
	VPERM2F128 $0x31, Y5, Y1, Y13; \
	VPERM2F128 $0x31, Y6, Y2, Y14; \
	VPERM2F128 $0x31, Y7, Y3, Y15; \
	VMOVUPS Y8, (dlo); \
	VMOVUPS Y9, (dlo)(R10*1); \
	VMOVUPS Y10, (dlo)(R10*2); \
	VMOVUPS Y11, (dlo)(R11*1); \
	VMOVUPS Y12, (dhi); \
	VMOVUPS Y13, (dhi)(R10*1); \
	VMOVUPS Y14, (dhi)(R10*2); \
	VMOVUPS Y15, (dhi)(R11*1)

// func transpose8AVX2(k8 int, src []float32, ld int, dst []float32, n, rows8 int)
// dst[p*n+j] = src[j*ld+p] for j < rows8, p < k8; rows8 and k8 are
// multiples of 8, n (the destination stride) is any.
// Each 8×8 block is transposed in registers (TRANS8).
TEXT ·transpose8AVX2(SB), NOSPLIT, $8-80
	MOVQ k8+0(FP), CX
	SHLQ $2, CX                 // bytes of a row piece
	MOVQ src_base+8(FP), SI
	MOVQ ld+32(FP), R8
	SHLQ $2, R8                 // source row stride in bytes
	LEAQ (R8)(R8*2), R15        // 3 source rows
	MOVQ dst_base+40(FP), DI
	MOVQ n+64(FP), R10
	SHLQ $2, R10                // destination row stride in bytes
	LEAQ (R10)(R10*2), R11      // 3 destination rows
	XORQ BX, BX                 // j

rows8:
	CMPQ BX, rows8+72(FP)
	JAE  done
	MOVQ SI, R12                // rows j..j+3
	LEAQ (SI)(R8*4), R13        // rows j+4..j+7
	LEAQ (SI)(CX*1), AX
	MOVQ AX, end-8(SP)          // end of row j's piece
	LEAQ (DI)(BX*4), DX         // dst columns j.., rows p..p+3
	LEAQ (DX)(R10*4), AX        // rows p+4..p+7
	// A weight matrix streams from memory here, eight short row pieces
	// at a time: too short for the hardware prefetchers to lock on, so
	// rows j+16..j+23 are prefetched two groups ahead (harmless past the
	// end: prefetches do not fault).
	LEAQ (SI)(R8*8), R9
	LEAQ (R9)(R8*8), R9
	LEAQ (R9)(R8*4), R14

cols8:
	PREFETCHT0 (R9)
	PREFETCHT0 (R9)(R8*1)
	PREFETCHT0 (R9)(R8*2)
	PREFETCHT0 (R9)(R15*1)
	PREFETCHT0 (R14)
	PREFETCHT0 (R14)(R8*1)
	PREFETCHT0 (R14)(R8*2)
	PREFETCHT0 (R14)(R15*1)
	TRANS8(R12, R13, DX, AX)
	ADDQ $32, R12
	ADDQ $32, R13
	ADDQ $32, R9
	ADDQ $32, R14
	LEAQ (DX)(R10*8), DX
	LEAQ (AX)(R10*8), AX
	CMPQ R12, end-8(SP)
	JB   cols8

	LEAQ (SI)(R8*8), SI
	ADDQ $8, BX
	JMP  rows8

done:
	VZEROUPPER
	RET

// func transposePanelAVX2(k8 int, src []float32, ld int, dst []float32, n int)
// dst[p*n+j] = src[j*ld+p] for j < n, p < k8; n and k8 are multiples of 8.
// transpose8AVX2's order turned round, for a panel of X (n ≤ 32 tokens, in
// cache): each 8 columns of every row, so the panel's rows p..p+7 are
// written whole, one after the other, instead of a 32-byte piece per pass
// over the whole panel.
TEXT ·transposePanelAVX2(SB), NOSPLIT, $0-72
	MOVQ k8+0(FP), CX
	SHRQ $3, CX                 // 8-column blocks
	JZ   tpdone
	MOVQ src_base+8(FP), SI
	MOVQ ld+32(FP), R8
	SHLQ $2, R8                 // source row stride in bytes
	LEAQ (R8)(R8*2), R15        // 3 source rows
	MOVQ dst_base+40(FP), DI
	MOVQ n+64(FP), R10
	MOVQ R10, BX
	SHRQ $3, BX                 // 8-row groups
	JZ   tpdone
	SHLQ $2, R10                // destination row stride in bytes
	LEAQ (R10)(R10*2), R11      // 3 destination rows

tpcols:
	MOVQ SI, R12                // rows j..j+3, columns p..p+7
	LEAQ (SI)(R8*4), R13        // rows j+4..j+7
	MOVQ DI, DX                 // destination rows p..p+3, columns j..
	LEAQ (DI)(R10*4), AX        // rows p+4..p+7
	MOVQ BX, R9

tprows:
	TRANS8(R12, R13, DX, AX)
	LEAQ (R12)(R8*8), R12
	LEAQ (R13)(R8*8), R13
	ADDQ $32, DX
	ADDQ $32, AX
	DECQ R9
	JNZ  tprows

	ADDQ $32, SI
	LEAQ (DI)(R10*8), DI
	DECQ CX
	JNZ  tpcols

tpdone:
	VZEROUPPER
	RET

// func transpose4AVX2(k8 int, src []float32, ld int, dst []float32, n int)
// dst[p*n+j] = src[j*ld+p] for j < 4, p < k8 (a multiple of 8): the four
// rows a 12-row (AVX-512) or 6-row (AVX2) A panel has past its 8×8 blocks,
// and the query and probability panels of tiled attention. Four rows by
// eight columns are transposed in registers as two 4×4 blocks, one per
// 128-bit half, and stored a half at a time.
TEXT ·transpose4AVX2(SB), NOSPLIT, $0-72
	MOVQ k8+0(FP), CX
	SHRQ $3, CX                 // 8-column blocks
	JZ   t4done
	MOVQ src_base+8(FP), SI
	MOVQ ld+32(FP), R8
	SHLQ $2, R8                 // source row stride in bytes
	LEAQ (R8)(R8*2), R9         // 3 source rows
	MOVQ dst_base+40(FP), DI
	MOVQ n+64(FP), R10
	SHLQ $2, R10                // destination row stride in bytes
	LEAQ (R10)(R10*2), R11      // 3 destination rows

t4loop:
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(R8*1), Y1
	VMOVUPS (SI)(R8*2), Y2
	VMOVUPS (SI)(R9*1), Y3
	VUNPCKLPS Y1, Y0, Y4        // a0 b0 a1 b1 | a4 b4 a5 b5
	VUNPCKHPS Y1, Y0, Y5        // a2 b2 a3 b3 | a6 b6 a7 b7
	VUNPCKLPS Y3, Y2, Y6        // c0 d0 c1 d1 | c4 d4 c5 d5
	VUNPCKHPS Y3, Y2, Y7        // c2 d2 c3 d3 | c6 d6 c7 d7
	VSHUFPS $0x44, Y6, Y4, Y0   // a0 b0 c0 d0 | a4 b4 c4 d4
	VSHUFPS $0xEE, Y6, Y4, Y1   // a1 b1 c1 d1 | a5 b5 c5 d5
	VSHUFPS $0x44, Y7, Y5, Y2   // a2 b2 c2 d2 | a6 b6 c6 d6
	VSHUFPS $0xEE, Y7, Y5, Y3   // a3 b3 c3 d3 | a7 b7 c7 d7
	LEAQ (DI)(R10*4), DX        // destination rows p+4..p+7
	VMOVUPS X0, (DI)
	VMOVUPS X1, (DI)(R10*1)
	VMOVUPS X2, (DI)(R10*2)
	VMOVUPS X3, (DI)(R11*1)
	VEXTRACTF128 $1, Y0, (DX)
	VEXTRACTF128 $1, Y1, (DX)(R10*1)
	VEXTRACTF128 $1, Y2, (DX)(R10*2)
	VEXTRACTF128 $1, Y3, (DX)(R11*1)
	ADDQ $32, SI
	LEAQ (DI)(R10*8), DI
	DECQ CX
	JNZ  t4loop

t4done:
	VZEROUPPER
	RET

// func dequantQ8_0AVX2(w []byte, dst []float32)
// len(dst)/32 blocks: dst = f16(d) · int8(q), one rounding like the Go code.
TEXT ·dequantQ8_0AVX2(SB), NOSPLIT, $0-48
	MOVQ w_base+0(FP), SI
	MOVQ dst_base+24(FP), DI
	MOVQ dst_len+32(FP), CX
	SHRQ $5, CX
	JZ   dqdone

dqloop:
	MOVWLZX (SI), AX
	VMOVD AX, X0
	VCVTPH2PS X0, X0
	VBROADCASTSS X0, Y0
	VPMOVSXBD 2(SI), Y1
	VPMOVSXBD 10(SI), Y2
	VPMOVSXBD 18(SI), Y3
	VPMOVSXBD 26(SI), Y4
	VCVTDQ2PS Y1, Y1
	VCVTDQ2PS Y2, Y2
	VCVTDQ2PS Y3, Y3
	VCVTDQ2PS Y4, Y4
	VMULPS Y0, Y1, Y1
	VMULPS Y0, Y2, Y2
	VMULPS Y0, Y3, Y3
	VMULPS Y0, Y4, Y4
	VMOVUPS Y1, (DI)
	VMOVUPS Y2, 32(DI)
	VMOVUPS Y3, 64(DI)
	VMOVUPS Y4, 96(DI)
	ADDQ $34, SI
	ADDQ $128, DI
	DECQ CX
	JNZ  dqloop

dqdone:
	VZEROUPPER
	RET

// func dequantF16x8AVX2(w []byte, dst []float32)
// len(dst)/8 groups of eight halves widened by F16C (exact, as the Go code).
TEXT ·dequantF16x8AVX2(SB), NOSPLIT, $0-48
	MOVQ w_base+0(FP), SI
	MOVQ dst_base+24(FP), DI
	MOVQ dst_len+32(FP), CX
	SHRQ $3, CX
	JZ   f16done

f16loop:
	VCVTPH2PS (SI), Y0
	VMOVUPS Y0, (DI)
	ADDQ $16, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  f16loop

f16done:
	VZEROUPPER
	RET

// func widenF16Rowsx8AVX2(src []uint16, srcStride int, dst []float32, dstStride, rows, cols int)
// rows rows of cols halves (a multiple of 8), srcStride halves apart,
// widened by F16C into rows dstStride floats apart.
TEXT ·widenF16Rowsx8AVX2(SB), NOSPLIT, $0-80
	MOVQ src_base+0(FP), SI
	MOVQ srcStride+24(FP), R8
	SHLQ $1, R8
	MOVQ dst_base+32(FP), DI
	MOVQ dstStride+56(FP), R9
	SHLQ $2, R9
	MOVQ rows+64(FP), DX
	MOVQ cols+72(FP), R10
	SHRQ $3, R10
	TESTQ DX, DX
	JZ   wrdone
	TESTQ R10, R10
	JZ   wrdone

wrrow:
	MOVQ SI, AX
	MOVQ DI, BX
	MOVQ R10, CX

wrcol:
	VCVTPH2PS (AX), Y0
	VMOVUPS Y0, (BX)
	ADDQ $16, AX
	ADDQ $32, BX
	DECQ CX
	JNZ  wrcol
	ADDQ R8, SI
	ADDQ R9, DI
	DECQ DX
	JNZ  wrrow

wrdone:
	VZEROUPPER
	RET

// func dequantQ4_0AVX2(w []byte, dst []float32)
// len(dst)/32 blocks: dst = f16(d) · (q − 8), one rounding like the Go code;
// byte j holds element j (low nibble) and j+16 (high nibble).
TEXT ·dequantQ4_0AVX2(SB), NOSPLIT, $0-48
	MOVQ w_base+0(FP), SI
	MOVQ dst_base+24(FP), DI
	MOVQ dst_len+32(FP), CX
	SHRQ $5, CX
	JZ   q4done
	MOVL $0x0f0f0f0f, AX
	VMOVD AX, X15
	VPBROADCASTD X15, X15
	MOVL $0x08080808, AX
	VMOVD AX, X14
	VPBROADCASTD X14, X14

q4loop:
	MOVWLZX (SI), AX
	VMOVD AX, X0
	VCVTPH2PS X0, X0
	VBROADCASTSS X0, Y0
	VMOVDQU 2(SI), X1
	VPAND X15, X1, X2
	VPSRLW $4, X1, X3
	VPAND X15, X3, X3
	VPSUBB X14, X2, X2
	VPSUBB X14, X3, X3
	VPMOVSXBD X2, Y4
	VPSHUFD $0xEE, X2, X5
	VPMOVSXBD X5, Y5
	VPMOVSXBD X3, Y6
	VPSHUFD $0xEE, X3, X7
	VPMOVSXBD X7, Y7
	VCVTDQ2PS Y4, Y4
	VCVTDQ2PS Y5, Y5
	VCVTDQ2PS Y6, Y6
	VCVTDQ2PS Y7, Y7
	VMULPS Y0, Y4, Y4
	VMULPS Y0, Y5, Y5
	VMULPS Y0, Y6, Y6
	VMULPS Y0, Y7, Y7
	VMOVUPS Y4, (DI)
	VMOVUPS Y5, 32(DI)
	VMOVUPS Y6, 64(DI)
	VMOVUPS Y7, 96(DI)
	ADDQ $18, SI
	ADDQ $128, DI
	DECQ CX
	JNZ  q4loop

q4done:
	VZEROUPPER
	RET

// Q4K_EIGHT expands bytes OFF..OFF+7 of the group at SI: their low nibbles
// to dst[OFF..OFF+7], their high nibbles to dst[32+OFF..], with Y11/Y12 the
// low step and offset, Y13/Y14 the high ones, Y15 fifteen in every lane.
#define Q4K_EIGHT(OFF) \
	VPMOVZXBD OFF(SI), Y1; \
	VPAND Y15, Y1, Y2; \
	VPSRLD $4, Y1, Y3; \
	VCVTDQ2PS Y2, Y2; \
	VCVTDQ2PS Y3, Y3; \
	VMULPS Y11, Y2, Y2; \
	VSUBPS Y12, Y2, Y2; \
	VMULPS Y13, Y3, Y3; \
	VSUBPS Y14, Y3, Y3; \
	VMOVUPS Y2, (OFF*4)(DI); \
	VMOVUPS Y3, (128+OFF*4)(DI)

// func expandQ4K256AVX2(qs []byte, dm *[16]float32, dst []float32)
// One Q4_K super-block's 256 values from its 128 bytes of nibbles: group g
// of 64 takes bytes 32g..32g+31, low nibbles step d(2g) and offset m(2g),
// high nibbles d(2g+1), m(2g+1), with dm = {d0, m0, d1, m1, ...}; value =
// round(d·q) − m, as package quant computes it.
TEXT ·expandQ4K256AVX2(SB), NOSPLIT, $0-56
	MOVQ qs_base+0(FP), SI
	MOVQ dm+24(FP), DX
	MOVQ dst_base+32(FP), DI
	MOVL $15, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	MOVQ $4, CX

q4kgroup:
	VBROADCASTSS 0(DX), Y11
	VBROADCASTSS 4(DX), Y12
	VBROADCASTSS 8(DX), Y13
	VBROADCASTSS 12(DX), Y14
	Q4K_EIGHT(0)
	Q4K_EIGHT(8)
	Q4K_EIGHT(16)
	Q4K_EIGHT(24)
	ADDQ $32, SI
	ADDQ $16, DX
	ADDQ $256, DI
	DECQ CX
	JNZ  q4kgroup
	VZEROUPPER
	RET

// Q6K_EIGHT expands values L0..L0+7 of each quarter of a Q6_K half: SI =
// its 64 bytes of low nibbles, BX = its 32 bytes of high bit pairs, DX = its
// 8 steps d·scale, DI = its 128 outputs. Quarter k's value l has low bits
// from ql[l + 32·(k%2)] (nibble k/2) and high bits 2k..2k+1 of qh[l];
// value = step · (q − 32). Y15 = 15, Y14 = 3, Y13 = 32 in every lane.
#define Q6K_QUARTER(SRC, SHIFT, HSHIFT, STEP, OUT) \
	VPSRLD $SHIFT, SRC, Y4; \
	VPAND Y15, Y4, Y4; \
	VPSRLD $HSHIFT, Y3, Y5; \
	VPAND Y14, Y5, Y5; \
	VPSLLD $4, Y5, Y5; \
	VPOR Y5, Y4, Y4; \
	VPSUBD Y13, Y4, Y4; \
	VCVTDQ2PS Y4, Y4; \
	VBROADCASTSS ((STEP)*4)(DX), Y6; \
	VMULPS Y6, Y4, Y4; \
	VMOVUPS Y4, ((OUT)*4)(DI)

#define Q6K_EIGHT(L0, IS) \
	VPMOVZXBD L0(SI), Y1; \
	VPMOVZXBD (L0+32)(SI), Y2; \
	VPMOVZXBD L0(BX), Y3; \
	Q6K_QUARTER(Y1, 0, 0, IS, L0); \
	Q6K_QUARTER(Y2, 0, 2, IS+2, L0+32); \
	Q6K_QUARTER(Y1, 4, 4, IS+4, L0+64); \
	Q6K_QUARTER(Y2, 4, 6, IS+6, L0+96)

// func expandQ6K256AVX2(blk []byte, steps *[16]float32, dst []float32)
// One Q6_K super-block's 256 values; steps[i] = d·scale[i], computed in Go
// as package quant computes them.
TEXT ·expandQ6K256AVX2(SB), NOSPLIT, $0-56
	MOVQ blk_base+0(FP), SI
	MOVQ steps+24(FP), DX
	MOVQ dst_base+32(FP), DI
	LEAQ 128(SI), BX
	MOVL $15, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	MOVL $3, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14
	MOVL $32, AX
	VMOVD AX, X13
	VPBROADCASTD X13, Y13
	MOVQ $2, CX

q6khalf:
	Q6K_EIGHT(0, 0)
	Q6K_EIGHT(8, 0)
	Q6K_EIGHT(16, 1)
	Q6K_EIGHT(24, 1)
	ADDQ $64, SI
	ADDQ $32, BX
	ADDQ $32, DX
	ADDQ $512, DI
	DECQ CX
	JNZ  q6khalf
	VZEROUPPER
	RET

// Lane j of q5Shifts is j: with the offsets 8, 16, 24 added it gives each
// lane the bit of qh that holds its fifth bit.
DATA q5Shifts<>+0(SB)/4, $0
DATA q5Shifts<>+4(SB)/4, $1
DATA q5Shifts<>+8(SB)/4, $2
DATA q5Shifts<>+12(SB)/4, $3
DATA q5Shifts<>+16(SB)/4, $4
DATA q5Shifts<>+20(SB)/4, $5
DATA q5Shifts<>+24(SB)/4, $6
DATA q5Shifts<>+28(SB)/4, $7
GLOBL q5Shifts<>(SB), RODATA|NOPTR, $32

// Q5_EIGHT expands elements J..J+7 (low nibbles of qs[J..]) and J+16..J+23
// (high nibbles): q = nibble | bit (j or j+16) of qh << 4, value = (q − 16)·d.
// Y0 = d, Y8 = qh in every lane, Y9 = lane index, Y15 = 15, Y14 = 1, Y13 = 16.
#define Q5_EIGHT(J) \
	VPMOVZXBD (6+J)(SI), Y1; \
	VPAND Y15, Y1, Y2; \
	VPSRLD $4, Y1, Y3; \
	MOVL $J, AX; \
	VMOVD AX, X10; \
	VPBROADCASTD X10, Y10; \
	VPADDD Y9, Y10, Y10; \
	VPSRLVD Y10, Y8, Y4; \
	VPAND Y14, Y4, Y4; \
	VPSLLD $4, Y4, Y4; \
	VPOR Y4, Y2, Y2; \
	MOVL $(J+16), AX; \
	VMOVD AX, X10; \
	VPBROADCASTD X10, Y10; \
	VPADDD Y9, Y10, Y10; \
	VPSRLVD Y10, Y8, Y4; \
	VPAND Y14, Y4, Y4; \
	VPSLLD $4, Y4, Y4; \
	VPOR Y4, Y3, Y3; \
	VPSUBD Y13, Y2, Y2; \
	VPSUBD Y13, Y3, Y3; \
	VCVTDQ2PS Y2, Y2; \
	VCVTDQ2PS Y3, Y3; \
	VMULPS Y0, Y2, Y2; \
	VMULPS Y0, Y3, Y3; \
	VMOVUPS Y2, (J*4)(DI); \
	VMOVUPS Y3, (64+J*4)(DI)

// func dequantQ5_0AVX2(w []byte, dst []float32)
// len(dst)/32 Q5_0 blocks: d (f16), 32 fifth bits, 16 bytes of nibbles;
// value = (q − 16)·d, one rounding like the Go code.
TEXT ·dequantQ5_0AVX2(SB), NOSPLIT, $0-48
	MOVQ w_base+0(FP), SI
	MOVQ dst_base+24(FP), DI
	MOVQ dst_len+32(FP), CX
	SHRQ $5, CX
	JZ   q5done
	MOVL $15, AX
	VMOVD AX, X15
	VPBROADCASTD X15, Y15
	MOVL $1, AX
	VMOVD AX, X14
	VPBROADCASTD X14, Y14
	MOVL $16, AX
	VMOVD AX, X13
	VPBROADCASTD X13, Y13
	VMOVDQU q5Shifts<>(SB), Y9

q5loop:
	MOVWLZX (SI), AX
	VMOVD AX, X0
	VCVTPH2PS X0, X0
	VBROADCASTSS X0, Y0
	VPBROADCASTD 2(SI), Y8
	Q5_EIGHT(0)
	Q5_EIGHT(8)
	ADDQ $22, SI
	ADDQ $128, DI
	DECQ CX
	JNZ  q5loop

q5done:
	VZEROUPPER
	RET

// PSCOPY copies `vals` values (`bytes` bytes, through r) from R11+BX to
// R12+BX if AX, the values left of a strip, has them, and counts them off;
// otherwise it goes to skip.
#define PSCOPY(mov, r, bytes, vals, skip) \
	CMPQ AX, $vals; \
	JB   skip; \
	mov (R11)(BX*1), r; \
	mov r, (R12)(BX*1); \
	ADDQ $bytes, BX; \
	SUBQ $vals, AX

// func packStripsAVX2(rows int, src []float32, ld int, dst []float32, dstStride, width, strips int)
// For p < rows, s < strips: width values at src[p·ld + s·width] to
// dst[s·dstStride + p·width]: eight at a time, then four, two, one.
TEXT ·packStripsAVX2(SB), NOSPLIT, $0-88
	MOVQ rows+0(FP), CX
	MOVQ src_base+8(FP), SI
	MOVQ ld+32(FP), R8
	MOVQ dst_base+40(FP), DI
	MOVQ dstStride+64(FP), R9
	MOVQ width+72(FP), R10
	SHLQ $2, R8           // bytes between source rows
	SHLQ $2, R9           // bytes between destination strips
	TESTQ CX, CX
	JZ   psdone

psrow:
	// Prefetch the row eight ahead: a task's strips of W are a few lines
	// of each of many rows, runs too short for the hardware prefetchers.
	LEAQ (SI)(R8*8), R14
	MOVQ strips+80(FP), AX
	IMULQ R10, AX         // values a row
	SHLQ $2, AX
	ADDQ R14, AX          // its end

pspf:
	PREFETCHT0 (R14)
	ADDQ $64, R14
	CMPQ R14, AX
	JB   pspf
	MOVQ SI, R11          // this row's strip s in the source
	MOVQ DI, R12          // and in the destination
	MOVQ strips+80(FP), DX
	TESTQ DX, DX
	JZ   psnext

psstrip:
	MOVQ R10, AX
	XORQ BX, BX

ps8:
	PSCOPY(VMOVUPS, Y0, 32, 8, ps4)
	JMP  ps8

ps4:
	PSCOPY(VMOVUPS, X0, 16, 4, ps2)

ps2:
	PSCOPY(MOVQ, R13, 8, 2, ps1)

ps1:
	TESTQ AX, AX
	JZ   psstripdone
	MOVL (R11)(BX*1), R13
	MOVL R13, (R12)(BX*1)

psstripdone:
	LEAQ (R11)(R10*4), R11
	ADDQ R9, R12
	DECQ DX
	JNZ  psstrip

psnext:
	ADDQ R8, SI
	LEAQ (DI)(R10*4), DI
	DECQ CX
	JNZ  psrow

psdone:
	VZEROUPPER
	RET

// PANELROWS is the loop of the packPanelRows kernels:
// for CX rows, COPY the row at SI to DI, prefetch the row eight ahead, and
// step SI by R8 (ld bytes) and DI by `bytes`.
#define PANELROWS(COPY, bytes) \
	MOVQ rows+0(FP), CX; \
	MOVQ src_base+8(FP), SI; \
	MOVQ ld+32(FP), R8; \
	MOVQ dst_base+40(FP), DI; \
	SHLQ $2, R8; \
	TESTQ CX, CX; \
	JZ   done; \
row: \
	PREFETCHT0 (SI)(R8*8); \
	COPY; \
	ADDQ R8, SI; \
	ADDQ $bytes, DI; \
	DECQ CX; \
	JNZ  row; \
done: \
	VZEROUPPER; \
	RET

#define COPY16 \
	VMOVUPS (SI), Y0; \
	VMOVUPS 32(SI), Y1; \
	VMOVUPS Y0, (DI); \
	VMOVUPS Y1, 32(DI)

#define COPY32 \
	VMOVUPS (SI), Y0; \
	VMOVUPS 32(SI), Y1; \
	VMOVUPS 64(SI), Y2; \
	VMOVUPS 96(SI), Y3; \
	VMOVUPS Y0, (DI); \
	VMOVUPS Y1, 32(DI); \
	VMOVUPS Y2, 64(DI); \
	VMOVUPS Y3, 96(DI)

#define COPY12 \
	VMOVUPS (SI), Y0; \
	VMOVUPS 32(SI), X1; \
	VMOVUPS Y0, (DI); \
	VMOVUPS X1, 32(DI)

#define COPY6 \
	VMOVUPS (SI), X0; \
	MOVQ 16(SI), R9; \
	VMOVUPS X0, (DI); \
	MOVQ R9, 16(DI)

// func packPanelRows16AVX2(rows int, src []float32, ld int, dst []float32)
// packStrips for one strip of 16 values (an AVX2 B panel): rows of 64
// bytes, each in a few instructions instead of the general loop's
// dozens.
TEXT ·packPanelRows16AVX2(SB), NOSPLIT, $0-64
	PANELROWS(COPY16, 64)

// func packPanelRows6AVX2(rows int, src []float32, ld int, dst []float32)
// packStrips for one strip of 6 values (an AVX2 A panel).
TEXT ·packPanelRows6AVX2(SB), NOSPLIT, $0-64
	PANELROWS(COPY6, 24)

// func packPanelRows32AVX2(rows int, src []float32, ld int, dst []float32)
// packStrips for one strip of 32 values (an AVX-512 B panel).
TEXT ·packPanelRows32AVX2(SB), NOSPLIT, $0-64
	PANELROWS(COPY32, 128)

// func packPanelRows12AVX2(rows int, src []float32, ld int, dst []float32)
// packStrips for one strip of 12 values (an AVX-512 A panel).
TEXT ·packPanelRows12AVX2(SB), NOSPLIT, $0-64
	PANELROWS(COPY12, 48)

// func transposeHalves8x8AVX(k8 int, src []uint16, ld int, dst []uint16, n8 int)
// dst[p·n+j] = src[j·ld+p] for j < 8·n8 (n = 8·n8) and p < 8·k8, in 8×8
// blocks of halves: words interleaved pairwise, then dwords, then qwords.
TEXT ·transposeHalves8x8AVX(SB), NOSPLIT, $0-72
	MOVQ k8+0(FP), R14
	MOVQ src_base+8(FP), SI
	MOVQ ld+32(FP), R8
	SHLQ $1, R8            // a source row in bytes
	LEAQ (R8)(R8*2), R12   // three source rows
	MOVQ dst_base+40(FP), DI
	MOVQ n8+64(FP), R10
	MOVQ R10, R9
	SHLQ $4, R9            // a destination row in bytes (8·n8 halves)
	LEAQ (R9)(R9*2), R13   // three destination rows
	TESTQ R10, R10
	JZ   thdone
	TESTQ R14, R14
	JZ   thdone

throws:
	MOVQ SI, CX
	MOVQ DI, DX
	MOVQ R14, R11

thblock:
	LEAQ (CX)(R8*4), AX
	VMOVDQU (CX), X0
	VMOVDQU (CX)(R8*1), X1
	VMOVDQU (CX)(R8*2), X2
	VMOVDQU (CX)(R12*1), X3
	VMOVDQU (AX), X4
	VMOVDQU (AX)(R8*1), X5
	VMOVDQU (AX)(R8*2), X6
	VMOVDQU (AX)(R12*1), X7
	VPUNPCKLWD X1, X0, X8  // rows 0,1: columns 0-3
	VPUNPCKHWD X1, X0, X9  // columns 4-7
	VPUNPCKLWD X3, X2, X10
	VPUNPCKHWD X3, X2, X11
	VPUNPCKLWD X5, X4, X12
	VPUNPCKHWD X5, X4, X13
	VPUNPCKLWD X7, X6, X14
	VPUNPCKHWD X7, X6, X15
	VPUNPCKLDQ X10, X8, X0 // rows 0-3: columns 0, 1
	VPUNPCKHDQ X10, X8, X1 // columns 2, 3
	VPUNPCKLDQ X11, X9, X2 // columns 4, 5
	VPUNPCKHDQ X11, X9, X3 // columns 6, 7
	VPUNPCKLDQ X14, X12, X4 // rows 4-7
	VPUNPCKHDQ X14, X12, X5
	VPUNPCKLDQ X15, X13, X6
	VPUNPCKHDQ X15, X13, X7
	LEAQ (DX)(R9*4), AX
	VPUNPCKLQDQ X4, X0, X8
	VMOVDQU X8, (DX)
	VPUNPCKHQDQ X4, X0, X8
	VMOVDQU X8, (DX)(R9*1)
	VPUNPCKLQDQ X5, X1, X8
	VMOVDQU X8, (DX)(R9*2)
	VPUNPCKHQDQ X5, X1, X8
	VMOVDQU X8, (DX)(R13*1)
	VPUNPCKLQDQ X6, X2, X8
	VMOVDQU X8, (AX)
	VPUNPCKHQDQ X6, X2, X8
	VMOVDQU X8, (AX)(R9*1)
	VPUNPCKLQDQ X7, X3, X8
	VMOVDQU X8, (AX)(R9*2)
	VPUNPCKHQDQ X7, X3, X8
	VMOVDQU X8, (AX)(R13*1)
	ADDQ $16, CX           // the next 8 columns of these rows
	LEAQ (DX)(R9*8), DX    // are the next 8 destination rows
	DECQ R11
	JNZ  thblock
	LEAQ (SI)(R8*8), SI    // the next 8 source rows
	ADDQ $16, DI           // are the next 8 destination columns
	DECQ R10
	JNZ  throws

thdone:
	VZEROUPPER
	RET
