//go:build !noasm

#include "textflag.h"

// Halves and float32 for an F16 KV cache (half_convert.go), eight values a
// step. FCVTL/FCVTL2 and FCVTN/FCVTN2 are WORD-encoded (the comment is the
// instruction in ARM syntax); FCVTN rounds as FPCR says, to nearest even
// as Go leaves it.

// func widenF16x8NEON(src []uint16, dst []float32)
// len(dst)/8 groups of eight halves to float32, exactly.
TEXT ·widenF16x8NEON(SB), NOSPLIT, $0-48
	MOVD	src_base+0(FP), R0
	MOVD	dst_base+24(FP), R1
	MOVD	dst_len+32(FP), R2
	LSR	$3, R2, R2
	CBZ	R2, wdone
wloop:
	VLD1.P	16(R0), [V0.H8]
	WORD	$0x0e217801	// FCVTL V1.4S, V0.4H
	WORD	$0x4e217802	// FCVTL2 V2.4S, V0.8H
	VST1.P	[V1.S4, V2.S4], 32(R1)
	SUB	$1, R2
	CBNZ	R2, wloop
wdone:
	RET

// func narrowF16x8NEON(src []float32, dst []uint16)
// len(src)/8 groups of eight floats to halves.
TEXT ·narrowF16x8NEON(SB), NOSPLIT, $0-48
	MOVD	src_base+0(FP), R0
	MOVD	src_len+8(FP), R2
	MOVD	dst_base+24(FP), R1
	LSR	$3, R2, R2
	CBZ	R2, ndone
nloop:
	VLD1.P	32(R0), [V1.S4, V2.S4]
	WORD	$0x0e216820	// FCVTN V0.4H, V1.4S
	WORD	$0x4e216840	// FCVTN2 V0.8H, V2.4S
	VST1.P	[V0.H8], 16(R1)
	SUB	$1, R2
	CBNZ	R2, nloop
ndone:
	RET
