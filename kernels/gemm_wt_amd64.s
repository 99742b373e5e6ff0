//go:build !noasm

#include "textflag.h"
#include "zero_amd64.h"

// X·Wᵀ with W read in place (see gemm_wt.go): a tile of 8 rows of W
// (broadcast one value at a time, straight from the rows) by 32 tokens (a
// packed panel of X, two ZMM per k step), 16 ZMM accumulators. The tile is
// Cᵀ, W rows by tokens, so it is transposed in registers on the way out: a
// token's 8 results are 8 consecutive floats of its row of C.

// TSTORE transposes the 8×16 block in a0..a7 (W row i in ai, a token per
// lane) and stores it as 16 token rows of 8 floats: token t = 4L+e goes to
// DX + t·ldc. R11 = ldc in bytes, R13 = 4·ldc, R14 = 12·ldc. Clobbers
// Z16–Z31 and R12.
#define TSTORE(a0, a1, a2, a3, a4, a5, a6, a7) \
	VUNPCKLPS a1, a0, Z16; \
	VUNPCKHPS a1, a0, Z17; \
	VUNPCKLPS a3, a2, Z18; \
	VUNPCKHPS a3, a2, Z19; \
	VUNPCKLPS a5, a4, Z20; \
	VUNPCKHPS a5, a4, Z21; \
	VUNPCKLPS a7, a6, Z22; \
	VUNPCKHPS a7, a6, Z23; \
	VSHUFPS $0x44, Z18, Z16, Z24; \
	VSHUFPS $0xEE, Z18, Z16, Z25; \
	VSHUFPS $0x44, Z19, Z17, Z26; \
	VSHUFPS $0xEE, Z19, Z17, Z27; \
	VSHUFPS $0x44, Z22, Z20, Z28; \
	VSHUFPS $0xEE, Z22, Z20, Z29; \
	VSHUFPS $0x44, Z23, Z21, Z30; \
	VSHUFPS $0xEE, Z23, Z21, Z31; \
	MOVQ DX, R12; \
	LANES(Z24, Z28); \
	ADDQ R11, R12; \
	LANES(Z25, Z29); \
	ADDQ R11, R12; \
	LANES(Z26, Z30); \
	ADDQ R11, R12; \
	LANES(Z27, Z31)

// LANES stores the four 128-bit lanes of lo (rows 0–3) and hi (rows 4–7):
// lane L holds token 4L+e, whose row starts at R12 + L·4·ldc.
#define LANES(lo, hi) \
	VEXTRACTF32X4 $0, lo, (R12); \
	VEXTRACTF32X4 $0, hi, 16(R12); \
	VEXTRACTF32X4 $1, lo, (R12)(R13*1); \
	VEXTRACTF32X4 $1, hi, 16(R12)(R13*1); \
	VEXTRACTF32X4 $2, lo, (R12)(R13*2); \
	VEXTRACTF32X4 $2, hi, 16(R12)(R13*2); \
	VEXTRACTF32X4 $3, lo, (R12)(R14*1); \
	VEXTRACTF32X4 $3, hi, 16(R12)(R14*1)

// WTROW is one row of a WTSTEP: the row's value at addr, broadcast into b,
// times the two X vectors (Z16, Z17) into the row's accumulators a0, a1.
#define WTROW(addr, b, a0, a1) \
	VBROADCASTSS addr, b; \
	VFMADD231PS Z16, b, a0; \
	VFMADD231PS Z17, b, a1

// WTSTEP is one k step of the AVX-512 tile: the two X vectors at xo(DI)
// (tokens 0–15, 16–31) times each of the 8 rows' values at wo bytes into
// the rows (rows 0–3 from SI, 4–7 from R10; R8 = ldw, R9 = 3·ldw bytes).
#define WTSTEP(xo, wo) \
	VMOVUPS xo(DI), Z16; \
	VMOVUPS xo+64(DI), Z17; \
	WTROW(wo(SI), Z18, Z0, Z1); \
	WTROW(wo(SI)(R8*1), Z19, Z2, Z3); \
	WTROW(wo(SI)(R8*2), Z20, Z4, Z5); \
	WTROW(wo(SI)(R9*1), Z21, Z6, Z7); \
	WTROW(wo(R10), Z22, Z8, Z9); \
	WTROW(wo(R10)(R8*1), Z23, Z10, Z11); \
	WTROW(wo(R10)(R8*2), Z24, Z12, Z13); \
	WTROW(wo(R10)(R9*1), Z25, Z14, Z15)

