//go:build !noasm

#include "textflag.h"
#include "interleaved_amd64.h"

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
// 0x80 bytes (Q8_0); Y0/Y1 the rows' float sums (A/B). Q4_K (at the end)
// has its own.

// IL_AVX2_GROUP(EMPTY) starts a group: activations from the first block,
// no sums; with no blocks, on to EMPTY. IL_AVX2_STORE(NEXT) writes the
// group's sixteen results and goes on to NEXT while groups are left.
#define IL_AVX2_GROUP(EMPTY) \
	MOVQ R12, DI; \
	MOVQ R13, DX; \
	MOVQ R14, BX; \
	MOVQ R11, CX; \
	VXORPS Y0, Y0, Y0; \
	VXORPS Y1, Y1, Y1; \
	TESTQ CX, CX; \
	JZ    EMPTY

#define IL_AVX2_STORE(NEXT) \
	VMOVUPS Y0, (R8); \
	VMOVUPS Y1, 32(R8); \
	ADDQ $64, R8; \
	DECQ R10; \
	JNZ  NEXT

// NIBBLES(WOFF, XLO, XHI, LO, HI): the 32 nibble bytes at WOFF(SI), low
// nibbles times the activation bytes in XLO into LO, high ones times XHI
// into HI (int16 pair sums; LO and HI may be one register).
#define NIBBLES(WOFF, XLO, XHI, LO, HI) \
	VMOVDQU WOFF(SI), Y2; \
	VPSRLW $4, Y2, Y3; \
	VPAND Y15, Y2, Y2; \
	VPAND Y15, Y3, Y3; \
	VPMADDUBSW XLO, Y2, Y2; \
	VPMADDUBSW XHI, Y3, Y3; \
	VPADDW Y2, LO, LO; \
	VPADDW Y3, HI, HI

// IL_AVX2_AHEAD is how far ahead of its reads the Q8_0 kernel prefetches, a
// line per 64-byte unit: about four blocks. Some cores keep too few misses
// in flight for the hardware prefetcher alone to stream Q8_0 weights from
// memory; with this prefetch a product streams about as fast as it runs
// from L2. Q4_0 and Q5_0 read half as many bytes per weight and are not held
// up this way: the same prefetching slowed them down.
#define IL_AVX2_AHEAD 2176

// IL_PROLOGUE loads the arguments; IL_BLOCK_END scales the block's integer
// sums (Y8 for A, Y9 for B) by the rows' f16 scales at (SI) times the
// block's activation scale and adds them to Y0/Y1.
#define IL_PROLOGUE \
	IL_ARGS; \
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
	IL_AVX2_GROUP(q8astore)

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
	IL_AVX2_STORE(q8agroup)

q8adone:
	VZEROUPPER
	RET

// Q4_0: Y6/Y7 collect the block's int16 pair sums (A/B).
// Q4A_UNIT(K): unit K at 32+64K(SI).
#define Q4A_UNIT(K) \
	VPBROADCASTD ((K)*4)(DI), Y4; \
	VPBROADCASTD (16+(K)*4)(DI), Y5; \
	NIBBLES((32+(K)*64), Y4, Y5, Y6, Y6); \
	NIBBLES((64+(K)*64), Y4, Y5, Y7, Y7)

// func gemvQ4_0x16AVX2(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)
TEXT ·gemvQ4_0x16AVX2(SB), NOSPLIT, $0-136
	IL_PROLOGUE
	TESTQ R10, R10
	JZ    q4adone

q4agroup:
	IL_AVX2_GROUP(q4astore)

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
	IL_AVX2_STORE(q4agroup)

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
	IL_AVX2_GROUP(q5astore)

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
	IL_AVX2_STORE(q5agroup)

q5adone:
	VZEROUPPER
	RET

