//go:build !noasm

#include "textflag.h"

// exp on eight lanes (AVX2+FMA), for softmax and SiLU. Range reduction:
// n = round(x·log2 e), r = x - n·ln2 (ln2 split in a 9-bit head, exact in
// the product, and a tail), |r| ≤ ln2/2; e^r by its Taylor polynomial of
// degree 6 (truncation r^7/7! ≤ 1.2e-7 relative) in Horner form with FMAs;
// then ·2^n, applied as 2^(n-n/2)·2^(n/2) so that the exponent fields never
// overflow: results that are subnormal come out gradually, above 88.72
// +Inf. Inputs are clamped to [-104, 89] first (exp(-104) rounds to zero
// in float32 anyway) and a NaN input gives that NaN back. Measured
// relative error against math.Exp: ≤ 2.3e-7 (about 2 ulp) over normal
// results (TestExpAccuracy; the kernelSet contract asks ≤ 2e-6).

DATA expLo<>+0(SB)/4, $0xc2d00000
DATA expLo<>+4(SB)/4, $0xc2d00000
DATA expLo<>+8(SB)/4, $0xc2d00000
DATA expLo<>+12(SB)/4, $0xc2d00000
DATA expLo<>+16(SB)/4, $0xc2d00000
DATA expLo<>+20(SB)/4, $0xc2d00000
DATA expLo<>+24(SB)/4, $0xc2d00000
DATA expLo<>+28(SB)/4, $0xc2d00000
GLOBL expLo<>(SB), RODATA|NOPTR, $32

DATA expHi<>+0(SB)/4, $0x42b20000
DATA expHi<>+4(SB)/4, $0x42b20000
DATA expHi<>+8(SB)/4, $0x42b20000
DATA expHi<>+12(SB)/4, $0x42b20000
DATA expHi<>+16(SB)/4, $0x42b20000
DATA expHi<>+20(SB)/4, $0x42b20000
DATA expHi<>+24(SB)/4, $0x42b20000
DATA expHi<>+28(SB)/4, $0x42b20000
GLOBL expHi<>(SB), RODATA|NOPTR, $32

DATA expLog2e<>+0(SB)/4, $0x3fb8aa3b
DATA expLog2e<>+4(SB)/4, $0x3fb8aa3b
DATA expLog2e<>+8(SB)/4, $0x3fb8aa3b
DATA expLog2e<>+12(SB)/4, $0x3fb8aa3b
DATA expLog2e<>+16(SB)/4, $0x3fb8aa3b
DATA expLog2e<>+20(SB)/4, $0x3fb8aa3b
DATA expLog2e<>+24(SB)/4, $0x3fb8aa3b
DATA expLog2e<>+28(SB)/4, $0x3fb8aa3b
GLOBL expLog2e<>(SB), RODATA|NOPTR, $32

DATA expLn2Hi<>+0(SB)/4, $0x3f318000
DATA expLn2Hi<>+4(SB)/4, $0x3f318000
DATA expLn2Hi<>+8(SB)/4, $0x3f318000
DATA expLn2Hi<>+12(SB)/4, $0x3f318000
DATA expLn2Hi<>+16(SB)/4, $0x3f318000
DATA expLn2Hi<>+20(SB)/4, $0x3f318000
DATA expLn2Hi<>+24(SB)/4, $0x3f318000
DATA expLn2Hi<>+28(SB)/4, $0x3f318000
GLOBL expLn2Hi<>(SB), RODATA|NOPTR, $32

DATA expLn2Lo<>+0(SB)/4, $0xb95e8083
DATA expLn2Lo<>+4(SB)/4, $0xb95e8083
DATA expLn2Lo<>+8(SB)/4, $0xb95e8083
DATA expLn2Lo<>+12(SB)/4, $0xb95e8083
DATA expLn2Lo<>+16(SB)/4, $0xb95e8083
DATA expLn2Lo<>+20(SB)/4, $0xb95e8083
DATA expLn2Lo<>+24(SB)/4, $0xb95e8083
DATA expLn2Lo<>+28(SB)/4, $0xb95e8083
GLOBL expLn2Lo<>(SB), RODATA|NOPTR, $32

DATA expC2<>+0(SB)/4, $0x3f000000
DATA expC2<>+4(SB)/4, $0x3f000000
DATA expC2<>+8(SB)/4, $0x3f000000
DATA expC2<>+12(SB)/4, $0x3f000000
DATA expC2<>+16(SB)/4, $0x3f000000
DATA expC2<>+20(SB)/4, $0x3f000000
DATA expC2<>+24(SB)/4, $0x3f000000
DATA expC2<>+28(SB)/4, $0x3f000000
GLOBL expC2<>(SB), RODATA|NOPTR, $32