// WTKLOOP runs the k steps (CX of them) of a tile whose step is STEP and
// whose X panel advances x1 bytes a step (x2 = 2·x1, x3 = 3·x1, x4 =
// 4·x1), then jumps to store. Four steps a trip and a prefetch of the next
// W block every other step (R12, advancing BX bytes a step): the pointer
// bumps and the counter are a quarter of what they were per step, the
// prefetches half. That matters when another tenant shares the physical
// core: the pure-FMA peak probe does not feel it, but loops with more
// instructions per FMA do, presumably for the shared issue width.
// Clobbers AX.
#define WTKLOOP(STEP, x1, x2, x3, x4) \
	SHLQ $1, BX; \
	MOVQ CX, AX; \
	SHRQ $2, AX; \
	ANDQ $3, CX; \
	TESTQ AX, AX; \
	JZ   tail; \
loop4: \
	PREFETCHT0 (R12); \
	ADDQ BX, R12; \
	STEP(0, 0); \
	STEP(x1, 4); \
	PREFETCHT0 (R12); \
	ADDQ BX, R12; \
	STEP(x2, 8); \
	STEP(x3, 12); \
	ADDQ $16, SI; \
	ADDQ $16, R10; \
	ADDQ $x4, DI; \
	DECQ AX; \
	JNZ  loop4; \
tail: \
	TESTQ CX, CX; \
	JZ   store; \
	SHRQ $1, BX; \
loop1: \
	PREFETCHT0 (R12); \
	ADDQ BX, R12; \
	STEP(0, 0); \
	ADDQ $4, SI; \
	ADDQ $4, R10; \
	ADDQ $x1, DI; \
	DECQ CX; \
	JNZ  loop1

// func gemmWT8x32AVX512(k int, w []float32, ldw int, x, c []float32, ldc int, pf []float32, pfStep int)
TEXT ·gemmWT8x32AVX512(SB), NOSPLIT, $0-128
	MOVQ k+0(FP), CX
	MOVQ w_base+8(FP), SI
	MOVQ ldw+32(FP), R8
	MOVQ x_base+40(FP), DI
	MOVQ c_base+64(FP), DX
	MOVQ ldc+88(FP), R11
	SHLQ $2, R8           // ldw in bytes
	LEAQ (R8)(R8*2), R9   // 3·ldw
	LEAQ (SI)(R8*4), R10  // row 4
	SHLQ $2, R11          // ldc in bytes
	LEAQ (R11*4), R13     // 4·ldc
	LEAQ (R13)(R13*2), R14 // 12·ldc
	MOVQ pf_base+96(FP), R12
	MOVQ pfStep+120(FP), BX
	ZEROZ0TO7
	ZEROZ8TO15
	WTKLOOP(WTSTEP, 128, 256, 384, 512)

store:
	// Tokens 0–15 are in the even accumulators, 16–31 in the odd ones.
	TSTORE(Z0, Z2, Z4, Z6, Z8, Z10, Z12, Z14)
	MOVQ R11, AX
	SHLQ $4, AX
	ADDQ AX, DX
	TSTORE(Z1, Z3, Z5, Z7, Z9, Z11, Z13, Z15)
	VZEROUPPER
	RET

// TSTORE4 transposes the 4×8 block in a0..a3 (W row i in ai, a token per
// lane) and stores it as 8 token rows of 4 floats at DX, DX+ldc, ...:
// token e of lane 0 from Ue's low half, token 4+e from its high half.
// R11 = ldc in bytes, R13 = 4·ldc. Clobbers Y8–Y15 and R12.
#define TSTORE4(a0, a1, a2, a3) \
	VUNPCKLPS a1, a0, Y8; \
	VUNPCKHPS a1, a0, Y9; \
	VUNPCKLPS a3, a2, Y10; \
	VUNPCKHPS a3, a2, Y11; \
	VSHUFPS $0x44, Y10, Y8, Y12; \
	VSHUFPS $0xEE, Y10, Y8, Y13; \
	VSHUFPS $0x44, Y11, Y9, Y14; \
	VSHUFPS $0xEE, Y11, Y9, Y15; \
	MOVQ DX, R12; \
	VMOVUPS X12, (R12); \
	VEXTRACTF128 $1, Y12, (R12)(R13*1); \
	ADDQ R11, R12; \
	VMOVUPS X13, (R12); \
	VEXTRACTF128 $1, Y13, (R12)(R13*1); \
	ADDQ R11, R12; \
	VMOVUPS X14, (R12); \
	VEXTRACTF128 $1, Y14, (R12)(R13*1); \
	ADDQ R11, R12; \
	VMOVUPS X15, (R12); \
	VEXTRACTF128 $1, Y15, (R12)(R13*1)

