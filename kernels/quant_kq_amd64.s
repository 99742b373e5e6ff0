//go:build !noasm

#include "textflag.h"

// Dots of Q4_K / Q5_K / Q6_K weight rows with Q8_K-style activations (one
// scale per 256, sums per 16 in xs). Inside a super-block the 4/5/6-bit
// weights are unsigned bytes, so VPMADDUBSW multiplies them by the signed
// activations directly (pair sums stay below 2·63·127 < 32767); VPMADDWD then
// applies the sub-block scales as 16-bit factors and the super-block's
// integer sum is exact in int32. The offsets (Q4_K/Q5_K minimums, Q6_K's
// -32) use the activation sums xs instead of touching each value.

#define HSUM8(Y, X, T) \
	VEXTRACTF128 $1, Y, T \
	VADDPS T, X, X \
	VHADDPS X, X, X \
	VHADDPS X, X, X

// F16SCALE broadcasts f16(WOFF(SI)) * (DX) into register R (Y or X form).
#define F16SCALE(WOFF, XR, R) \
	MOVWLZX WOFF(SI), AX \
	VMOVD AX, XR \
	VCVTPH2PS XR, XR \
	VMULSS (DX), XR, XR \
	VBROADCASTSS XR, R

// UNPACK_K4 decodes the 12 packed scale bytes at 4(SI) of a Q4_K/Q5_K
// block: the 8 scales as int16 at 16(SP) (for VPBROADCASTW) and the 8 mins
// as int16 in X6. The bytes are assembled in 64-bit registers and moved to
// vector registers directly: storing two dwords and reloading them as one
// qword would defeat store forwarding and stall every super-block.
#define UNPACK_K4 \
	MOVL 4(SI), R8 \
	MOVL 8(SI), R9 \
	MOVL 12(SI), R10 \
	MOVL R10, R11 \
	ANDL $0x0f0f0f0f, R11 \
	MOVL R8, R12 \
	SHRL $6, R12 \
	ANDL $0x03030303, R12 \
	SHLL $4, R12 \
	ORL  R12, R11 \
	SHLQ $32, R11 \
	ANDL $0x3f3f3f3f, R8 \
	ORQ  R8, R11 \
	VMOVQ R11, X5 \
	VPMOVZXBW X5, X5 \
	VMOVDQU X5, 16(SP) \
	SHRL $4, R10 \
	ANDL $0x0f0f0f0f, R10 \
	MOVL R9, R12 \
	SHRL $6, R12 \
	ANDL $0x03030303, R12 \
	SHLL $4, R12 \
	ORL  R12, R10 \
	SHLQ $32, R10 \
	ANDL $0x3f3f3f3f, R9 \
	ORQ  R9, R10 \
	VMOVQ R10, X6 \
	VPMOVZXBW X6, X6

// MINS_K4: X7 = float Σ over the 4 pairs of lanes of min_s · (xs[2s]+xs[2s+1]).
#define MINS_K4 \
	VMOVDQU (BX), X7 \
	VMOVDQU 16(BX), X8 \
	VPHADDW X8, X7, X7 \
	VPMADDWD X6, X7, X7 \
	VCVTDQ2PS X7, X7

// GROUP_TAIL multiplies the low (Y1) and high (Y2) nibble values of group G
// by the activations, applies the two sub-block scales and adds to Y10.
#define GROUP_TAIL(XOFF, SOFF) \
	VPMADDUBSW XOFF(DI), Y1, Y1 \
	VPMADDUBSW XOFF+32(DI), Y2, Y2 \
	VPBROADCASTW SOFF(SP), Y3 \
	VPBROADCASTW SOFF+2(SP), Y4 \
	VPMADDWD Y3, Y1, Y1 \
	VPMADDWD Y4, Y2, Y2 \
	VPADDD Y1, Y10, Y10 \
	VPADDD Y2, Y10, Y10

#define Q4K_GROUP(QOFF, XOFF, SOFF) \
	VMOVDQU QOFF(SI), Y1 \
	VPSRLW $4, Y1, Y2 \
	VPAND Y14, Y1, Y1 \
	VPAND Y14, Y2, Y2 \
	GROUP_TAIL(XOFF, SOFF)

