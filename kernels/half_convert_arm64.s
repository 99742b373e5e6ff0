//go:build !noasm

#include "textflag.h"

// Halves and float32 for an F16 KV cache (half_convert.go), eight values a
// step. FCVTL/FCVTL2 and FCVTN/FCVTN2 are WORD-encoded (the comment is the
// instruction in ARM syntax); FCVTN rounds as FPCR says, to nearest even
// as Go leaves it.

// EIGHTS runs BODY for R2/8 groups of eight values, then returns.
#define EIGHTS(loop, done, BODY) \
	LSR	$3, R2, R2; \
	CBZ	R2, done; \
loop: \
	BODY; \
	SUB	$1, R2; \
	CBNZ	R2, loop; \
done: \
	RET

// WIDEN8 widens eight halves from R0 to float32s at R1, exactly.
#define WIDEN8 \
	VLD1.P	16(R0), [V0.H8]; \
	WORD	$0x0e217801; \
	WORD	$0x4e217802; \
	VST1.P	[V1.S4, V2.S4], 32(R1)

// NARROW8 rounds eight float32s from R0 to halves at R1.
#define NARROW8 \
	VLD1.P	32(R0), [V1.S4, V2.S4]; \
	WORD	$0x0e216820; \
	WORD	$0x4e216840; \
	VST1.P	[V0.H8], 16(R1)

// The WORDs: FCVTL V1.4S, V0.4H; FCVTL2 V2.4S, V0.8H (WIDEN8); FCVTN
// V0.4H, V1.4S; FCVTN2 V0.8H, V2.4S (NARROW8).

// func widenF16x8NEON(src []uint16, dst []float32)
TEXT ·widenF16x8NEON(SB), NOSPLIT, $0-48
	MOVD	src_base+0(FP), R0
	MOVD	dst_base+24(FP), R1
	MOVD	dst_len+32(FP), R2
	EIGHTS(wloop, wdone, WIDEN8)

// func narrowF16x8NEON(src []float32, dst []uint16)
TEXT ·narrowF16x8NEON(SB), NOSPLIT, $0-48
	MOVD	src_base+0(FP), R0
	MOVD	src_len+8(FP), R2
	MOVD	dst_base+24(FP), R1
	EIGHTS(nloop, ndone, NARROW8)
