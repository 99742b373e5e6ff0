//go:build !noasm

#include "textflag.h"
#include "interleaved_amd64.h"

// The interleaved matrix-vector products (interleaved.go) on AVX-512 with
// VNNI: the sixteen lanes of a register are sixteen rows. Q8_0: per block,
// eight VPDPBUSDs multiply a 64-byte unit (four unsigned quants of each row)
// by four activation bytes broadcast to every lane; the two integer chains
// start from −128·Σx of the block, are added, converted, and scaled by the
// rows' f16 scales times the block's activation scale, in one FMA into the
// rows' sums. Nothing crosses lanes.

// The frame every interleaved kernel shares. SI walks the weights, DI the
// activations, DX their scales, BX the per-block terms (xc), CX counts the
// blocks of a group and R10 the groups; Z0 holds the sixteen rows' sums.

// IL_GROUP starts a group: its activations from the first block, no sums.
#define IL_GROUP \
	MOVQ R12, DI; \
	MOVQ R13, DX; \
	MOVQ R14, BX; \
	MOVQ R11, CX; \
	VXORPS Z0, Z0, Z0

// IL_SCALE(ACC, SOFF): Z0 += float(ACC) times the rows' f16 scales at
// SOFF(SI) times the block's activation scale (clobbers ACC, Z4).
#define IL_SCALE(ACC, SOFF) \
	VCVTDQ2PS ACC, ACC; \
	VCVTPH2PS SOFF(SI), Z4; \
	VMULPS.BCST (DX), Z4, Z4; \
	VFMADD231PS Z4, ACC, Z0

// IL_NEXT(WBYTES, XBYTES, CBYTES) moves on to the next block.
#define IL_NEXT(WBYTES, XBYTES, CBYTES) \
	ADDQ $(WBYTES), SI; \
	ADDQ $(XBYTES), DI; \
	ADDQ $4, DX; \
	ADDQ $(CBYTES), BX

// UNIT(K, ACC): unit K of the block at SI against activation bytes 4K…4K+3.
#define UNIT(K, ACC) \
	VMOVDQU32 (32+(K)*64)(SI), Z3; \
	VPDPBUSD.BCST ((K)*4)(DI), Z3, ACC

// func gemvQ8_0x16AVX512(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)
TEXT ·gemvQ8_0x16AVX512(SB), NOSPLIT, $0-136
	IL_ARGS
	TESTQ R10, R10
	JZ    q8done

q8group:
	IL_GROUP
	TESTQ CX, CX
	JZ    q8store

q8block:
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
	IL_SCALE(Z1, 0)
	IL_NEXT(544, 32, 4)
	DECQ CX
	JNZ  q8block

q8store:
	VMOVUPS Z0, (R8)
	ADDQ $64, R8
	DECQ R10
	JNZ  q8group

q8done:
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
	IL_ARGS
	MOVL $0x0f0f0f0f, AX
	VPBROADCASTD AX, Z15
	TESTQ R10, R10
	JZ    q4done

q4group:
	IL_GROUP
	TESTQ CX, CX
	JZ    q4store

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
	IL_SCALE(Z1, 0)
	IL_NEXT(288, 32, 4)
	DECQ CX
	JNZ  q4block

q4store:
	VMOVUPS Z0, (R8)
	ADDQ $64, R8
	DECQ R10
	JNZ  q4group

q4done:
	VZEROUPPER
	RET

// Q4_K: per super-block, the rows' twelve scale bytes are three dword units
// (D0, D1, D2); in every byte of a lane, sub-block j < 4 has scale D0&63
// and min D1&63, sub-block j+4 scale (D2&15)|(D0>>6)<<4 and min
// (D2>>4)|(D1>>6)<<4: Z19/Z20 hold the four low scales/mins, Z21/Z23 the
// high ones, a byte per sub-block. Each 64-value chunk sums its two
// sub-blocks in two VPDPBUSD chains (Z1, Z2), weighs them by their scales
// into Z24, and the mins times the activations' sub-block sums into Z25.
// Z15 = 0x0f, Z14 = 0x3f, Z13 = 0x30 in every byte, Z12 = 0xff per dword.

