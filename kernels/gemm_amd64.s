//go:build !noasm

#include "textflag.h"
#include "zero_amd64.h"

// MICRO12X32LDB is gemmMicro12x32AVX512 overwriting c, B's rows ldb
// elements apart (SHIFT: log2 of an element's bytes) loaded into Z24 and Z25
// by LOADB, with PF prefetching the row 16 rows ahead (R10 bytes).
#define MICRO12X32LDB(SHIFT, LOADB, PF) \
	MOVQ k+0(FP), CX; \
	MOVQ a_base+8(FP), SI; \
	MOVQ b_base+32(FP), DI; \
	MOVQ ldb+56(FP), R9; \
	SHLQ $SHIFT, R9; \
	MOVQ R9, R10; \
	SHLQ $4, R10; \
	MOVQ c_base+64(FP), DX; \
	MOVQ ldc+88(FP), R8; \
	SHLQ $2, R8; \
	ZEROZ0TO7; \
	ZEROZ8TO15; \
	ZEROZ16TO23; \
	TESTQ CX, CX; \
	JZ   ldbstore; \
ldbloop: \
	PF; \
	LOADB; \
	FMA12X32; \
	ADDQ $48, SI; \
	ADDQ R9, DI; \
	DECQ CX; \
	JNZ  ldbloop; \
ldbstore: \
	STORE12X32; \
	VZEROUPPER; \
	RET

#define LOADB16 VCVTPH2PS (DI), Z24; VCVTPH2PS 32(DI), Z25
// LOADBQ8 widens a row of 32 bytes and multiplies them by the row's scale
// at (R11), which it then moves past.
#define LOADBQ8 \
	VPMOVSXBD (DI), Z24; VPMOVSXBD 16(DI), Z25; \
	VCVTDQ2PS Z24, Z24; VCVTDQ2PS Z25, Z25; \
	VMULPS.BCST (R11), Z24, Z24; VMULPS.BCST (R11), Z25, Z25; \
	ADDQ $4, R11
#define LOADB32 VMOVUPS (DI), Z24; VMOVUPS 64(DI), Z25
#define PFB16 PREFETCHT0 (DI)(R10*1)
#define PFB32 PREFETCHT0 (DI)(R10*1); PREFETCHT0 64(DI)(R10*1)

// f32 GEMM register tiles. Each k step loads one row of the packed B panel
// (NR floats), broadcasts the MR values of the packed A column one by one
// and issues MR·NR/lanes independent FMAs into the accumulators, which stay
// in registers for the whole k loop. C is touched once at the end.

// func gemmMicro6x16AVX2(k int, a, b, c []float32, ldc int, accumulate bool)
// 6×16: 12 YMM accumulators, 2 for the B row, 1 broadcast (15 of 16).
TEXT ·gemmMicro6x16AVX2(SB), NOSPLIT, $0-89
	MOVQ k+0(FP), CX
	MOVQ a_base+8(FP), SI
	MOVQ b_base+32(FP), DI
	MOVQ c_base+56(FP), DX
	MOVQ ldc+80(FP), R8
	SHLQ $2, R8
	ZEROY0TO7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	TESTQ CX, CX
	JZ   store

loop:
	VMOVUPS (DI), Y12
	VMOVUPS 32(DI), Y13
	VBROADCASTSS 0(SI), Y14
	VFMADD231PS Y12, Y14, Y0
	VFMADD231PS Y13, Y14, Y1
	VBROADCASTSS 4(SI), Y14
	VFMADD231PS Y12, Y14, Y2
	VFMADD231PS Y13, Y14, Y3
	VBROADCASTSS 8(SI), Y14
	VFMADD231PS Y12, Y14, Y4
	VFMADD231PS Y13, Y14, Y5
	VBROADCASTSS 12(SI), Y14
	VFMADD231PS Y12, Y14, Y6
	VFMADD231PS Y13, Y14, Y7
	VBROADCASTSS 16(SI), Y14
	VFMADD231PS Y12, Y14, Y8
	VFMADD231PS Y13, Y14, Y9
	VBROADCASTSS 20(SI), Y14
	VFMADD231PS Y12, Y14, Y10
	VFMADD231PS Y13, Y14, Y11
	ADDQ $24, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  loop

