//go:build !noasm

#include "textflag.h"

// The interleaved matrix-vector products (interleaved.go) on AVX2, for CPUs
// without AVX-512: a group's sixteen rows are two registers of eight lanes
// (A: rows 0–7, the first 32 bytes of every 64-byte unit; B: rows 8–15).
// AVX2 has no VPDPBUSD: VPMADDUBSW multiplies unsigned by signed bytes into
// pairs of int16 and VPMADDWD against ones widens them to int32. Nibble
// pairs stay far from int16 overflow, so Q4_0 sums a whole block in int16
// (8 products of at most 2·15·127) and Q5_0 half a block (4 of 2·31·127)
// before widening. Q8_0's quants are turned back into signed bytes and
// meet the activations by the sign trick (|x| unsigned, w·sign(x) signed:
// pairs of at most 2·127·128), so its sums need no bias terms.
//
// Registers: Y15 = 0x0f bytes, Y14 = int16 ones, Y13 = 0x10 bytes (Q5_0) or
// 0x80 bytes (Q8_0); Y0/Y1 the rows' float sums (A/B).

// IL_AVX2_AHEAD is how far ahead of its reads the Q8_0 kernel prefetches, a
// line per 64-byte unit: about four blocks. A Zen 1 core keeps too few
// misses in flight for the hardware prefetcher alone to stream Q8_0
// weights: the 576×1536 product (one core, weights from DRAM) read 7.4 GB/s
// without, 13.6 with 512 bytes ahead and 15.4 with 1 KB to 4 KB, its speed
// from L2 (two workers: 8.8 against 14.3; medians, alternating call by
// call). Q4_0 and Q5_0 read half as many bytes per weight and are not held
// up this way: the same prefetching made them 5% slower.
#define IL_AVX2_AHEAD 2176

// IL_PROLOGUE loads the arguments; IL_BLOCK_END scales the block's integer
// sums (Y8 for A, Y9 for B) by the rows' f16 scales at (SI) times the
// block's activation scale and adds them to Y0/Y1.
#define IL_PROLOGUE \
	MOVQ w_base+0(FP), SI; \
	MOVQ groups+24(FP), R10; \
	MOVQ nb+32(FP), R11; \
	MOVQ xq_base+40(FP), R12; \
	MOVQ xd_base+64(FP), R13; \
	MOVQ xc_base+88(FP), R14; \
	MOVQ out_base+112(FP), R8; \
	MOVL $0x0f0f0f0f, AX; \
	MOVQ AX, X15; \
	VPBROADCASTD X15, Y15; \
	MOVL $0x00010001, AX; \
	MOVQ AX, X14; \
	VPBROADCASTD X14, Y14

#define IL_BLOCK_END \
	VCVTDQ2PS Y8, Y8; \
	VCVTDQ2PS Y9, Y9; \
	VBROADCASTSS (DX), Y10; \
	VCVTPH2PS (SI), Y2; \
	VMULPS Y10, Y2, Y2; \
	VFMADD231PS Y2, Y8, Y0; \
	VCVTPH2PS 16(SI), Y3; \
	VMULPS Y10, Y3, Y3; \
	VFMADD231PS Y3, Y9, Y1

// Q8_0: per unit, four activation bytes broadcast (Y5); each half's quants
// are made signed again (XOR 0x80) and meet the activations by the sign
// trick, |w| (unsigned, 128 included) times x·sign(w) (activations never
// hold -128), widened at once into Y8/Y9.
// Q8A_HALF(WOFF, S): one half of a unit into S.
#define Q8A_HALF(WOFF, S) \
	VPXOR (WOFF)(SI), Y13, Y2; \
	VPABSB Y2, Y3; \
	VPSIGNB Y2, Y5, Y2; \
	VPMADDUBSW Y2, Y3, Y2; \
	VPMADDWD Y14, Y2, Y2; \
	VPADDD Y2, S, S

#define Q8A_UNIT(K) \
	PREFETCHT0 (IL_AVX2_AHEAD+(K)*64)(SI); \
	VPBROADCASTD ((K)*4)(DI), Y5; \
	Q8A_HALF(32+(K)*64, Y8); \
	Q8A_HALF(64+(K)*64, Y9)

// func gemvQ8_0x16AVX2(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)
TEXT ·gemvQ8_0x16AVX2(SB), NOSPLIT, $0-136
	IL_PROLOGUE
	MOVL $0x80808080, AX
	MOVQ AX, X13
	VPBROADCASTD X13, Y13
	TESTQ R10, R10
	JZ    q8adone

q8agroup:
	MOVQ R12, DI
	MOVQ R13, DX
	MOVQ R14, BX
	MOVQ R11, CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	TESTQ CX, CX
	JZ    q8astore

q8ablock:
	VPXOR Y8, Y8, Y8
	VPXOR Y9, Y9, Y9
	Q8A_UNIT(0)
	Q8A_UNIT(1)
	Q8A_UNIT(2)
	Q8A_UNIT(3)
	Q8A_UNIT(4)
	Q8A_UNIT(5)
	Q8A_UNIT(6)
	Q8A_UNIT(7)
	PREFETCHT0 (IL_AVX2_AHEAD+512)(SI)
	IL_BLOCK_END
	ADDQ $544, SI
	ADDQ $32, DI
	ADDQ $4, DX
	ADDQ $4, BX
	DECQ CX
	JNZ  q8ablock

q8astore:
	VMOVUPS Y0, (R8)
	VMOVUPS Y1, 32(R8)
	ADDQ $64, R8
	DECQ R10
	JNZ  q8agroup

q8adone:
	VZEROUPPER
	RET