// K4UNIT(QOFF, XLO, XHI): the nibble unit at QOFF(SI), low nibbles against
// activation bytes XLO…XLO+3, high ones against XHI…XHI+3; the same unit of
// the next super-block is fetched meanwhile.
#define K4UNIT(QOFF, XLO, XHI) \
	PREFETCHT0 (QOFF+2304)(SI); \
	VMOVDQU32 QOFF(SI), Z3; \
	VPSRLW $4, Z3, Z5; \
	VPANDD Z15, Z3, Z3; \
	VPANDD Z15, Z5, Z5; \
	VPDPBUSD.BCST XLO(DI), Z3, Z1; \
	VPDPBUSD.BCST XHI(DI), Z5, Z2

// K4WEIGH(SC, M, SH0, SH1, XC0, XC1): Z24 += scale bytes SH0/8, SH1/8 of SC
// times Z1, Z2; Z25 += the mins' times the sub-block sums at XC0, XC1(BX).
#define K4WEIGH(SC, M, SH0, SH1, XC0, XC1) \
	VPSRLD $(SH0), SC, Z6; \
	VPANDD Z12, Z6, Z6; \
	VPSRLD $(SH1), SC, Z7; \
	VPANDD Z12, Z7, Z7; \
	VPMULLD Z6, Z1, Z1; \
	VPMULLD Z7, Z2, Z2; \
	VPADDD Z1, Z24, Z24; \
	VPADDD Z2, Z24, Z24; \
	VPSRLD $(SH0), M, Z6; \
	VPANDD Z12, Z6, Z6; \
	VPSRLD $(SH1), M, Z7; \
	VPANDD Z12, Z7, Z7; \
	VPMULLD.BCST XC0(BX), Z6, Z6; \
	VPMULLD.BCST XC1(BX), Z7, Z7; \
	VPADDD Z6, Z25, Z25; \
	VPADDD Z7, Z25, Z25

// K4CONSTS sets the masks of the Q4_K kernel (Z12–Z15).
#define K4CONSTS \
	MOVL $0x0f0f0f0f, AX; \
	VPBROADCASTD AX, Z15; \
	MOVL $0x3f3f3f3f, AX; \
	VPBROADCASTD AX, Z14; \
	MOVL $0x30303030, AX; \
	VPBROADCASTD AX, Z13; \
	MOVL $0xff, AX; \
	VPBROADCASTD AX, Z12

// K4SCALES unpacks the super-block's scales and mins (Z19–Z23) and clears
// the integer totals (Z24, Z25).
#define K4SCALES \
	K4_UNPACK_SCALES; \
	VPXORD Z24, Z24, Z24; \
	VPXORD Z25, Z25, Z25

// K4FINISH adds d·xd times the weighed sums and subtracts dmin·xd times the
// mins' terms.
#define K4FINISH \
	IL_SCALE(Z24, 0); \
	VCVTDQ2PS Z25, Z2; \
	VCVTPH2PS 32(SI), Z5; \
	VMULPS.BCST (DX), Z5, Z5; \
	VFNMADD231PS Z5, Z2, Z0

// func gemvQ4_Kx16AVX512(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)
TEXT ·gemvQ4_Kx16AVX512(SB), NOSPLIT, $0-136
	IL_ARGS
	K4CONSTS
	TESTQ R10, R10
	JZ    k4done

k4group:
	IL_GROUP
	TESTQ CX, CX
	JZ    k4store