store:
	CMPB accumulate+88(FP), $0
	JEQ  overwrite
	VADDPS (DX), Y0, Y0
	VADDPS 32(DX), Y1, Y1
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	ADDQ R8, DX
	VADDPS (DX), Y2, Y2
	VADDPS 32(DX), Y3, Y3
	VMOVUPS Y2, (DX)
	VMOVUPS Y3, 32(DX)
	ADDQ R8, DX
	VADDPS (DX), Y4, Y4
	VADDPS 32(DX), Y5, Y5
	VMOVUPS Y4, (DX)
	VMOVUPS Y5, 32(DX)
	ADDQ R8, DX
	VADDPS (DX), Y6, Y6
	VADDPS 32(DX), Y7, Y7
	VMOVUPS Y6, (DX)
	VMOVUPS Y7, 32(DX)
	ADDQ R8, DX
	VADDPS (DX), Y8, Y8
	VADDPS 32(DX), Y9, Y9
	VMOVUPS Y8, (DX)
	VMOVUPS Y9, 32(DX)
	ADDQ R8, DX
	VADDPS (DX), Y10, Y10
	VADDPS 32(DX), Y11, Y11
	VMOVUPS Y10, (DX)
	VMOVUPS Y11, 32(DX)
	ADDQ R8, DX
	VZEROUPPER
	RET

overwrite:
	VMOVUPS Y0, (DX)
	VMOVUPS Y1, 32(DX)
	ADDQ R8, DX
	VMOVUPS Y2, (DX)
	VMOVUPS Y3, 32(DX)
	ADDQ R8, DX
	VMOVUPS Y4, (DX)
	VMOVUPS Y5, 32(DX)
	ADDQ R8, DX
	VMOVUPS Y6, (DX)
	VMOVUPS Y7, 32(DX)
	ADDQ R8, DX
	VMOVUPS Y8, (DX)
	VMOVUPS Y9, 32(DX)
	ADDQ R8, DX
	VMOVUPS Y10, (DX)
	VMOVUPS Y11, 32(DX)
	ADDQ R8, DX
	VZEROUPPER
	RET

// FMA12X32 is one step of k: the 12 rows' A values at SI broadcast in turn
// and multiplied into the accumulators with B's row in Z24 and Z25.
#define FMA12X32 \
	VBROADCASTSS 0(SI), Z26; \
	VFMADD231PS Z24, Z26, Z0; \
	VFMADD231PS Z25, Z26, Z1; \
	VBROADCASTSS 4(SI), Z27; \
	VFMADD231PS Z24, Z27, Z2; \
	VFMADD231PS Z25, Z27, Z3; \
	VBROADCASTSS 8(SI), Z28; \
	VFMADD231PS Z24, Z28, Z4; \
	VFMADD231PS Z25, Z28, Z5; \
	VBROADCASTSS 12(SI), Z26; \
	VFMADD231PS Z24, Z26, Z6; \
	VFMADD231PS Z25, Z26, Z7; \
	VBROADCASTSS 16(SI), Z27; \
	VFMADD231PS Z24, Z27, Z8; \
	VFMADD231PS Z25, Z27, Z9; \
	VBROADCASTSS 20(SI), Z28; \
	VFMADD231PS Z24, Z28, Z10; \
	VFMADD231PS Z25, Z28, Z11; \
	VBROADCASTSS 24(SI), Z26; \
	VFMADD231PS Z24, Z26, Z12; \
	VFMADD231PS Z25, Z26, Z13; \
	VBROADCASTSS 28(SI), Z27; \
	VFMADD231PS Z24, Z27, Z14; \
	VFMADD231PS Z25, Z27, Z15; \
	VBROADCASTSS 32(SI), Z28; \
	VFMADD231PS Z24, Z28, Z16; \
	VFMADD231PS Z25, Z28, Z17; \
	VBROADCASTSS 36(SI), Z26; \
	VFMADD231PS Z24, Z26, Z18; \
	VFMADD231PS Z25, Z26, Z19; \
	VBROADCASTSS 40(SI), Z27; \
	VFMADD231PS Z24, Z27, Z20; \
	VFMADD231PS Z25, Z27, Z21; \
	VBROADCASTSS 44(SI), Z28; \
	VFMADD231PS Z24, Z28, Z22; \
	VFMADD231PS Z25, Z28, Z23