// Q5_K: the fifth bits of group G are bits 2G, 2G+1 of qh (Y12); Y11 holds
// the current bit in every byte, Y13 holds 0x10.
#define Q5K_GROUP(QOFF, XOFF, SOFF) \
	VMOVDQU QOFF(SI), Y1 \
	VPSRLW $4, Y1, Y2 \
	VPAND Y14, Y1, Y1 \
	VPAND Y14, Y2, Y2 \
	VPAND Y11, Y12, Y5 \
	VPCMPEQB Y11, Y5, Y5 \
	VPAND Y13, Y5, Y5 \
	VPOR Y5, Y1, Y1 \
	VPADDB Y11, Y11, Y11 \
	VPAND Y11, Y12, Y5 \
	VPCMPEQB Y11, Y5, Y5 \
	VPAND Y13, Y5, Y5 \
	VPOR Y5, Y2, Y2 \
	VPADDB Y11, Y11, Y11 \
	GROUP_TAIL(XOFF, SOFF)

#define BCAST_BYTE(V, XR, YR) \
	MOVL V, AX \
	VMOVD AX, XR \
	VPBROADCASTD XR, YR

#define KQ_PROLOGUE \
	MOVQ w_base+0(FP), SI \
	MOVQ xq_base+24(FP), DI \
	MOVQ xd_base+48(FP), DX \
	MOVQ xd_len+56(FP), CX \
	MOVQ xs_base+72(FP), BX \
	VXORPS Y0, Y0, Y0 \
	VXORPS Y9, Y9, Y9 \
	BCAST_BYTE($0x0f0f0f0f, X14, Y14)

// func dotQ4_KAVX2(w []byte, xq []int8, xd []float32, xs []int16) float32
TEXT ·dotQ4_KAVX2(SB), NOSPLIT, $32-100
	KQ_PROLOGUE
	TESTQ CX, CX
	JZ    done

loop:
	UNPACK_K4
	MINS_K4
	VPXOR Y10, Y10, Y10
	Q4K_GROUP(16, 0, 16)
	Q4K_GROUP(48, 64, 20)
	Q4K_GROUP(80, 128, 24)
	Q4K_GROUP(112, 192, 28)
	VCVTDQ2PS Y10, Y10
	F16SCALE(0, X3, Y3)
	VFMADD231PS Y3, Y10, Y0
	F16SCALE(2, X4, X4)
	VFMADD231PS X4, X7, X9
	ADDQ $144, SI
	ADDQ $256, DI
	ADDQ $4, DX
	ADDQ $32, BX
	DECQ CX
	JNZ  loop

done:
	HSUM8(Y0, X0, X1)
	VHADDPS X9, X9, X9
	VHADDPS X9, X9, X9
	VSUBSS X9, X0, X0
	VMOVSS X0, ret+96(FP)
	VZEROUPPER
	RET

// func dotQ5_KAVX2(w []byte, xq []int8, xd []float32, xs []int16) float32
TEXT ·dotQ5_KAVX2(SB), NOSPLIT, $32-100
	KQ_PROLOGUE
	BCAST_BYTE($0x10101010, X13, Y13)
	BCAST_BYTE($0x01010101, X15, Y15)
	TESTQ CX, CX
	JZ    done

loop:
	UNPACK_K4
	MINS_K4
	VPXOR Y10, Y10, Y10
	VMOVDQU 16(SI), Y12
	VMOVDQA Y15, Y11
	Q5K_GROUP(48, 0, 16)
	Q5K_GROUP(80, 64, 20)
	Q5K_GROUP(112, 128, 24)
	Q5K_GROUP(144, 192, 28)
	VCVTDQ2PS Y10, Y10
	F16SCALE(0, X3, Y3)
	VFMADD231PS Y3, Y10, Y0
	F16SCALE(2, X4, X4)
	VFMADD231PS X4, X7, X9
	ADDQ $176, SI
	ADDQ $256, DI
	ADDQ $4, DX
	ADDQ $32, BX
	DECQ CX
	JNZ  loop

done:
	HSUM8(Y0, X0, X1)
	VHADDPS X9, X9, X9
	VHADDPS X9, X9, X9
	VSUBSS X9, X0, X0
	VMOVSS X0, ret+96(FP)
	VZEROUPPER
	RET