DATA expC3<>+0(SB)/4, $0x3e2aaaab
DATA expC3<>+4(SB)/4, $0x3e2aaaab
DATA expC3<>+8(SB)/4, $0x3e2aaaab
DATA expC3<>+12(SB)/4, $0x3e2aaaab
DATA expC3<>+16(SB)/4, $0x3e2aaaab
DATA expC3<>+20(SB)/4, $0x3e2aaaab
DATA expC3<>+24(SB)/4, $0x3e2aaaab
DATA expC3<>+28(SB)/4, $0x3e2aaaab
GLOBL expC3<>(SB), RODATA|NOPTR, $32

DATA expC4<>+0(SB)/4, $0x3d2aaaab
DATA expC4<>+4(SB)/4, $0x3d2aaaab
DATA expC4<>+8(SB)/4, $0x3d2aaaab
DATA expC4<>+12(SB)/4, $0x3d2aaaab
DATA expC4<>+16(SB)/4, $0x3d2aaaab
DATA expC4<>+20(SB)/4, $0x3d2aaaab
DATA expC4<>+24(SB)/4, $0x3d2aaaab
DATA expC4<>+28(SB)/4, $0x3d2aaaab
GLOBL expC4<>(SB), RODATA|NOPTR, $32

DATA expC5<>+0(SB)/4, $0x3c088889
DATA expC5<>+4(SB)/4, $0x3c088889
DATA expC5<>+8(SB)/4, $0x3c088889
DATA expC5<>+12(SB)/4, $0x3c088889
DATA expC5<>+16(SB)/4, $0x3c088889
DATA expC5<>+20(SB)/4, $0x3c088889
DATA expC5<>+24(SB)/4, $0x3c088889
DATA expC5<>+28(SB)/4, $0x3c088889
GLOBL expC5<>(SB), RODATA|NOPTR, $32

DATA expC6<>+0(SB)/4, $0x3ab60b61
DATA expC6<>+4(SB)/4, $0x3ab60b61
DATA expC6<>+8(SB)/4, $0x3ab60b61
DATA expC6<>+12(SB)/4, $0x3ab60b61
DATA expC6<>+16(SB)/4, $0x3ab60b61
DATA expC6<>+20(SB)/4, $0x3ab60b61
DATA expC6<>+24(SB)/4, $0x3ab60b61
DATA expC6<>+28(SB)/4, $0x3ab60b61
GLOBL expC6<>(SB), RODATA|NOPTR, $32

DATA expOne<>+0(SB)/4, $0x3f800000
DATA expOne<>+4(SB)/4, $0x3f800000
DATA expOne<>+8(SB)/4, $0x3f800000
DATA expOne<>+12(SB)/4, $0x3f800000
DATA expOne<>+16(SB)/4, $0x3f800000
DATA expOne<>+20(SB)/4, $0x3f800000
DATA expOne<>+24(SB)/4, $0x3f800000
DATA expOne<>+28(SB)/4, $0x3f800000
GLOBL expOne<>(SB), RODATA|NOPTR, $32

DATA exp127<>+0(SB)/4, $0x0000007f
DATA exp127<>+4(SB)/4, $0x0000007f
DATA exp127<>+8(SB)/4, $0x0000007f
DATA exp127<>+12(SB)/4, $0x0000007f
DATA exp127<>+16(SB)/4, $0x0000007f
DATA exp127<>+20(SB)/4, $0x0000007f
DATA exp127<>+24(SB)/4, $0x0000007f
DATA exp127<>+28(SB)/4, $0x0000007f
GLOBL exp127<>(SB), RODATA|NOPTR, $32


// EXP8 replaces Y0 by exp(Y0); clobbers Y1-Y5.
#define EXP8 \
	VCMPPS $3, Y0, Y0, Y5 \
	VMOVAPS Y0, Y4 \
	VMAXPS expLo<>(SB), Y0, Y0 \
	VMINPS expHi<>(SB), Y0, Y0 \
	VMULPS expLog2e<>(SB), Y0, Y1 \
	VROUNDPS $0, Y1, Y1 \
	VFNMADD231PS expLn2Hi<>(SB), Y1, Y0 \
	VFNMADD231PS expLn2Lo<>(SB), Y1, Y0 \
	VMOVUPS expC6<>(SB), Y2 \
	VFMADD213PS expC5<>(SB), Y0, Y2 \
	VFMADD213PS expC4<>(SB), Y0, Y2 \
	VFMADD213PS expC3<>(SB), Y0, Y2 \
	VFMADD213PS expC2<>(SB), Y0, Y2 \
	VFMADD213PS expOne<>(SB), Y0, Y2 \
	VFMADD213PS expOne<>(SB), Y0, Y2 \
	VCVTPS2DQ Y1, Y1 \
	VPSRAD $1, Y1, Y3 \
	VPSUBD Y3, Y1, Y1 \
	VPADDD exp127<>(SB), Y3, Y3 \
	VPADDD exp127<>(SB), Y1, Y1 \
	VPSLLD $23, Y3, Y3 \
	VPSLLD $23, Y1, Y1 \
	VMULPS Y3, Y2, Y2 \
	VMULPS Y1, Y2, Y0 \
	VBLENDVPS Y5, Y4, Y0, Y0