// STORE12X32 writes the 12×32 tile's accumulators Z0–Z23 to the rows of
// c at DX, R8 bytes apart.
#define STORE12X32 \
	VMOVUPS Z0, (DX); \
	VMOVUPS Z1, 64(DX); \
	ADDQ R8, DX; \
	VMOVUPS Z2, (DX); \
	VMOVUPS Z3, 64(DX); \
	ADDQ R8, DX; \
	VMOVUPS Z4, (DX); \
	VMOVUPS Z5, 64(DX); \
	ADDQ R8, DX; \
	VMOVUPS Z6, (DX); \
	VMOVUPS Z7, 64(DX); \
	ADDQ R8, DX; \
	VMOVUPS Z8, (DX); \
	VMOVUPS Z9, 64(DX); \
	ADDQ R8, DX; \
	VMOVUPS Z10, (DX); \
	VMOVUPS Z11, 64(DX); \
	ADDQ R8, DX; \
	VMOVUPS Z12, (DX); \
	VMOVUPS Z13, 64(DX); \
	ADDQ R8, DX; \
	VMOVUPS Z14, (DX); \
	VMOVUPS Z15, 64(DX); \
	ADDQ R8, DX; \
	VMOVUPS Z16, (DX); \
	VMOVUPS Z17, 64(DX); \
	ADDQ R8, DX; \
	VMOVUPS Z18, (DX); \
	VMOVUPS Z19, 64(DX); \
	ADDQ R8, DX; \
	VMOVUPS Z20, (DX); \
	VMOVUPS Z21, 64(DX); \
	ADDQ R8, DX; \
	VMOVUPS Z22, (DX); \
	VMOVUPS Z23, 64(DX); \
	ADDQ R8, DX

// func gemmMicro12x32AVX512(k int, a, b, c []float32, ldc int, accumulate bool)
// 12×32: 24 ZMM accumulators, 2 for the B row, 1 broadcast. Two FMA pipes
// with 4-cycle latency need 8 chains in flight; 24 leave slack for the loads
// (12 broadcasts + 2 rows per 24 FMAs).
TEXT ·gemmMicro12x32AVX512(SB), NOSPLIT, $0-89
	MOVQ k+0(FP), CX
	MOVQ a_base+8(FP), SI
	MOVQ b_base+32(FP), DI
	MOVQ c_base+56(FP), DX
	MOVQ ldc+80(FP), R8
	SHLQ $2, R8
	ZEROZ0TO7
	ZEROZ8TO15
	ZEROZ16TO23
	TESTQ CX, CX
	JZ   store

loop:
	VMOVUPS (DI), Z24
	VMOVUPS 64(DI), Z25
	FMA12X32
	ADDQ $48, SI
	ADDQ $128, DI
	DECQ CX
	JNZ  loop