k4block:
	// The next super-block, a line per unit as this one is read: without
	// it the kernel waits on memory when it streams a large matrix.
	PREFETCHT0 2304(SI)
	PREFETCHT0 2368(SI)
	PREFETCHT0 2432(SI)
	PREFETCHT0 2496(SI)
	K4SCALES
	// Chunk 0: sub-blocks 0 (low nibbles) and 1 (high).
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	K4UNIT(256, 0, 32)
	K4UNIT(320, 4, 36)
	K4UNIT(384, 8, 40)
	K4UNIT(448, 12, 44)
	K4UNIT(512, 16, 48)
	K4UNIT(576, 20, 52)
	K4UNIT(640, 24, 56)
	K4UNIT(704, 28, 60)
	K4WEIGH(Z19, Z20, 0, 8, 0, 4)
	// Chunk 1: sub-blocks 2 (low nibbles) and 3 (high).
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	K4UNIT(768, 64, 96)
	K4UNIT(832, 68, 100)
	K4UNIT(896, 72, 104)
	K4UNIT(960, 76, 108)
	K4UNIT(1024, 80, 112)
	K4UNIT(1088, 84, 116)
	K4UNIT(1152, 88, 120)
	K4UNIT(1216, 92, 124)
	K4WEIGH(Z19, Z20, 16, 24, 8, 12)
	// Chunk 2: sub-blocks 4 (low nibbles) and 5 (high).
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	K4UNIT(1280, 128, 160)
	K4UNIT(1344, 132, 164)
	K4UNIT(1408, 136, 168)
	K4UNIT(1472, 140, 172)
	K4UNIT(1536, 144, 176)
	K4UNIT(1600, 148, 180)
	K4UNIT(1664, 152, 184)
	K4UNIT(1728, 156, 188)
	K4WEIGH(Z21, Z23, 0, 8, 16, 20)
	// Chunk 3: sub-blocks 6 (low nibbles) and 7 (high).
	VPXORD Z1, Z1, Z1
	VPXORD Z2, Z2, Z2
	K4UNIT(1792, 192, 224)
	K4UNIT(1856, 196, 228)
	K4UNIT(1920, 200, 232)
	K4UNIT(1984, 204, 236)
	K4UNIT(2048, 208, 240)
	K4UNIT(2112, 212, 244)
	K4UNIT(2176, 216, 248)
	K4UNIT(2240, 220, 252)
	K4WEIGH(Z21, Z23, 16, 24, 24, 28)
	K4FINISH
	IL_NEXT(2304, 256, 32)
	DECQ CX
	JNZ  k4block

k4store:
	VMOVUPS Z0, (R8)
	ADDQ $64, R8
	DECQ R10
	JNZ  k4group

k4done:
	VZEROUPPER
	RET

// Q5_0: Q4_0's nibble units plus a dword of fifth bits per row (Z16),
// arranged so that unit K's low-nibble bits are bit K of each byte and its
// high-nibble bits bit 4+K: shifted to bit 4 and masked (Z13 = 0x10 in
// every byte), they are ORed into the nibbles. The offset is 16.

// Q5UNIT(K): unit K of the block at SI.
#define Q5UNIT(K) \
	VMOVDQU32 (96+(K)*64)(SI), Z3; \
	VPSRLW $4, Z3, Z5; \
	VPANDD Z15, Z3, Z3; \
	VPANDD Z15, Z5, Z5; \
	VPSLLD $(4-(K)), Z16, Z6; \
	VPSRLD $(K), Z16, Z7; \
	VPTERNLOGD $0xf8, Z13, Z6, Z3; \
	VPTERNLOGD $0xf8, Z13, Z7, Z5; \
	VPDPBUSD.BCST ((K)*4)(DI), Z3, Z1; \
	VPDPBUSD.BCST (16+(K)*4)(DI), Z5, Z2

// func gemvQ5_0x16AVX512(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)
TEXT ·gemvQ5_0x16AVX512(SB), NOSPLIT, $0-136
	IL_ARGS
	MOVL $0x0f0f0f0f, AX
	VPBROADCASTD AX, Z15
	MOVL $0x10101010, AX
	VPBROADCASTD AX, Z13
	TESTQ R10, R10
	JZ    q5done

q5group:
	IL_GROUP
	TESTQ CX, CX
	JZ    q5store