// Q4_K, the VNNI kernel's layout (interleaved_q4_k.go) on AVX2. Per
// 64-value chunk, each half (A: rows 0–7, B: 8–15) sums its two sub-blocks'
// nibble·activation pairs in int16 (Y6/Y7 for A, Y8/Y9 for B: 16 products
// of at most 15·128 a lane, below 2¹⁵), and VPMADDWD against the sub-block's
// 6-bit scale, moved by VPSHUFB into both halves of each row's dword, adds
// the pair sums times the scale into int32 (Y10/Y11). The mins, moved into
// the low half only (the sub-block sums xc are signed), meet the sums'
// broadcast dwords the same way (Y12/Y13). ·k4avx2 holds the VPSHUFB masks
// (scale byte k in both int16 halves, k < 4; min byte k in the low one) and
// the 0x3f and 0x30 bytes of the unpacking. The integers are the generic
// twin's exactly; the floats follow it as the VNNI kernel does.
DATA ·k4avx2+0(SB)/8, $0x8004800480008000
DATA ·k4avx2+8(SB)/8, $0x800c800c80088008
DATA ·k4avx2+16(SB)/8, $0x8004800480008000
DATA ·k4avx2+24(SB)/8, $0x800c800c80088008
DATA ·k4avx2+32(SB)/8, $0x8005800580018001
DATA ·k4avx2+40(SB)/8, $0x800d800d80098009
DATA ·k4avx2+48(SB)/8, $0x8005800580018001
DATA ·k4avx2+56(SB)/8, $0x800d800d80098009
DATA ·k4avx2+64(SB)/8, $0x8006800680028002
DATA ·k4avx2+72(SB)/8, $0x800e800e800a800a
DATA ·k4avx2+80(SB)/8, $0x8006800680028002
DATA ·k4avx2+88(SB)/8, $0x800e800e800a800a
DATA ·k4avx2+96(SB)/8, $0x8007800780038003
DATA ·k4avx2+104(SB)/8, $0x800f800f800b800b
DATA ·k4avx2+112(SB)/8, $0x8007800780038003
DATA ·k4avx2+120(SB)/8, $0x800f800f800b800b
DATA ·k4avx2+128(SB)/8, $0x8080800480808000
DATA ·k4avx2+136(SB)/8, $0x8080800c80808008
DATA ·k4avx2+144(SB)/8, $0x8080800480808000
DATA ·k4avx2+152(SB)/8, $0x8080800c80808008
DATA ·k4avx2+160(SB)/8, $0x8080800580808001
DATA ·k4avx2+168(SB)/8, $0x8080800d80808009
DATA ·k4avx2+176(SB)/8, $0x8080800580808001
DATA ·k4avx2+184(SB)/8, $0x8080800d80808009
DATA ·k4avx2+192(SB)/8, $0x8080800680808002
DATA ·k4avx2+200(SB)/8, $0x8080800e8080800a
DATA ·k4avx2+208(SB)/8, $0x8080800680808002
DATA ·k4avx2+216(SB)/8, $0x8080800e8080800a
DATA ·k4avx2+224(SB)/8, $0x8080800780808003
DATA ·k4avx2+232(SB)/8, $0x8080800f8080800b
DATA ·k4avx2+240(SB)/8, $0x8080800780808003
DATA ·k4avx2+248(SB)/8, $0x8080800f8080800b
DATA ·k4avx2+256(SB)/8, $0x3f3f3f3f3f3f3f3f
DATA ·k4avx2+264(SB)/8, $0x3f3f3f3f3f3f3f3f
DATA ·k4avx2+272(SB)/8, $0x3f3f3f3f3f3f3f3f
DATA ·k4avx2+280(SB)/8, $0x3f3f3f3f3f3f3f3f
DATA ·k4avx2+288(SB)/8, $0x3030303030303030
DATA ·k4avx2+296(SB)/8, $0x3030303030303030
DATA ·k4avx2+304(SB)/8, $0x3030303030303030
DATA ·k4avx2+312(SB)/8, $0x3030303030303030
GLOBL ·k4avx2(SB), RODATA|NOPTR, $320

// K4A_UNIT(QOFF, XLO, XHI): the nibble unit at QOFF(SI), both halves, low
// nibbles against activation bytes XLO…XLO+3, high ones against XHI…XHI+3;
// the same unit of the next super-block is fetched meanwhile.
#define K4A_UNIT(QOFF, XLO, XHI) \
	PREFETCHT0 (QOFF+2304)(SI); \
	VPBROADCASTD XLO(DI), Y4; \
	VPBROADCASTD XHI(DI), Y5; \
	NIBBLES(QOFF, Y4, Y5, Y6, Y7); \
	NIBBLES((QOFF+32), Y4, Y5, Y8, Y9)

// K4A_WEIGH(SC, M, LO, HI, SQ, SM, K0, K1, XC0, XC1): SQ += the int16 pair
// sums LO and HI times the scale bytes that masks K0 and K1 of ·k4avx2
// (byte offsets) pick from SC; SM += the min bytes that masks K0+128 and
// K1+128 pick from M times the sub-block sums at XC0, XC1(BX). Clobbers
// Y2–Y5 (M may be Y4: it is read first).
#define K4A_WEIGH(SC, M, LO, HI, SQ, SM, K0, K1, MK0, MK1, XC0, XC1) \
	VPSHUFB ·k4avx2+K0(SB), SC, Y2; \
	VPSHUFB ·k4avx2+K1(SB), SC, Y3; \
	VPMADDWD Y2, LO, Y2; \
	VPMADDWD Y3, HI, Y3; \
	VPADDD Y2, SQ, SQ; \
	VPADDD Y3, SQ, SQ; \
	VPSHUFB ·k4avx2+MK0(SB), M, Y2; \
	VPSHUFB ·k4avx2+MK1(SB), M, Y3; \
	VPBROADCASTD XC0(BX), Y4; \
	VPBROADCASTD XC1(BX), Y5; \
	VPMADDWD Y4, Y2, Y2; \
	VPMADDWD Y5, Y3, Y3; \
	VPADDD Y2, SM, SM; \
	VPADDD Y3, SM, SM