store:
	CMPB accumulate+88(FP), $0
	JEQ  overwrite
	VADDPS (DX), Z0, Z0
	VADDPS 64(DX), Z1, Z1
	VMOVUPS Z0, (DX)
	VMOVUPS Z1, 64(DX)
	ADDQ R8, DX
	VADDPS (DX), Z2, Z2
	VADDPS 64(DX), Z3, Z3
	VMOVUPS Z2, (DX)
	VMOVUPS Z3, 64(DX)
	ADDQ R8, DX
	VADDPS (DX), Z4, Z4
	VADDPS 64(DX), Z5, Z5
	VMOVUPS Z4, (DX)
	VMOVUPS Z5, 64(DX)
	ADDQ R8, DX
	VADDPS (DX), Z6, Z6
	VADDPS 64(DX), Z7, Z7
	VMOVUPS Z6, (DX)
	VMOVUPS Z7, 64(DX)
	ADDQ R8, DX
	VADDPS (DX), Z8, Z8
	VADDPS 64(DX), Z9, Z9
	VMOVUPS Z8, (DX)
	VMOVUPS Z9, 64(DX)
	ADDQ R8, DX
	VADDPS (DX), Z10, Z10
	VADDPS 64(DX), Z11, Z11
	VMOVUPS Z10, (DX)
	VMOVUPS Z11, 64(DX)
	ADDQ R8, DX
	VADDPS (DX), Z12, Z12
	VADDPS 64(DX), Z13, Z13
	VMOVUPS Z12, (DX)
	VMOVUPS Z13, 64(DX)
	ADDQ R8, DX
	VADDPS (DX), Z14, Z14
	VADDPS 64(DX), Z15, Z15
	VMOVUPS Z14, (DX)
	VMOVUPS Z15, 64(DX)
	ADDQ R8, DX
	VADDPS (DX), Z16, Z16
	VADDPS 64(DX), Z17, Z17
	VMOVUPS Z16, (DX)
	VMOVUPS Z17, 64(DX)
	ADDQ R8, DX
	VADDPS (DX), Z18, Z18
	VADDPS 64(DX), Z19, Z19
	VMOVUPS Z18, (DX)
	VMOVUPS Z19, 64(DX)
	ADDQ R8, DX
	VADDPS (DX), Z20, Z20
	VADDPS 64(DX), Z21, Z21
	VMOVUPS Z20, (DX)
	VMOVUPS Z21, 64(DX)
	ADDQ R8, DX
	VADDPS (DX), Z22, Z22
	VADDPS 64(DX), Z23, Z23
	VMOVUPS Z22, (DX)
	VMOVUPS Z23, 64(DX)
	ADDQ R8, DX
	VZEROUPPER
	RET

overwrite:
	STORE12X32
	VZEROUPPER
	RET

// func gemmMicro12x32B16AVX512(k int, a []float32, b []uint16, ldb int, c []float32, ldc int)
// B's rows in halves, widened as they are loaded: the values of an F16
// cache, one row per position, read in place by the tiled attention. The
// widening is exact and the FMAs are the float32 kernel's in its order: the
// same bits as the kernel on the rows widened and packed.
TEXT ·gemmMicro12x32B16AVX512(SB), NOSPLIT, $0-96
	MICRO12X32LDB(1, LOADB16, PFB16)

// func gemmMicro12x32LdbAVX512(k int, a, b []float32, ldb int, c []float32, ldc int)
// B's rows in float32, ldb apart: a float32 cache's values read in place.
TEXT ·gemmMicro12x32LdbAVX512(SB), NOSPLIT, $0-96
	MICRO12X32LDB(2, LOADB32, PFB32)

// func gemmMicro12x32Q8AVX512(k int, a []float32, b []int8, ldb int, c []float32, ldc int, bs []float32)
//
// B's rows are bytes (an 8-bit cache's values), row k's scale bs[k]: each
// value is byte × scale, rounded once, then the float32 kernel's FMAs.
TEXT ·gemmMicro12x32Q8AVX512(SB), NOSPLIT, $0-120
	MOVQ bs_base+96(FP), R11
	MICRO12X32LDB(0, LOADBQ8, PFB16)
