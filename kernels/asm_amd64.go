//go:build !noasm

package kernels

import "github.com/klauspost/cpuid/v2"

// amd64 has AVX2+FMA and AVX-512 kernels in Go assembly (*_amd64.s).
const asmAvailable = true

func hasLevel(l Level) bool { return l == AVX2 || l == AVX512 }

// installArch fills the table for AVX2 or AVX512. AVX-512 uses its own f32
// and GEMM kernels; its quantised dots use VPDPBUSD when the CPU has VNNI
// and the AVX2 integer path otherwise.
func installArch(l Level, s *kernelSet) {
	if l != AVX2 && l != AVX512 {
		return
	}
	s.dot, s.axpy, s.scale, s.sum, s.peakFMA = dotAVX2, axpyAVX2, scaleAVX2, sumAVX2, peakFMAAVX2
	s.scaleNormal = scaleNormalAVX2
	s.gemmMR, s.gemmNR, s.gemmMicro = 6, 16, gemmMicro6x16AVX2
	s.gemmWTRows, s.gemmWTTokens, s.gemmWT = 6, 16, gemmWT6x16AVX2
	s.dotQ8_0, s.dotQ4_0 = dotQ8_0AVX2, dotQ4_0AVX2
	s.dotQ5_0, s.dotQ4_1, s.dotQ5_1 = dotQ5_0AVX2, dotQ4_1AVX2, dotQ5_1AVX2
	s.dotQ4_K, s.dotQ5_K, s.dotQ6_K = dotQ4_KAVX2, dotQ5_KAVX2, dotQ6_KAVX2
	// The AVX2 level requires F16C (level.go): the quantised dots widen
	// their f16 scales with VCVTPH2PS too.
	s.dotF16, s.dotBF16 = dotF16AVX2, dotBF16AVX2
	s.transpose, s.packPanel, s.dequantQ8_0 = transposeAVX2, packPanelAVX2, dequantQ8_0AVX2
	s.packStrips = packStripsChecked
	s.dequantQ4_0, s.dequantQ5_0, s.dequantF16 = dequantQ4_0AVX2, dequantQ5_0AVX2, dequantF16AVX2
	s.dequantQ4_K, s.dequantQ6_K = dequantQ4_KAVX2, dequantQ6_KAVX2
	s.quantizeQ8, s.quantizeQ8K = quantizeQ8AVX2, quantizeQ8KAVX2
	s.expShift, s.siluMul, s.max = expShiftAVX2, siluMulAVX2, maxAVX2
	s.expScaled, s.swiglu, s.swigluBack = expScaledAVX2, swigluAVX2, swigluBackAVX2
	s.softmaxGrad = softmaxGradAVX2
	s.sumSquares16, s.scaleMul = sumSquares16AVX2, scaleMulAVX2
	s.ropePairs, s.ropeHalves = ropePairsAVX2, ropeHalvesAVX2
	s.attnOneWidth, s.attnScores, s.attnMix = 8, attnScoresAVX2, attnMixAVX2
	s.attnMix3 = attnMix3AVX2 // at both levels: any multiple of 8 dimensions
	s.attnScoresF16, s.attnMixF16 = attnScoresF16AVX2, attnMixF16AVX2
	s.widenF16, s.narrowF16, s.widenF16Rows = widenF16AVX2, narrowF16AVX2, widenF16RowsAVX2
	s.dequantQ8Rows = dequantQ8RowsAVX2
	s.transposeHalves = transposeHalvesAVX
	s.gemvQ8_0x16, s.gemvQ4_0x16, s.gemvQ5_0x16 = gemvQ8_0x16AVX2, gemvQ4_0x16AVX2, gemvQ5_0x16AVX2
	s.gemvQ4_Kx16 = gemvQ4_Kx16AVX2
	s.gemmQ8_0x16, s.gemmQ4_0x16 = ilGemm{gemmQ8_0x16x4AVX2, 4}, ilGemm{gemmQ4_0x16x4AVX2, 4}
	s.gemmQ5_0x16, s.gemmQ4_Kx16 = ilGemm{gemmQ5_0x16x4AVX2, 4}, ilGemm{gemmQ4_Kx16x2AVX2, 2}
	if l == AVX2 {
		return
	}
	s.dot, s.axpy, s.scale, s.sum, s.peakFMA = dotAVX512, axpyAVX512, scaleAVX512, sumAVX512, peakFMAAVX512
	s.gemmMR, s.gemmNR, s.gemmMicro = 12, 32, gemmMicro12x32AVX512
	s.gemmMicroB16, s.gemmMicroLdb = gemmMicro12x32B16AVX512, gemmMicro12x32LdbAVX512
	s.gemmMicroQ8 = gemmMicro12x32Q8AVX512
	s.gemmWTRows, s.gemmWTTokens, s.gemmWT = 8, 32, gemmWT8x32AVX512
	s.attnOneWidth, s.attnScores, s.attnMix = 16, attnScoresAVX512, attnMixAVX512
	s.attnScoresF16, s.attnMixF16 = attnScoresF16AVX512, attnMixF16AVX512
	s.attnMix3, s.attnMix3F16 = attnMix3AVX512, attnMix3F16AVX512
	s.attnScoresGroup, s.attnScoresGroupF16 = attnScoresGroupAVX512, attnScoresGroupF16AVX512
	s.attnScoresGroupQ8, s.attnMix3Q8 = attnScoresGroupQ8AVX512, attnMix3Q8AVX512
	s.quantizeQ8Rows = quantizeQ8RowsAVX512
	s.expShift, s.siluMul, s.max = expShiftAVX512, siluMulAVX512, maxAVX512
	s.swiglu, s.swigluBack = swigluAVX512, swigluBackAVX512
	s.sumSquares16, s.scaleMul = sumSquares16AVX512, scaleMulAVX512
	s.ropePairs, s.ropeHalves = ropePairsAVX512, ropeHalvesAVX512
	if cpuid.CPU.Supports(cpuid.AVX512VNNI) {
		s.dotQ8_0, s.dotQ4_0 = dotQ8_0AVX512, dotQ4_0VNNI
		s.dotQ8_0Rows = dotQ8_0RowsAVX512
		s.gemvQ8_0x16, s.gemvQ4_0x16, s.gemvQ5_0x16 = gemvQ8_0x16AVX512, gemvQ4_0x16AVX512, gemvQ5_0x16AVX512
		s.gemvQ4_Kx16, s.gemvQ6_Kx16 = gemvQ4_Kx16AVX512, gemvQ6_Kx16AVX512
		s.dotQ5_0, s.dotQ4_1, s.dotQ5_1 = dotQ5_0VNNI, dotQ4_1VNNI, dotQ5_1VNNI
		s.gemmQ8_0x16, s.gemmQ4_0x16 = ilGemm{gemmQ8_0x16x8AVX512, 8}, ilGemm{gemmQ4_0x16x8AVX512, 8}
		s.gemmQ5_0x16, s.gemmQ4_Kx16 = ilGemm{gemmQ5_0x16x8AVX512, 8}, ilGemm{gemmQ4_Kx16x4AVX512, 4}
		s.gemmQ6_Kx16 = ilGemm{gemmQ6_Kx16x4AVX512, 4}
	}
}
