//go:build !noasm

#include "textflag.h"

// The Q8_0 row dot on 512-bit registers with VNNI: two blocks per step.
// AVX-512 has no VPSIGNB, so the signed-by-signed products are formed as
// |w| (unsigned) times x with its sign flipped where w is negative (a
// masked subtraction from zero under w's sign bits); exact because
// activations never hold -128. Lanes 0–7 hold block 2i's integer sums,
// 8–15 block 2i+1's; they are scaled by [d_w·d_x of each block, 8 lanes
// each] and summed in float, as the AVX2 kernel does block by block.

// Q8_PAIR: blocks at WOFF(SI) and WOFF+34(SI), activations at XOFF(DI),
// their scales at DOFF(DX), accumulated into ACC. Z31 = 0; K2 = 0xff00
// selects the upper 8 lanes, where the second block's scales are
// broadcast over the first's (masked broadcasts: no shuffles).
#define Q8_PAIR(WOFF, XOFF, DOFF, ACC) \
	VMOVDQU8 (WOFF+2)(SI), Y1; \
	VINSERTI64X4 $1, (WOFF+36)(SI), Z1, Z1; \
	VMOVDQU8 XOFF(DI), Z2; \
	VPMOVB2M Z1, K1; \
	VPABSB Z1, Z1; \
	VPSUBB Z2, Z31, K1, Z2; \
	VPXORD Z3, Z3, Z3; \
	VPDPBUSD Z2, Z1, Z3; \
	VCVTDQ2PS Z3, Z3; \
	VPBROADCASTW WOFF(SI), Y4; \
	VPBROADCASTW (WOFF+34)(SI), K2, Y4; \
	VCVTPH2PS Y4, Z4; \
	VBROADCASTSS DOFF(DX), Z5; \
	VBROADCASTSS (DOFF+4)(DX), K2, Z5; \
	VMULPS Z5, Z4, Z4; \
	VFMADD231PS Z4, Z3, ACC

// func dotQ8_0RowsAVX512(w []byte, rowBytes, rows int, xq []int8, xd []float32, out []float32)
// out[r] = dotQ8_0AVX512(w[r·rowBytes:], xq, xd) for r < rows: one call for
// a chunk of rows, because the Go loop around one call per row cost about a
// third of a 576-wide row's time.
TEXT ·dotQ8_0RowsAVX512(SB), NOSPLIT, $0-112
	MOVQ w_base+0(FP), R9
	MOVQ rowBytes+24(FP), R11
	MOVQ rows+32(FP), R10
	MOVQ xq_base+40(FP), R12
	MOVQ xd_base+64(FP), R13
	MOVQ xd_len+72(FP), R14
	MOVQ out_base+88(FP), R8
	VPXORD Z31, Z31, Z31
	MOVL $0xff00, AX
	KMOVW AX, K2
	TESTQ R10, R10
	JZ    rdone

rrow:
	MOVQ R9, SI
	MOVQ R12, DI
	MOVQ R13, DX
	MOVQ R14, CX
	VXORPS Z0, Z0, Z0
	VXORPS Z6, Z6, Z6
	CMPQ CX, $4
	JB   rpair

rquad:
	PREFETCHT0 1024(SI)
	PREFETCHT0 1088(SI)
	Q8_PAIR(0, 0, 0, Z0)
	Q8_PAIR(68, 64, 8, Z6)
	ADDQ $136, SI
	ADDQ $128, DI
	ADDQ $16, DX
	SUBQ $4, CX
	CMPQ CX, $4
	JAE  rquad

rpair:
	CMPQ CX, $2
	JB   rsingle
	Q8_PAIR(0, 0, 0, Z0)
	ADDQ $68, SI
	ADDQ $64, DI
	ADDQ $8, DX
	SUBQ $2, CX

rsingle:
	TESTQ CX, CX
	JZ    rreduce
	VMOVDQU8 2(SI), Y1
	VMOVDQU8 (DI), Y2
	VPMOVB2M Y1, K1
	VPABSB Y1, Y1
	VPSUBB Y2, Y31, K1, Y2
	VPXORD Y3, Y3, Y3
	VPDPBUSD Y2, Y1, Y3
	VCVTDQ2PS Y3, Y3
	VPBROADCASTW (SI), X4
	VCVTPH2PS X4, Y4
	VBROADCASTSS (DX), Y5
	VMULPS Y5, Y4, Y4
	VFMADD231PS Z4, Z3, Z0

rreduce:
	VADDPS Z6, Z0, Z0
	VEXTRACTF64X4 $1, Z0, Y1
	VADDPS Y1, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VADDPS X1, X0, X0
	VHADDPS X0, X0, X0
	VHADDPS X0, X0, X0
	VMOVSS X0, (R8)
	ADDQ $4, R8
	ADDQ R11, R9
	DECQ R10
	JNZ  rrow

rdone:
	VZEROUPPER
	RET
