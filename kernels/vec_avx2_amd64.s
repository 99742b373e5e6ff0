//go:build !noasm

#include "textflag.h"
#include "zero_amd64.h"

// HSUM8 leaves the sum of the eight lanes of Y in the low lane of X
// (X is Y's low half); T is a scratch register.
#define HSUM8(Y, X, T) \
	VEXTRACTF128 $1, Y, T \
	VADDPS T, X, X \
	VHADDPS X, X, X \
	VHADDPS X, X, X

// func dotAVX2(a, b []float32) float32
TEXT ·dotAVX2(SB), NOSPLIT, $0-52
	MOVQ a_base+0(FP), SI
	MOVQ a_len+8(FP), CX
	MOVQ b_base+24(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	CMPQ CX, $32
	JB   dot8

dot32:
	// a is the stream: fetch 1 KB ahead (see dotAVX512).
	PREFETCHT0 1024(SI)
	PREFETCHT0 1088(SI)
	VMOVUPS (SI), Y4
	VMOVUPS 32(SI), Y5
	VMOVUPS 64(SI), Y6
	VMOVUPS 96(SI), Y7
	VFMADD231PS (DI), Y4, Y0
	VFMADD231PS 32(DI), Y5, Y1
	VFMADD231PS 64(DI), Y6, Y2
	VFMADD231PS 96(DI), Y7, Y3
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	CMPQ CX, $32
	JAE  dot32

dot8:
	CMPQ CX, $8
	JB   dotreduce
	VMOVUPS (SI), Y4
	VFMADD231PS (DI), Y4, Y0
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  dot8

dotreduce:
	VADDPS Y2, Y0, Y0
	VADDPS Y3, Y1, Y1
	VADDPS Y1, Y0, Y0
	HSUM8(Y0, X0, X1)
	TESTQ CX, CX
	JZ    dotdone

dot1:
	VMOVSS (SI), X1
	VFMADD231SS (DI), X1, X0
	ADDQ $4, SI
	ADDQ $4, DI
	DECQ CX
	JNZ  dot1

dotdone:
	VMOVSS X0, ret+48(FP)
	VZEROUPPER
	RET

// func axpyAVX2(alpha float32, x, y []float32)
TEXT ·axpyAVX2(SB), NOSPLIT, $0-56
	MOVQ x_base+8(FP), SI
	MOVQ x_len+16(FP), CX
	MOVQ y_base+32(FP), DI
	VBROADCASTSS alpha+0(FP), Y15
	CMPQ CX, $32
	JB   axpy8

axpy32:
	VMOVUPS (SI), Y0
	VMOVUPS 32(SI), Y1
	VMOVUPS 64(SI), Y2
	VMOVUPS 96(SI), Y3
	VFMADD213PS (DI), Y15, Y0
	VFMADD213PS 32(DI), Y15, Y1
	VFMADD213PS 64(DI), Y15, Y2
	VFMADD213PS 96(DI), Y15, Y3
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	CMPQ CX, $32
	JAE  axpy32

axpy8:
	CMPQ CX, $8
	JB   axpy1
	VMOVUPS (SI), Y0
	VFMADD213PS (DI), Y15, Y0
	VMOVUPS Y0, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  axpy8

axpy1:
	TESTQ CX, CX
	JZ    axpydone
	VMOVSS (SI), X0
	VFMADD213SS (DI), X15, X0
	VMOVSS X0, (DI)
	ADDQ $4, SI
	ADDQ $4, DI
	DECQ CX
	JMP  axpy1

axpydone:
	VZEROUPPER
	RET

// func scaleAVX2(alpha float32, x []float32)
TEXT ·scaleAVX2(SB), NOSPLIT, $0-32
	MOVQ x_base+8(FP), SI
	MOVQ x_len+16(FP), CX
	VBROADCASTSS alpha+0(FP), Y15

scale8:
	CMPQ CX, $8
	JB   scale1
	VMULPS (SI), Y15, Y0
	VMOVUPS Y0, (SI)
	ADDQ $32, SI
	SUBQ $8, CX
	JMP  scale8

scale1:
	TESTQ CX, CX
	JZ    scaledone
	VMULSS (SI), X15, X0
	VMOVSS X0, (SI)
	ADDQ $4, SI
	DECQ CX
	JMP  scale1

scaledone:
	VZEROUPPER
	RET

// func scaleNormal8AVX2(s, thr float32, x []float32)
//
// ScaleNormal on len(x)/8 whole vectors: a lane below thr becomes zero
// (the compare is "not less than", true for NaN, so a NaN passes as in the
// Go loop), then every lane is multiplied by s.
TEXT ·scaleNormal8AVX2(SB), NOSPLIT, $0-32
	MOVQ x_base+8(FP), SI
	MOVQ x_len+16(FP), CX
	SHRQ $3, CX
	VBROADCASTSS s+0(FP), Y14
	VBROADCASTSS thr+4(FP), Y15
	TESTQ CX, CX
	JZ    snormdone
snorm8:
	VMOVUPS (SI), Y0
	VCMPPS $0x05, Y15, Y0, Y1
	VANDPS Y1, Y0, Y0
	VMULPS Y14, Y0, Y0
	VMOVUPS Y0, (SI)
	ADDQ $32, SI
	DECQ CX
	JNZ  snorm8
snormdone:
	VZEROUPPER
	RET

// func sumAVX2(x []float32) float32
TEXT ·sumAVX2(SB), NOSPLIT, $0-28
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	CMPQ CX, $32
	JB   sum8

sum32:
	// Prefetch as the dot kernels do (see sumAVX512).
	PREFETCHT0 1024(SI)
	PREFETCHT0 1088(SI)
	VADDPS (SI), Y0, Y0
	VADDPS 32(SI), Y1, Y1
	VADDPS 64(SI), Y2, Y2
	VADDPS 96(SI), Y3, Y3
	ADDQ $128, SI
	SUBQ $32, CX
	CMPQ CX, $32
	JAE  sum32

sum8:
	CMPQ CX, $8
	JB   sumreduce
	VADDPS (SI), Y0, Y0
	ADDQ $32, SI
	SUBQ $8, CX
	JMP  sum8

sumreduce:
	VADDPS Y2, Y0, Y0
	VADDPS Y3, Y1, Y1
	VADDPS Y1, Y0, Y0
	HSUM8(Y0, X0, X1)
	TESTQ CX, CX
	JZ    sumdone

sum1:
	VADDSS (SI), X0, X0
	ADDQ $4, SI
	DECQ CX
	JNZ  sum1

sumdone:
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// func peakFMAAVX2(iters int) int64
// Twelve independent chains of 8-lane FMAs: enough to cover the FMA latency
// (4-5 cycles) on two pipes.
TEXT ·peakFMAAVX2(SB), NOSPLIT, $0-16
	MOVQ iters+0(FP), CX
	MOVL $0x3f7fffef, AX // 0.999999
	VMOVD AX, X14
	VBROADCASTSS X14, Y14
	MOVL $0x33d6bf95, AX // 1e-7
	VMOVD AX, X15
	VBROADCASTSS X15, Y15
	ZEROY0TO7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	MOVQ CX, AX
	TESTQ CX, CX
	JLE  peakdone

peakloop:
	VFMADD213PS Y15, Y14, Y0
	VFMADD213PS Y15, Y14, Y1
	VFMADD213PS Y15, Y14, Y2
	VFMADD213PS Y15, Y14, Y3
	VFMADD213PS Y15, Y14, Y4
	VFMADD213PS Y15, Y14, Y5
	VFMADD213PS Y15, Y14, Y6
	VFMADD213PS Y15, Y14, Y7
	VFMADD213PS Y15, Y14, Y8
	VFMADD213PS Y15, Y14, Y9
	VFMADD213PS Y15, Y14, Y10
	VFMADD213PS Y15, Y14, Y11
	DECQ CX
	JNZ  peakloop

peakdone:
	// flops = iters * 12 chains * 8 lanes * 2
	MOVQ AX, CX
	CMPQ CX, $0
	JGE  peakpos
	XORQ CX, CX

peakpos:
	IMULQ $192, CX
	MOVQ CX, ret+8(FP)
	VZEROUPPER
	RET