q5block:
	PREFETCHT0 1408(SI)
	PREFETCHT0 1472(SI)
	PREFETCHT0 1536(SI)
	PREFETCHT0 1600(SI)
	PREFETCHT0 1664(SI)
	PREFETCHT0 1728(SI)
	VMOVDQU32 32(SI), Z16
	VPBROADCASTD (BX), Z1
	VPXORD Z2, Z2, Z2
	Q5UNIT(0)
	Q5UNIT(1)
	Q5UNIT(2)
	Q5UNIT(3)
	VPADDD Z2, Z1, Z1
	IL_SCALE(Z1, 0)
	IL_NEXT(352, 32, 4)
	DECQ CX
	JNZ  q5block

q5store:
	VMOVUPS Z0, (R8)
	ADDQ $64, R8
	DECQ R10
	JNZ  q5group

q5done:
	VZEROUPPER
	RET

// Q6_K: per super-block, each 16-value sub-block's six-bit values are put
// together in the lanes from a ql unit (low four bits) and a qh unit (top two
// bits, moved to bits 4–5 by one shift and a ternary-logic OR; Z13 = 0x30
// in every byte), summed by VPDPBUSD from −32·Σx of the sub-block, and
// weighed by the rows' int8 scales (a byte of Z20–Z23 sign-extended in
// place) into Z24. Z15 = 0x0f in every byte.

// Q6QUAD(AOFF, BOFF, HOFF, X1, X2, X3, X4): four values of four sub-blocks
// (Z16–Z19) from the ql units at AOFF and BOFF and the qh unit at HOFF,
// fetching the same units of the next super-block meanwhile.
#define Q6QUAD(AOFF, BOFF, HOFF, X1, X2, X3, X4) \
	PREFETCHT0 (AOFF+3360)(SI); \
	PREFETCHT0 (BOFF+3360)(SI); \
	PREFETCHT0 (HOFF+3360)(SI); \
	VMOVDQU32 AOFF(SI), Z3; \
	VMOVDQU32 BOFF(SI), Z5; \
	VMOVDQU32 HOFF(SI), Z6; \
	VPANDD Z15, Z3, Z7; \
	VPSLLD $4, Z6, Z8; \
	VPTERNLOGD $0xf8, Z13, Z8, Z7; \
	VPDPBUSD.BCST X1(DI), Z7, Z16; \
	VPANDD Z15, Z5, Z7; \
	VPSLLD $2, Z6, Z8; \
	VPTERNLOGD $0xf8, Z13, Z8, Z7; \
	VPDPBUSD.BCST X2(DI), Z7, Z17; \
	VPSRLW $4, Z3, Z7; \
	VPANDD Z15, Z7, Z7; \
	VPTERNLOGD $0xf8, Z13, Z6, Z7; \
	VPDPBUSD.BCST X3(DI), Z7, Z18; \
	VPSRLW $4, Z5, Z7; \
	VPANDD Z15, Z7, Z7; \
	VPSRLD $2, Z6, Z8; \
	VPTERNLOGD $0xf8, Z13, Z8, Z7; \
	VPDPBUSD.BCST X4(DI), Z7, Z19

// Q6WEIGH(ACC, S, SH): Z24 += ACC times the scale byte that a left shift
// by SH brings to the top of each lane of S.
#define Q6WEIGH(ACC, S, SH) \
	VPSLLD $(SH), S, Z9; \
	VPSRAD $24, Z9, Z9; \
	VPMULLD Z9, ACC, ACC; \
	VPADDD ACC, Z24, Z24

// func gemvQ6_Kx16AVX512(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)
TEXT ·gemvQ6_Kx16AVX512(SB), NOSPLIT, $0-136
	IL_ARGS
	MOVL $0x0f0f0f0f, AX
	VPBROADCASTD AX, Z15
	MOVL $0x30303030, AX
	VPBROADCASTD AX, Z13
	TESTQ R10, R10
	JZ    k6done

k6group:
	IL_GROUP
	TESTQ CX, CX
	JZ    k6store