// HSUMY6 leaves the sum of Y6's eight lanes in X6; clobbers X1.
#define HSUMY6 \
	VEXTRACTF128 $1, Y6, X1 \
	VADDPS X1, X6, X6 \
	VHADDPS X6, X6, X6 \
	VHADDPS X6, X6, X6

// func expShift8AVX2(x []float32, shift float32) float32
// x[i] = exp(x[i]-shift) for i < len(x)&^7; returns their sum.
TEXT ·expShift8AVX2(SB), NOSPLIT, $0-36
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	SHRQ $3, CX
	VBROADCASTSS shift+24(FP), Y7
	VXORPS Y6, Y6, Y6
	TESTQ CX, CX
	JZ   esdone

esloop:
	VMOVUPS (SI), Y0
	VSUBPS Y7, Y0, Y0
	EXP8
	VMOVUPS Y0, (SI)
	VADDPS Y0, Y6, Y6
	ADDQ $32, SI
	DECQ CX
	JNZ  esloop

esdone:
	HSUMY6
	VMOVSS X6, ret+32(FP)
	VZEROUPPER
	RET

// func siluMul8AVX2(gate, up []float32)
// gate[i] = gate[i]/(1+exp(-gate[i]))·up[i] for i < len(gate)&^7.
TEXT ·siluMul8AVX2(SB), NOSPLIT, $0-48
	MOVQ gate_base+0(FP), SI
	MOVQ gate_len+8(FP), CX
	MOVQ up_base+24(FP), DI
	SHRQ $3, CX
	JZ   smdone

smloop:
	VMOVUPS (SI), Y6
	VXORPS Y0, Y0, Y0
	VSUBPS Y6, Y0, Y0
	EXP8
	VADDPS expOne<>(SB), Y0, Y0
	VDIVPS Y0, Y6, Y6
	VMULPS (DI), Y6, Y6
	VMOVUPS Y6, (SI)
	ADDQ $32, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  smloop

smdone:
	VZEROUPPER
	RET

// The same exp on sixteen lanes (AVX-512), for the AVX-512 level: the
// range reduction and polynomial of EXP8, instruction for instruction, and
// ·2^n by VSCALEFPS, which rounds once as EXP8's two exact-then-rounding
// multiplies do, so both levels give the same bits. The constants live in
// Z16-Z26 (EXPCONSTS); a slice's last len%16 elements run under a mask, so
// no element goes through a different code path than its neighbours.

#define EXPCONSTS \
	VBROADCASTSS expLo<>(SB), Z16 \
	VBROADCASTSS expHi<>(SB), Z17 \
	VBROADCASTSS expLog2e<>(SB), Z18 \
	VBROADCASTSS expLn2Hi<>(SB), Z19 \
	VBROADCASTSS expLn2Lo<>(SB), Z20 \
	VBROADCASTSS expC6<>(SB), Z21 \
	VBROADCASTSS expC5<>(SB), Z22 \
	VBROADCASTSS expC4<>(SB), Z23 \
	VBROADCASTSS expC3<>(SB), Z24 \
	VBROADCASTSS expC2<>(SB), Z25 \
	VBROADCASTSS expOne<>(SB), Z26

// EXP16 replaces Z0 by exp(Z0); clobbers Z1, Z2, Z4 and K1.
#define EXP16 \
	VCMPPS $3, Z0, Z0, K1 \
	VMOVAPS Z0, Z4 \
	VMAXPS Z16, Z0, Z0 \
	VMINPS Z17, Z0, Z0 \
	VMULPS Z18, Z0, Z1 \
	VRNDSCALEPS $0, Z1, Z1 \
	VFNMADD231PS Z19, Z1, Z0 \
	VFNMADD231PS Z20, Z1, Z0 \
	VMOVAPS Z21, Z2 \
	VFMADD213PS Z22, Z0, Z2 \
	VFMADD213PS Z23, Z0, Z2 \
	VFMADD213PS Z24, Z0, Z2 \
	VFMADD213PS Z25, Z0, Z2 \
	VFMADD213PS Z26, Z0, Z2 \
	VFMADD213PS Z26, Z0, Z2 \
	VSCALEFPS Z1, Z2, Z0 \
	VMOVAPS Z4, K1, Z0

// TAILMASK sets K2 to the low CX&15 lanes and CX to CX&15.
#define TAILMASK \
	ANDQ $15, CX \
	MOVQ $1, AX \
	SHLQ CX, AX \
	DECQ AX \
	KMOVW AX, K2