// Q4_0: Y6/Y7 collect the block's int16 pair sums (A/B).
// Q4A_UNIT(K): unit K at 32+64K(SI).
#define Q4A_UNIT(K) \
	VPBROADCASTD ((K)*4)(DI), Y4; \
	VPBROADCASTD (16+(K)*4)(DI), Y5; \
	VMOVDQU (32+(K)*64)(SI), Y2; \
	VPSRLW $4, Y2, Y3; \
	VPAND Y15, Y2, Y2; \
	VPAND Y15, Y3, Y3; \
	VPMADDUBSW Y4, Y2, Y2; \
	VPMADDUBSW Y5, Y3, Y3; \
	VPADDW Y2, Y6, Y6; \
	VPADDW Y3, Y6, Y6; \
	VMOVDQU (64+(K)*64)(SI), Y2; \
	VPSRLW $4, Y2, Y3; \
	VPAND Y15, Y2, Y2; \
	VPAND Y15, Y3, Y3; \
	VPMADDUBSW Y4, Y2, Y2; \
	VPMADDUBSW Y5, Y3, Y3; \
	VPADDW Y2, Y7, Y7; \
	VPADDW Y3, Y7, Y7

// func gemvQ4_0x16AVX2(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)
TEXT ·gemvQ4_0x16AVX2(SB), NOSPLIT, $0-136
	IL_PROLOGUE
	TESTQ R10, R10
	JZ    q4adone

q4agroup:
	MOVQ R12, DI
	MOVQ R13, DX
	MOVQ R14, BX
	MOVQ R11, CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	TESTQ CX, CX
	JZ    q4astore

q4ablock:
	VPXOR Y6, Y6, Y6
	VPXOR Y7, Y7, Y7
	Q4A_UNIT(0)
	Q4A_UNIT(1)
	Q4A_UNIT(2)
	Q4A_UNIT(3)
	VPMADDWD Y14, Y6, Y8
	VPMADDWD Y14, Y7, Y9
	VPBROADCASTD (BX), Y10
	VPADDD Y10, Y8, Y8
	VPADDD Y10, Y9, Y9
	IL_BLOCK_END
	ADDQ $288, SI
	ADDQ $32, DI
	ADDQ $4, DX
	ADDQ $4, BX
	DECQ CX
	JNZ  q4ablock

q4astore:
	VMOVUPS Y0, (R8)
	VMOVUPS Y1, 32(R8)
	ADDQ $64, R8
	DECQ R10
	JNZ  q4agroup

q4adone:
	VZEROUPPER
	RET

// Q5_0: Y12/Y13 hold the fifth bits (A/B), reloaded per block; Y6/Y7
// collect int16 pair sums over two units, widened into Y8/Y9.
// Q5A_HALF(K, WOFF, H, S): one half (A or B) of unit K.
#define Q5A_HALF(K, WOFF, H, S) \
	VMOVDQU (WOFF)(SI), Y2; \
	VPSRLW $4, Y2, Y3; \
	VPAND Y15, Y2, Y2; \
	VPAND Y15, Y3, Y3; \
	VPSLLD $(4-(K)), H, Y10; \
	VPAND Y11, Y10, Y10; \
	VPOR Y10, Y2, Y2; \
	VPSRLD $(K), H, Y10; \
	VPAND Y11, Y10, Y10; \
	VPOR Y10, Y3, Y3; \
	VPMADDUBSW Y4, Y2, Y2; \
	VPMADDUBSW Y5, Y3, Y3; \
	VPADDW Y2, S, S; \
	VPADDW Y3, S, S

#define Q5A_UNIT(K) \
	VPBROADCASTD ((K)*4)(DI), Y4; \
	VPBROADCASTD (16+(K)*4)(DI), Y5; \
	Q5A_HALF(K, 96+(K)*64, Y12, Y6); \
	Q5A_HALF(K, 128+(K)*64, Y13, Y7)

// Q5A_WIDEN adds the int16 sums to Y8/Y9 as int32 and clears them.
#define Q5A_WIDEN \
	VPMADDWD Y14, Y6, Y6; \
	VPMADDWD Y14, Y7, Y7; \
	VPADDD Y6, Y8, Y8; \
	VPADDD Y7, Y9, Y9; \
	VPXOR Y6, Y6, Y6; \
	VPXOR Y7, Y7, Y7

// func gemvQ5_0x16AVX2(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)
TEXT ·gemvQ5_0x16AVX2(SB), NOSPLIT, $0-136
	IL_PROLOGUE
	MOVL $0x10101010, AX
	MOVQ AX, X11
	VPBROADCASTD X11, Y11
	TESTQ R10, R10
	JZ    q5adone

q5agroup:
	MOVQ R12, DI
	MOVQ R13, DX
	MOVQ R14, BX
	MOVQ R11, CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	TESTQ CX, CX
	JZ    q5astore

q5ablock:
	VMOVDQU 32(SI), Y12
	VMOVDQU 64(SI), Y13
	VPBROADCASTD (BX), Y8
	VMOVDQA Y8, Y9
	VPXOR Y6, Y6, Y6
	VPXOR Y7, Y7, Y7
	Q5A_UNIT(0)
	Q5A_UNIT(1)
	Q5A_WIDEN
	Q5A_UNIT(2)
	Q5A_UNIT(3)
	Q5A_WIDEN
	IL_BLOCK_END
	ADDQ $352, SI
	ADDQ $32, DI
	ADDQ $4, DX
	ADDQ $4, BX
	DECQ CX
	JNZ  q5ablock

q5astore:
	VMOVUPS Y0, (R8)
	VMOVUPS Y1, 32(R8)
	ADDQ $64, R8
	DECQ R10
	JNZ  q5agroup

q5adone:
	VZEROUPPER
	RET