k6block:
	// The next super-block, as Q4_K's kernel fetches it.
	PREFETCHT0 3360(SI)
	PREFETCHT0 3424(SI)
	PREFETCHT0 3488(SI)
	PREFETCHT0 3552(SI)
	PREFETCHT0 3616(SI)
	VMOVDQU32 32(SI), Z20
	VMOVDQU32 96(SI), Z21
	VMOVDQU32 160(SI), Z22
	VMOVDQU32 224(SI), Z23
	VPXORD Z24, Z24, Z24
	// Half 0, values 0…15 of each 32: sub-blocks 0, 2, 4, 6.
	VPBROADCASTD 0(BX), Z16
	VPBROADCASTD 8(BX), Z17
	VPBROADCASTD 16(BX), Z18
	VPBROADCASTD 24(BX), Z19
	Q6QUAD(288, 352, 416, 0, 32, 64, 96)
	Q6QUAD(480, 544, 608, 4, 36, 68, 100)
	Q6QUAD(672, 736, 800, 8, 40, 72, 104)
	Q6QUAD(864, 928, 992, 12, 44, 76, 108)
	Q6WEIGH(Z16, Z20, 24)
	Q6WEIGH(Z17, Z20, 8)
	Q6WEIGH(Z18, Z21, 24)
	Q6WEIGH(Z19, Z21, 8)
	// Half 0, values 16…31 of each 32: sub-blocks 1, 3, 5, 7.
	VPBROADCASTD 4(BX), Z16
	VPBROADCASTD 12(BX), Z17
	VPBROADCASTD 20(BX), Z18
	VPBROADCASTD 28(BX), Z19
	Q6QUAD(1056, 1120, 1184, 16, 48, 80, 112)
	Q6QUAD(1248, 1312, 1376, 20, 52, 84, 116)
	Q6QUAD(1440, 1504, 1568, 24, 56, 88, 120)
	Q6QUAD(1632, 1696, 1760, 28, 60, 92, 124)
	Q6WEIGH(Z16, Z20, 16)
	Q6WEIGH(Z17, Z20, 0)
	Q6WEIGH(Z18, Z21, 16)
	Q6WEIGH(Z19, Z21, 0)
	// Half 1, values 0…15 of each 32: sub-blocks 8, 10, 12, 14.
	VPBROADCASTD 32(BX), Z16
	VPBROADCASTD 40(BX), Z17
	VPBROADCASTD 48(BX), Z18
	VPBROADCASTD 56(BX), Z19
	Q6QUAD(1824, 1888, 1952, 128, 160, 192, 224)
	Q6QUAD(2016, 2080, 2144, 132, 164, 196, 228)
	Q6QUAD(2208, 2272, 2336, 136, 168, 200, 232)
	Q6QUAD(2400, 2464, 2528, 140, 172, 204, 236)
	Q6WEIGH(Z16, Z22, 24)
	Q6WEIGH(Z17, Z22, 8)
	Q6WEIGH(Z18, Z23, 24)
	Q6WEIGH(Z19, Z23, 8)
	// Half 1, values 16…31 of each 32: sub-blocks 9, 11, 13, 15.
	VPBROADCASTD 36(BX), Z16
	VPBROADCASTD 44(BX), Z17
	VPBROADCASTD 52(BX), Z18
	VPBROADCASTD 60(BX), Z19
	Q6QUAD(2592, 2656, 2720, 144, 176, 208, 240)
	Q6QUAD(2784, 2848, 2912, 148, 180, 212, 244)
	Q6QUAD(2976, 3040, 3104, 152, 184, 216, 248)
	Q6QUAD(3168, 3232, 3296, 156, 188, 220, 252)
	Q6WEIGH(Z16, Z22, 16)
	Q6WEIGH(Z17, Z22, 0)
	Q6WEIGH(Z18, Z23, 16)
	Q6WEIGH(Z19, Z23, 0)
	IL_SCALE(Z24, 0)
	IL_NEXT(3360, 256, 64)
	DECQ CX
	JNZ  k6block

k6store:
	VMOVUPS Z0, (R8)
	ADDQ $64, R8
	DECQ R10
	JNZ  k6group

k6done:
	VZEROUPPER
	RET