// func expShiftAVX512(x []float32, shift float32) float32
// x[i] = exp(x[i]-shift) for every i; returns their sum.
TEXT ·expShiftAVX512(SB), NOSPLIT, $0-36
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	VBROADCASTSS shift+24(FP), Z7
	EXPCONSTS
	VXORPS Z6, Z6, Z6
	MOVQ CX, DX
	SHRQ $4, DX
	JZ   es16tail

es16loop:
	VMOVUPS (SI), Z0
	VSUBPS Z7, Z0, Z0
	EXP16
	VMOVUPS Z0, (SI)
	VADDPS Z0, Z6, Z6
	ADDQ $64, SI
	DECQ DX
	JNZ  es16loop

es16tail:
	TAILMASK
	JZ   es16sum
	VMOVUPS.Z (SI), K2, Z0
	VSUBPS Z7, Z0, Z0
	EXP16
	VMOVUPS Z0, K2, (SI)
	VADDPS Z0, Z6, K2, Z6

es16sum:
	VEXTRACTF64X4 $1, Z6, Y1
	VADDPS Y1, Y6, Y6
	HSUMY6
	VMOVSS X6, ret+32(FP)
	VZEROUPPER
	RET

// func siluMulAVX512(gate, up []float32)
// gate[i] = gate[i]/(1+exp(-gate[i]))·up[i] for every i < len(gate).
TEXT ·siluMulAVX512(SB), NOSPLIT, $0-48
	MOVQ gate_base+0(FP), SI
	MOVQ gate_len+8(FP), CX
	MOVQ up_base+24(FP), DI
	EXPCONSTS
	MOVQ CX, DX
	SHRQ $4, DX
	JZ   sm16tail

sm16loop:
	VMOVUPS (SI), Z6
	VXORPS Z0, Z0, Z0
	VSUBPS Z6, Z0, Z0
	EXP16
	VADDPS Z26, Z0, Z0
	VDIVPS Z0, Z6, Z6
	VMULPS (DI), Z6, Z6
	VMOVUPS Z6, (SI)
	ADDQ $64, SI
	ADDQ $64, DI
	DECQ DX
	JNZ  sm16loop

sm16tail:
	TAILMASK
	JZ   sm16done
	VMOVUPS.Z (SI), K2, Z6
	VMOVUPS.Z (DI), K2, Z5
	VXORPS Z0, Z0, Z0
	VSUBPS Z6, Z0, Z0
	EXP16
	VADDPS Z26, Z0, Z0
	VDIVPS Z0, Z6, Z6
	VMULPS Z5, Z6, Z6
	VMOVUPS Z6, K2, (SI)

sm16done:
	VZEROUPPER
	RET

// MAXY6 reduces Y6's eight lanes to their largest, in X6's lowest (MAXPS
// keeps the running value on a NaN, as the loops do).
#define MAXY6 \
	VEXTRACTF128 $1, Y6, X1; \
	VMAXPS X6, X1, X6; \
	VPERMILPS $0x4E, X6, X1; \
	VMAXPS X6, X1, X6; \
	VPERMILPS $0xB1, X6, X1; \
	VMAXPS X6, X1, X6

// func max8AVX2(x []float32) float32
// The largest of x (len(x) a multiple of 8, at least 8), as maxAVX512
// finds it on eight lanes.
TEXT ·max8AVX2(SB), NOSPLIT, $0-28
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), DX
	VBROADCASTSS (SI), Y6
	SHRQ $3, DX

mx8loop:
	VMOVUPS (SI), Y0
	VMAXPS Y6, Y0, Y6
	ADDQ $32, SI
	DECQ DX
	JNZ  mx8loop
	MAXY6
	VMOVSS X6, ret+24(FP)
	VZEROUPPER
	RET

// func maxAVX512(x []float32) float32
// The largest of x (len(x) ≥ 1) as maxOf finds it: a NaN is passed over
// unless it is x[0] (every lane starts from x[0], and MAXPS with the new
// value first keeps the running maximum when that value is NaN).
TEXT ·maxAVX512(SB), NOSPLIT, $0-28
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	VBROADCASTSS (SI), Z6
	MOVQ CX, DX
	SHRQ $4, DX
	JZ   mx16tail

mx16loop:
	VMOVUPS (SI), Z0
	VMAXPS Z6, Z0, Z6
	ADDQ $64, SI
	DECQ DX
	JNZ  mx16loop

mx16tail:
	TAILMASK
	JZ   mx16reduce
	VMOVUPS.Z (SI), K2, Z0
	VMAXPS Z6, Z0, K2, Z6

mx16reduce:
	VEXTRACTF64X4 $1, Z6, Y1
	VMAXPS Y6, Y1, Y6
	MAXY6
	VMOVSS X6, ret+24(FP)
	VZEROUPPER
	RET