// K4A_LOWSC(H, ...): sub-blocks 0–3 of half H (0 or 32): scales D0&63 (Y14),
// mins D1&63 (Y4); Dn is the rows' scale bytes 4n…4n+3, at 64+64n+H(SI).
#define K4A_LOWSC(H, LO, HI, SQ, SM, K0, K1, MK0, MK1, XC0, XC1) \
	VMOVDQU (64+H)(SI), Y14; \
	VPAND ·k4avx2+256(SB), Y14, Y14; \
	VMOVDQU (128+H)(SI), Y4; \
	VPAND ·k4avx2+256(SB), Y4, Y4; \
	K4A_WEIGH(Y14, Y4, LO, HI, SQ, SM, K0, K1, MK0, MK1, XC0, XC1)

// K4A_HIGHSC(H, ...): sub-blocks 4–7: scales (D2&15)|(D0>>6)<<4 (Y14),
// mins (D2>>4)|(D1>>6)<<4 (Y4).
#define K4A_HIGHSC(H, LO, HI, SQ, SM, K0, K1, MK0, MK1, XC0, XC1) \
	K4_AVX2_HIGHSC(H, Y14, Y4, Y2, Y3); \
	K4A_WEIGH(Y14, Y4, LO, HI, SQ, SM, K0, K1, MK0, MK1, XC0, XC1)

// K4A_CHUNK(Q, X): the eight nibble units of a 64-value chunk (at Q(SI);
// activations from X(DI)) into fresh int16 sums Y6–Y9.
#define K4A_CHUNK(Q, X) \
	VPXOR Y6, Y6, Y6; \
	VPXOR Y7, Y7, Y7; \
	VPXOR Y8, Y8, Y8; \
	VPXOR Y9, Y9, Y9; \
	K4A_UNIT(Q, X, (X)+32); \
	K4A_UNIT((Q)+64, (X)+4, (X)+36); \
	K4A_UNIT((Q)+128, (X)+8, (X)+40); \
	K4A_UNIT((Q)+192, (X)+12, (X)+44); \
	K4A_UNIT((Q)+256, (X)+16, (X)+48); \
	K4A_UNIT((Q)+320, (X)+20, (X)+52); \
	K4A_UNIT((Q)+384, (X)+24, (X)+56); \
	K4A_UNIT((Q)+448, (X)+28, (X)+60)

// K4A_FINISH(ACC, SQ, SM, DOFF, MOFF): ACC += float(SQ)·d·xd, then −=
// float(SM)·dmin·xd, with the half's f16 d at DOFF(SI), dmin at MOFF(SI)
// and xd in Y3, in the generic twin's order.
#define K4A_FINISH(ACC, SQ, SM, DOFF, MOFF) \
	VCVTDQ2PS SQ, SQ; \
	VCVTPH2PS DOFF(SI), Y2; \
	VMULPS Y3, Y2, Y2; \
	VFMADD231PS Y2, SQ, ACC; \
	VCVTDQ2PS SM, SM; \
	VCVTPH2PS MOFF(SI), Y2; \
	VMULPS Y3, Y2, Y2; \
	VFNMADD231PS Y2, SM, ACC

// func gemvQ4_Kx16AVX2(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32)
TEXT ·gemvQ4_Kx16AVX2(SB), NOSPLIT, $0-136
	IL_PROLOGUE
	TESTQ R10, R10
	JZ    k4adone

k4agroup:
	IL_AVX2_GROUP(k4astore)

k4ablock:
	PREFETCHT0 2304(SI)
	PREFETCHT0 2368(SI)
	PREFETCHT0 2432(SI)
	PREFETCHT0 2496(SI)
	VPXOR Y10, Y10, Y10
	VPXOR Y11, Y11, Y11
	VPXOR Y12, Y12, Y12
	VPXOR Y13, Y13, Y13
	K4A_CHUNK(256, 0)
	K4A_LOWSC(0, Y6, Y7, Y10, Y12, 0, 32, 128, 160, 0, 4)
	K4A_LOWSC(32, Y8, Y9, Y11, Y13, 0, 32, 128, 160, 0, 4)
	K4A_CHUNK(768, 64)
	K4A_LOWSC(0, Y6, Y7, Y10, Y12, 64, 96, 192, 224, 8, 12)
	K4A_LOWSC(32, Y8, Y9, Y11, Y13, 64, 96, 192, 224, 8, 12)
	K4A_CHUNK(1280, 128)
	K4A_HIGHSC(0, Y6, Y7, Y10, Y12, 0, 32, 128, 160, 16, 20)
	K4A_HIGHSC(32, Y8, Y9, Y11, Y13, 0, 32, 128, 160, 16, 20)
	K4A_CHUNK(1792, 192)
	K4A_HIGHSC(0, Y6, Y7, Y10, Y12, 64, 96, 192, 224, 24, 28)
	K4A_HIGHSC(32, Y8, Y9, Y11, Y13, 64, 96, 192, 224, 24, 28)
	VBROADCASTSS (DX), Y3
	K4A_FINISH(Y0, Y10, Y12, 0, 32)
	K4A_FINISH(Y1, Y11, Y13, 16, 48)
	ADDQ $2304, SI
	ADDQ $256, DI
	ADDQ $4, DX
	ADDQ $32, BX
	DECQ CX
	JNZ  k4ablock

k4astore:
	IL_AVX2_STORE(k4agroup)

k4adone:
	VZEROUPPER
	RET
