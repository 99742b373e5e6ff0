//go:build !noasm

#include "textflag.h"

// The interleaved matrix-vector products (interleaved.go). Q8_0: the
// sixteen lanes of a register are sixteen rows. Per block, eight VPDPBUSDs
// multiply a 64-byte unit (four unsigned quants of each row) by four
// activation bytes broadcast to every lane; the two integer chains start
// from −128·Σx of the block, are added, converted, and scaled by the rows'
// f16 scales times the block's activation scale, in one FMA into the rows'
// sums. Nothing crosses lanes.

// UNIT(K, ACC): unit K of the block at SI against activation bytes 4K…4K+3.
#define UNIT(K, ACC) \
	VMOVDQU32 (32+(K)*64)(SI), Z3; \
	VPDPBUSD.BCST ((K)*4)(DI), Z3, ACC

// func gemvQ8_0x16AVX512(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)
TEXT ·gemvQ8_0x16AVX512(SB), NOSPLIT, $0-136
	MOVQ w_base+0(FP), SI
	MOVQ groups+24(FP), R10
	MOVQ nb+32(FP), R11
	MOVQ xq_base+40(FP), R12
	MOVQ xd_base+64(FP), R13
	MOVQ xc_base+88(FP), R14
	MOVQ out_base+112(FP), R8
	TESTQ R10, R10
	JZ    done
	TESTQ R11, R11
	JZ    zero

group:
	MOVQ R12, DI
	MOVQ R13, DX
	MOVQ R14, BX
	MOVQ R11, CX
	VXORPS Z0, Z0, Z0

block:
	// The group is one stream of nb·544 bytes: fetch the next block.
	PREFETCHT0 1088(SI)
	PREFETCHT0 1152(SI)
	PREFETCHT0 1216(SI)
	PREFETCHT0 1280(SI)
	PREFETCHT0 1344(SI)
	PREFETCHT0 1408(SI)
	PREFETCHT0 1472(SI)
	PREFETCHT0 1536(SI)
	PREFETCHT0 1600(SI)
	VPBROADCASTD (BX), Z1
	VPXORD Z2, Z2, Z2
	UNIT(0, Z1)
	UNIT(1, Z2)
	UNIT(2, Z1)
	UNIT(3, Z2)
	UNIT(4, Z1)
	UNIT(5, Z2)
	UNIT(6, Z1)
	UNIT(7, Z2)
	VPADDD Z2, Z1, Z1
	VCVTDQ2PS Z1, Z1
	VCVTPH2PS (SI), Z4
	VMULPS.BCST (DX), Z4, Z4
	VFMADD231PS Z4, Z1, Z0
	ADDQ $544, SI
	ADDQ $32, DI
	ADDQ $4, DX
	ADDQ $4, BX
	DECQ CX
	JNZ  block
	VMOVUPS Z0, (R8)
	ADDQ $64, R8
	DECQ R10
	JNZ  group
	JMP  done

zero:
	// No columns: every row's sum is 0.
	VXORPS Z0, Z0, Z0
zeroloop:
	VMOVUPS Z0, (R8)
	ADDQ $64, R8
	DECQ R10
	JNZ  zeroloop

done:
	VZEROUPPER
	RET

// Q4_0: per block, four 64-byte units of nibble bytes; each unit's low
// nibbles meet activations 4k…4k+3 and its high nibbles 16+4k…16+4k+3, in
// two VPDPBUSD chains that start from −8·Σx of the block. Z15 holds 0x0f
// in every byte.

// NIBBLES(K): unit K of the block at SI.
#define NIBBLES(K) \
	VMOVDQU32 (32+(K)*64)(SI), Z3; \
	VPSRLW $4, Z3, Z5; \
	VPANDD Z15, Z3, Z3; \
	VPANDD Z15, Z5, Z5; \
	VPDPBUSD.BCST ((K)*4)(DI), Z3, Z1; \
	VPDPBUSD.BCST (16+(K)*4)(DI), Z5, Z2

// func gemvQ4_0x16AVX512(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)
TEXT ·gemvQ4_0x16AVX512(SB), NOSPLIT, $0-136
	MOVQ w_base+0(FP), SI
	MOVQ groups+24(FP), R10
	MOVQ nb+32(FP), R11
	MOVQ xq_base+40(FP), R12
	MOVQ xd_base+64(FP), R13
	MOVQ xc_base+88(FP), R14
	MOVQ out_base+112(FP), R8
	MOVL $0x0f0f0f0f, AX
	VPBROADCASTD AX, Z15
	TESTQ R10, R10
	JZ    q4done
	TESTQ R11, R11
	JZ    q4zero

q4group:
	MOVQ R12, DI
	MOVQ R13, DX
	MOVQ R14, BX
	MOVQ R11, CX
	VXORPS Z0, Z0, Z0

q4block:
	PREFETCHT0 1152(SI)
	PREFETCHT0 1216(SI)
	PREFETCHT0 1280(SI)
	PREFETCHT0 1344(SI)
	PREFETCHT0 1408(SI)
	VPBROADCASTD (BX), Z1
	VPXORD Z2, Z2, Z2
	NIBBLES(0)
	NIBBLES(1)
	NIBBLES(2)
	NIBBLES(3)
	VPADDD Z2, Z1, Z1
	VCVTDQ2PS Z1, Z1
	VCVTPH2PS (SI), Z4
	VMULPS.BCST (DX), Z4, Z4
	VFMADD231PS Z4, Z1, Z0
	ADDQ $288, SI
	ADDQ $32, DI
	ADDQ $4, DX
	ADDQ $4, BX
	DECQ CX
	JNZ  q4block
	VMOVUPS Z0, (R8)
	ADDQ $64, R8
	DECQ R10
	JNZ  q4group
	JMP  q4done

q4zero:
	VXORPS Z0, Z0, Z0

q4zeroloop:
	VMOVUPS Z0, (R8)
	ADDQ $64, R8
	DECQ R10
	JNZ  q4zeroloop

q4done:
	VZEROUPPER
	RET