// Q6_K: Y4 = qh of the half, Y1/Y2 = ql[0:32]/ql[32:64] of the half, X12
// the 16 signed scales, Y13 = 3 in every byte. Q6K_PART builds one 32-value
// slice (Q = low/high nibble source, shifted qh bits on top), multiplies
// with the activations and applies the two scales its 16-value halves use
// (picked by the shuffle mask MOFF of q6shuf).
#define Q6K_PART(SRC, NIBSHIFT, HSHIFT, XOFF, MOFF) \
	VPSRLW NIBSHIFT, SRC, Y5 \
	VPAND Y14, Y5, Y5 \
	VPSRLW HSHIFT, Y4, Y6 \
	VPAND Y13, Y6, Y6 \
	VPSLLW $4, Y6, Y6 \
	VPOR Y6, Y5, Y5 \
	VPMADDUBSW XOFF(DI), Y5, Y5 \
	VPSHUFB q6shuf<>+MOFF(SB), X12, X6 \
	VPMOVSXBW X6, Y6 \
	VPMADDWD Y6, Y5, Y5 \
	VPADDD Y5, Y10, Y10

#define Q6K_HALF(QL, QH, XOFF, M) \
	VMOVDQU QH(SI), Y4 \
	VMOVDQU QL(SI), Y1 \
	VMOVDQU QL+32(SI), Y2 \
	Q6K_PART(Y1, $0, $0, XOFF, M) \
	Q6K_PART(Y2, $0, $2, XOFF+32, M+16) \
	Q6K_PART(Y1, $4, $4, XOFF+64, M+32) \
	Q6K_PART(Y2, $4, $6, XOFF+96, M+48)

// func dotQ6_KAVX2(w []byte, xq []int8, xd []float32, xs []int16) float32
TEXT ·dotQ6_KAVX2(SB), NOSPLIT, $0-100
	KQ_PROLOGUE
	BCAST_BYTE($0x03030303, X13, Y13)
	TESTQ CX, CX
	JZ    done

loop:
	VMOVDQU 192(SI), X12
	VPXOR Y10, Y10, Y10
	Q6K_HALF(0, 128, 0, 0)
	Q6K_HALF(64, 160, 128, 64)
	// Subtract 32 · Σ_g scale_g · xs_g.
	VMOVDQU (BX), Y7
	VPMOVSXBW X12, Y8
	VPMADDWD Y8, Y7, Y7
	VPSLLD $5, Y7, Y7
	VPSUBD Y7, Y10, Y10
	VCVTDQ2PS Y10, Y10
	F16SCALE(208, X3, Y3)
	VFMADD231PS Y3, Y10, Y0
	ADDQ $210, SI
	ADDQ $256, DI
	ADDQ $4, DX
	ADDQ $32, BX
	DECQ CX
	JNZ  loop

done:
	HSUM8(Y0, X0, X1)
	VMOVSS X0, ret+96(FP)
	VZEROUPPER
	RET

// q6shuf: mask k (16 bytes at 16k) picks scale 2k into bytes 0-7 and scale
// 2k+1 into bytes 8-15, i.e. quadword i is byte i repeated.
DATA q6shuf<>+0(SB)/8, $0x0000000000000000
DATA q6shuf<>+8(SB)/8, $0x0101010101010101
DATA q6shuf<>+16(SB)/8, $0x0202020202020202
DATA q6shuf<>+24(SB)/8, $0x0303030303030303
DATA q6shuf<>+32(SB)/8, $0x0404040404040404
DATA q6shuf<>+40(SB)/8, $0x0505050505050505
DATA q6shuf<>+48(SB)/8, $0x0606060606060606
DATA q6shuf<>+56(SB)/8, $0x0707070707070707
DATA q6shuf<>+64(SB)/8, $0x0808080808080808
DATA q6shuf<>+72(SB)/8, $0x0909090909090909
DATA q6shuf<>+80(SB)/8, $0x0a0a0a0a0a0a0a0a
DATA q6shuf<>+88(SB)/8, $0x0b0b0b0b0b0b0b0b
DATA q6shuf<>+96(SB)/8, $0x0c0c0c0c0c0c0c0c
DATA q6shuf<>+104(SB)/8, $0x0d0d0d0d0d0d0d0d
DATA q6shuf<>+112(SB)/8, $0x0e0e0e0e0e0e0e0e
DATA q6shuf<>+120(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL q6shuf<>(SB), RODATA|NOPTR, $128
