//go:build !noasm

package kernels

import "github.com/klauspost/cpuid/v2"

// The arm64 build has NEON kernels (Advanced SIMD is part of every ARMv8-A
// core that Go supports; level.go still asks cpuid before using them).
//
// Files: vec_arm64.s (dot, axpy, scale, sum, FMA probe), gemm_arm64.s (8×12
// GEMM tile), quant_arm64.s (Q8_0, Q4_0, Q4_K, Q5_K, Q6_K dots),
// interleaved_arm64.s (generation's Q8_0, Q4_0, Q5_0 products),
// interleaved_gemm_arm64.s (their batched twins, prompts'), half_arm64.s
// (F16, BF16 dots), half_convert_arm64.s (an F16 KV cache's rows), ops_arm64.s (exp, SiLU·mul), attention_one_arm64.s (one
// query's scores and weighted sum of V). The Go assembler knows only
// part of Advanced SIMD, so vector FADD/FMUL/FDIV, the by-element forms, SDOT,
// SMULL, SADALP, FCVTL, SCVTF and the like are WORD directives; the comment
// on each WORD is the instruction in ARM syntax, and GNU as
// (aarch64-linux-gnu-as, with .arch armv8.2-a+dotprod) reproduces every
// encoding from it.
const asmAvailable = true

func hasLevel(l Level) bool { return l == NEON }

// useSDOT selects the integer dot-product kernels that use SDOT (ARMv8.2
// dot-product extension, cpuid.ASIMDDP). Without it the quantised dots widen
// with SMULL and accumulate pairs with SADALP. It is read by installArch, so
// tests can flip it and call SetLevel(NEON) to exercise both paths.
var useSDOT = cpuid.CPU.Supports(cpuid.ASIMDDP)

// installArch overwrites the kernels this build has NEON assembly for.
func installArch(l Level, s *kernelSet) {
	if l != NEON {
		return
	}
	s.dot, s.axpy, s.scale, s.sum, s.peakFMA = dotNEON, axpyNEON, scaleNEON, sumNEON, peakFMANEON
	s.gemmMR, s.gemmNR, s.gemmMicro = 8, 12, gemmMicro8x12NEON
	s.dotF16, s.dotBF16 = dotF16NEON, dotBF16NEON
	s.widenF16, s.narrowF16, s.widenF16Rows = widenF16NEON, narrowF16NEON, widenF16RowsNEON
	s.expShift, s.siluMul = expShiftNEON, siluMulNEON
	s.attnOneWidth, s.attnScores, s.attnMix = 4, attnScoresNEON, attnMixNEON
	if useSDOT {
		s.dotQ8_0, s.dotQ4_0 = dotQ8_0SDOT, dotQ4_0SDOT
		s.dotQ4_K, s.dotQ5_K, s.dotQ6_K = dotQ4_KSDOT, dotQ5_KSDOT, dotQ6_KSDOT
		s.gemvQ8_0x16, s.gemvQ4_0x16, s.gemvQ5_0x16 = gemvQ8_0x16SDOT, gemvQ4_0x16SDOT, gemvQ5_0x16SDOT
		s.gemmQ8_0x16, s.gemmQ4_0x16 = ilGemm{gemmQ8_0x16x4SDOT, 4}, ilGemm{gemmQ4_0x16x4SDOT, 4}
		s.gemmQ5_0x16 = ilGemm{gemmQ5_0x16x4SDOT, 4}
	} else {
		s.dotQ8_0, s.dotQ4_0 = dotQ8_0Widen, dotQ4_0Widen
		s.dotQ4_K, s.dotQ5_K, s.dotQ6_K = dotQ4_KWiden, dotQ5_KWiden, dotQ6_KWiden
	}
}
