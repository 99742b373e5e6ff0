//go:build !noasm

#include "textflag.h"

// Dots of Q8_0 / Q4_0 weight rows with Q8 activations. Per block of 32:
// the signed-by-signed byte products are formed as |w| (unsigned) times
// x·sign(w) (signed), the operand order VPMADDUBSW/VPDPBUSD need; this is
// exact because activations never hold -128. The block's integer lanes are
// converted to float and multiplied-added with d_w·d_x. Two blocks per
// iteration feed two accumulators so the FMA latency overlaps.

#define HSUM8(Y, X, T) \
	VEXTRACTF128 $1, Y, T \
	VADDPS T, X, X \
	VHADDPS X, X, X \
	VHADDPS X, X, X

// SCALE broadcasts f16(w at WOFF(SI)) * xd at DOFF(DX) into Y4.
#define SCALE(WOFF, DOFF) \
	MOVWLZX WOFF(SI), AX \
	VMOVD AX, X4 \
	VCVTPH2PS X4, X4 \
	VMULSS DOFF(DX), X4, X4 \
	VBROADCASTSS X4, Y4

// IDOT_MADD: Y3 = eight int32 sums of u8 Y1 × s8 Y2 (Y15 holds int16 ones).
#define IDOT_MADD \
	VPMADDUBSW Y2, Y1, Y3 \
	VPMADDWD Y15, Y3, Y3

// IDOT_VNNI: the same with one VNNI instruction.
#define IDOT_VNNI \
	VPXOR Y3, Y3, Y3 \
	VPDPBUSD Y2, Y1, Y3

#define Q8_0_BLOCK(IDOT, WOFF, XOFF, DOFF, ACC) \
	VMOVDQU WOFF+2(SI), Y1 \
	VMOVDQU XOFF(DI), Y2 \
	VPSIGNB Y1, Y2, Y2 \
	VPABSB Y1, Y1 \
	IDOT \
	VCVTDQ2PS Y3, Y3 \
	SCALE(WOFF, DOFF) \
	VFMADD231PS Y4, Y3, ACC

// Q4_0: bytes hold element j (low nibble) and j+16 (high nibble); Y14 is
// 0x0f in every byte, Y13 is 8.
#define Q4_0_BLOCK(IDOT, WOFF, XOFF, DOFF, ACC) \
	VMOVDQU WOFF+2(SI), X1 \
	VPSRLW $4, X1, X5 \
	VINSERTI128 $1, X5, Y1, Y1 \
	VPAND Y14, Y1, Y1 \
	VPSUBB Y13, Y1, Y1 \
	VMOVDQU XOFF(DI), Y2 \
	VPSIGNB Y1, Y2, Y2 \
	VPABSB Y1, Y1 \
	IDOT \
	VCVTDQ2PS Y3, Y3 \
	SCALE(WOFF, DOFF) \
	VFMADD231PS Y4, Y3, ACC

#define PROLOGUE \
	MOVQ w_base+0(FP), SI \
	MOVQ xq_base+24(FP), DI \
	MOVQ xd_base+48(FP), DX \
	MOVQ xd_len+56(FP), CX \
	VXORPS Y0, Y0, Y0 \
	VXORPS Y8, Y8, Y8 \
	VPCMPEQW Y15, Y15, Y15 \
	VPSRLW $15, Y15, Y15 \
	MOVL $0x0f0f0f0f, AX \
	VMOVD AX, X14 \
	VPBROADCASTD X14, Y14 \
	MOVL $0x08080808, AX \
	VMOVD AX, X13 \
	VPBROADCASTD X13, Y13

#define EPILOGUE \
	VADDPS Y8, Y0, Y0 \
	HSUM8(Y0, X0, X1) \
	VMOVSS X0, ret+72(FP) \
	VZEROUPPER \
	RET

// func dotQ8_0AVX2(w []byte, xq []int8, xd []float32) float32
TEXT ·dotQ8_0AVX2(SB), NOSPLIT, $0-76
	PROLOGUE
	CMPQ CX, $2
	JB   one

two:
	Q8_0_BLOCK(IDOT_MADD, 0, 0, 0, Y0)
	Q8_0_BLOCK(IDOT_MADD, 34, 32, 4, Y8)
	ADDQ $68, SI
	ADDQ $64, DI
	ADDQ $8, DX
	SUBQ $2, CX
	CMPQ CX, $2
	JAE  two

one:
	TESTQ CX, CX
	JZ    done
	Q8_0_BLOCK(IDOT_MADD, 0, 0, 0, Y0)

done:
	EPILOGUE

// func dotQ8_0VNNI(w []byte, xq []int8, xd []float32) float32
TEXT ·dotQ8_0VNNI(SB), NOSPLIT, $0-76
	PROLOGUE
	CMPQ CX, $2
	JB   one

two:
	// The weight row streams from memory: fetch 1 KB ahead, into the rows
	// that follow it (see dotAVX512).
	PREFETCHT0 1024(SI)
	PREFETCHT0 1088(SI)
	Q8_0_BLOCK(IDOT_VNNI, 0, 0, 0, Y0)
	Q8_0_BLOCK(IDOT_VNNI, 34, 32, 4, Y8)
	ADDQ $68, SI
	ADDQ $64, DI
	ADDQ $8, DX
	SUBQ $2, CX
	CMPQ CX, $2
	JAE  two

one:
	TESTQ CX, CX
	JZ    done
	Q8_0_BLOCK(IDOT_VNNI, 0, 0, 0, Y0)

done:
	EPILOGUE

// func dotQ4_0AVX2(w []byte, xq []int8, xd []float32) float32
TEXT ·dotQ4_0AVX2(SB), NOSPLIT, $0-76
	PROLOGUE
	CMPQ CX, $2
	JB   one

two:
	Q4_0_BLOCK(IDOT_MADD, 0, 0, 0, Y0)
	Q4_0_BLOCK(IDOT_MADD, 18, 32, 4, Y8)
	ADDQ $36, SI
	ADDQ $64, DI
	ADDQ $8, DX
	SUBQ $2, CX
	CMPQ CX, $2
	JAE  two

one:
	TESTQ CX, CX
	JZ    done
	Q4_0_BLOCK(IDOT_MADD, 0, 0, 0, Y0)

done:
	EPILOGUE

// func dotQ4_0VNNI(w []byte, xq []int8, xd []float32) float32
TEXT ·dotQ4_0VNNI(SB), NOSPLIT, $0-76
	PROLOGUE
	CMPQ CX, $2
	JB   one

two:
	Q4_0_BLOCK(IDOT_VNNI, 0, 0, 0, Y0)
	Q4_0_BLOCK(IDOT_VNNI, 18, 32, 4, Y8)
	ADDQ $36, SI
	ADDQ $64, DI
	ADDQ $8, DX
	SUBQ $2, CX
	CMPQ CX, $2
	JAE  two

one:
	TESTQ CX, CX
	JZ    done
	Q4_0_BLOCK(IDOT_VNNI, 0, 0, 0, Y0)

done:
	EPILOGUE
