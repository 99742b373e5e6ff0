//go:build !noasm

#include "textflag.h"

// Activation quantisation, bit for bit the Go quantiser (quantizeBlock):
// max|x| is taken on the absolute values' bit patterns as integers (the
// order of non-negative floats, with NaN above +Inf, so a NaN anywhere is
// seen as Go's max sees it); d = amax/127 and inv = 127/amax are single
// divisions like Go's; each value is float32(v·inv) rounded to nearest,
// ties to even (VCVTPS2DQ under the default MXCSR, the same integer as
// Go's 1.5·2^23 trick for |v·inv| ≤ 127), clamped to [-127, 127] and packed
// to bytes. A block with amax < 2^-120 (zero, or 127/amax would overflow)
// stores d = 0, a non-finite one d = NaN (0x7fc00000); both store zero
// bytes.

// QCONSTS sets Y15 = abs mask, Y14 = VPERMD order after the packs,
// Y13 = -127 (int32), X12 = 127.0.
#define QCONSTS \
	VPCMPEQD Y15, Y15, Y15 \
	VPSRLD $1, Y15, Y15 \
	MOVQ $0x0000000400000000, AX \
	MOVQ AX, X14 \
	MOVQ $0x0000000500000001, AX \
	MOVQ AX, X0 \
	VPUNPCKLQDQ X0, X14, X14 \
	MOVQ $0x0000000600000002, AX \
	MOVQ AX, X0 \
	MOVQ $0x0000000700000003, AX \
	MOVQ AX, X1 \
	VPUNPCKLQDQ X1, X0, X0 \
	VINSERTI128 $1, X0, Y14, Y14 \
	MOVL $-127, AX \
	VMOVD AX, X13 \
	VPBROADCASTD X13, Y13 \
	MOVL $0x42fe0000, AX \
	VMOVD AX, X12

// AMAX32(off) folds |x| bits of x[off:off+32](SI) into Y4 (integer max).
#define AMAX32(off) \
	VPAND off(SI), Y15, Y0 \
	VPAND off+32(SI), Y15, Y1 \
	VPAND off+64(SI), Y15, Y2 \
	VPAND off+96(SI), Y15, Y3 \
	VPMAXSD Y1, Y0, Y0 \
	VPMAXSD Y3, Y2, Y2 \
	VPMAXSD Y2, Y0, Y0 \
	VPMAXSD Y0, Y4, Y4

// HMAX leaves the maximum of Y4's lanes in AX.
#define HMAX \
	VEXTRACTI128 $1, Y4, X5 \
	VPMAXSD X5, X4, X4 \
	VPSHUFD $0x4E, X4, X5 \
	VPMAXSD X5, X4, X4 \
	VPSHUFD $0xB1, X4, X5 \
	VPMAXSD X5, X4, X4 \
	VMOVD X4, AX

// SCALES: from amax (X4) stores d at (DX) and broadcasts inv into Y8.
#define SCALES \
	VDIVSS X12, X4, X7 \
	VDIVSS X4, X12, X8 \
	VMOVSS X7, (DX) \
	VBROADCASTSS X8, Y8

// QUANT32(off) rounds x[off:off+32](SI)·inv to 32 bytes in Y0, stored at off/4(DI).
#define QUANT32(off) \
	VMULPS off(SI), Y8, Y0 \
	VMULPS off+32(SI), Y8, Y1 \
	VMULPS off+64(SI), Y8, Y2 \
	VMULPS off+96(SI), Y8, Y3 \
	VCVTPS2DQ Y0, Y0 \
	VCVTPS2DQ Y1, Y1 \
	VCVTPS2DQ Y2, Y2 \
	VCVTPS2DQ Y3, Y3 \
	VPMAXSD Y13, Y0, Y0 \
	VPMAXSD Y13, Y1, Y1 \
	VPMAXSD Y13, Y2, Y2 \
	VPMAXSD Y13, Y3, Y3 \
	VPACKSSDW Y1, Y0, Y0 \
	VPACKSSDW Y3, Y2, Y2 \
	VPACKSSWB Y2, Y0, Y0 \
	VPERMD Y0, Y14, Y0 \
	VMOVDQU Y0, (off/4)(DI)