// The AVX2 tile: 6 rows of W by 16 tokens (two YMM per k step), 12 YMM
// accumulators (Y0–Y11: row i's tokens 0–7 in Y(2i), 8–15 in Y(2i+1)), the
// two X vectors in Y12–Y13 and the broadcasts in Y14–Y15. Per k step 12 FMAs
// against 2 loads and 6 broadcasts. Twelve independent sums are what two
// FMA pipes of latency 4–5 need to stay busy; on cores that split every
// 256-bit operation in two, the extra rows matter for the loads: each X
// panel passes through L1 once per 6 rows of W instead of 4. Rows 0–2 are
// addressed from SI, rows 3–5 from R10 = SI + 3·ldw.

// TSTORE2 stores rows 4 and 5 (a, b: 8 tokens, one a lane) as 8 token rows
// of 2 floats at DX+16, DX+16+ldc, ...; R11 = ldc in bytes, R13 = 4·ldc.
// Clobbers Y12–Y15 and R12.
#define TSTORE2(a, b) \
	VUNPCKLPS b, a, Y12; \
	VUNPCKHPS b, a, Y13; \
	VEXTRACTF128 $1, Y12, X14; \
	VEXTRACTF128 $1, Y13, X15; \
	LEAQ 16(DX), R12; \
	VMOVLPS X12, (R12); \
	VMOVLPS X14, (R12)(R13*1); \
	ADDQ R11, R12; \
	VMOVHPS X12, (R12); \
	VMOVHPS X14, (R12)(R13*1); \
	ADDQ R11, R12; \
	VMOVLPS X13, (R12); \
	VMOVLPS X15, (R12)(R13*1); \
	ADDQ R11, R12; \
	VMOVHPS X13, (R12); \
	VMOVHPS X15, (R12)(R13*1)

// WTSTEPY is one k step of the AVX2 tile: the two X vectors at xo(DI)
// (tokens 0–7, 8–15) times each of the 6 rows' values at wo bytes (rows 0–2
// from SI, 3–5 from R10; R8 = ldw bytes).
#define WTSTEPY(xo, wo) \
	VMOVUPS xo(DI), Y12; \
	VMOVUPS xo+32(DI), Y13; \
	WTROWY(wo(SI), Y14, Y0, Y1); \
	WTROWY(wo(SI)(R8*1), Y15, Y2, Y3); \
	WTROWY(wo(SI)(R8*2), Y14, Y4, Y5); \
	WTROWY(wo(R10), Y15, Y6, Y7); \
	WTROWY(wo(R10)(R8*1), Y14, Y8, Y9); \
	WTROWY(wo(R10)(R8*2), Y15, Y10, Y11)

// WTROWY is one row of a WTSTEPY: the row's value at addr, broadcast into
// b, times the two X vectors (Y12, Y13) into the row's accumulators.
#define WTROWY(addr, b, a0, a1) \
	VBROADCASTSS addr, b; \
	VFMADD231PS Y12, b, a0; \
	VFMADD231PS Y13, b, a1

// func gemmWT6x16AVX2(k int, w []float32, ldw int, x, c []float32, ldc int, pf []float32, pfStep int)
TEXT ·gemmWT6x16AVX2(SB), NOSPLIT, $0-128
	MOVQ k+0(FP), CX
	MOVQ w_base+8(FP), SI
	MOVQ ldw+32(FP), R8
	MOVQ x_base+40(FP), DI
	MOVQ c_base+64(FP), DX
	MOVQ ldc+88(FP), R11
	SHLQ $2, R8           // ldw in bytes
	LEAQ (R8)(R8*2), R10
	ADDQ SI, R10          // row 3
	SHLQ $2, R11          // ldc in bytes
	LEAQ (R11*4), R13     // 4·ldc
	MOVQ pf_base+96(FP), R12
	MOVQ pfStep+120(FP), BX
	ZEROY0TO7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	WTKLOOP(WTSTEPY, 64, 128, 192, 256)

store:
	// Rows 4–5 first (they sit in Y8–Y11, which TSTORE4 clobbers), then
	// rows 0–3; tokens 0–7, then 8–15.
	TSTORE2(Y8, Y10)
	MOVQ R11, AX
	SHLQ $3, AX
	ADDQ AX, DX
	TSTORE2(Y9, Y11)
	SUBQ AX, DX
	TSTORE4(Y0, Y2, Y4, Y6)
	ADDQ AX, DX
	TSTORE4(Y1, Y3, Y5, Y7)
	VZEROUPPER
	RET