// func quantizeQ8AVX2(x []float32, xq []int8, xd []float32)
TEXT ·quantizeQ8AVX2(SB), NOSPLIT, $0-72
	MOVQ x_base+0(FP), SI
	MOVQ xq_base+24(FP), DI
	MOVQ xd_base+48(FP), DX
	MOVQ xd_len+56(FP), CX
	TESTQ CX, CX
	JZ   q8done
	QCONSTS

q8block:
	VPXOR Y4, Y4, Y4
	AMAX32(0)
	HMAX
	CMPL AX, $0x03800000 // 2^-120
	JB   q8zero
	CMPL AX, $0x7f800000
	JAE  q8nan
	SCALES
	QUANT32(0)

q8next:
	ADDQ $128, SI
	ADDQ $32, DI
	ADDQ $4, DX
	DECQ CX
	JNZ  q8block

q8done:
	VZEROUPPER
	RET

q8zero:
	MOVL $0, (DX)
	VPXOR Y0, Y0, Y0
	VMOVDQU Y0, (DI)
	JMP  q8next

q8nan:
	MOVL $0x7fc00000, (DX)
	VPXOR Y0, Y0, Y0
	VMOVDQU Y0, (DI)
	JMP  q8next

// BSUM32(off) stores the two sums of 16 of the 32 bytes in Y0 at
// (off/32)(R9) as int16: bytes biased to unsigned (x+128) are summed by
// VPSADBW in groups of 8, groups paired, the bias 16·128 taken off.
#define BSUM32(off) \
	VPXOR Y11, Y0, Y1 \
	VPSADBW Y10, Y1, Y1 \
	VPSHUFD $0x4E, Y1, Y2 \
	VPADDQ Y2, Y1, Y1 \
	VMOVD X1, AX \
	SUBL $2048, AX \
	MOVW AX, (off/32)(R9) \
	VEXTRACTI128 $1, Y1, X1 \
	VMOVD X1, AX \
	SUBL $2048, AX \
	MOVW AX, (off/32+2)(R9)

#define QK32(off) \
	QUANT32(off) \
	BSUM32(off)

// func quantizeQ8KAVX2(x []float32, xq []int8, xd []float32, xs []int16)
TEXT ·quantizeQ8KAVX2(SB), NOSPLIT, $0-96
	MOVQ x_base+0(FP), SI
	MOVQ xq_base+24(FP), DI
	MOVQ xd_base+48(FP), DX
	MOVQ xd_len+56(FP), CX
	MOVQ xs_base+72(FP), R9
	TESTQ CX, CX
	JZ   qkdone
	QCONSTS
	VPXOR Y10, Y10, Y10
	MOVL $0x80808080, AX
	VMOVD AX, X11
	VPBROADCASTD X11, Y11

qkblock:
	VPXOR Y4, Y4, Y4
	AMAX32(0)
	AMAX32(128)
	AMAX32(256)
	AMAX32(384)
	AMAX32(512)
	AMAX32(640)
	AMAX32(768)
	AMAX32(896)
	HMAX
	CMPL AX, $0x03800000 // 2^-120
	JB   qkzero
	CMPL AX, $0x7f800000
	JAE  qknan
	SCALES
	QK32(0)
	QK32(128)
	QK32(256)
	QK32(384)
	QK32(512)
	QK32(640)
	QK32(768)
	QK32(896)

qknext:
	ADDQ $1024, SI
	ADDQ $256, DI
	ADDQ $4, DX
	ADDQ $32, R9
	DECQ CX
	JNZ  qkblock

qkdone:
	VZEROUPPER
	RET

qkzero:
	MOVL $0, (DX)
	JMP  qkclear

qknan:
	MOVL $0x7fc00000, (DX)

qkclear:
	VPXOR Y0, Y0, Y0
	VMOVDQU Y0, (DI)
	VMOVDQU Y0, 32(DI)
	VMOVDQU Y0, 64(DI)
	VMOVDQU Y0, 96(DI)
	VMOVDQU Y0, 128(DI)
	VMOVDQU Y0, 160(DI)
	VMOVDQU Y0, 192(DI)
	VMOVDQU Y0, 224(DI)
	VMOVDQU Y0, (R9)
	JMP  qknext
