package kernels

// kernelSet is the table of low-level kernels one instruction-set level
// provides. Everything above it (pool tasks, packing, activation
// quantisation) is shared Go; install fills the table for the chosen level.
// Each field's comment is its contract; the generic kernels (genericKernels)
// are the reference every level is tested against.
type kernelSet struct {
	// f32 vectors.
	dot         func(a, b []float32) float32        // Σ a[i]*b[i] over len(a)
	axpy        func(alpha float32, x, y []float32) // y += alpha*x over len(x)
	scale       func(alpha float32, x []float32)    // x *= alpha
	scaleNormal func(s float32, x []float32)        // ScaleNormal: values s takes below 2⁻¹²⁵ to 0, then x *= s
	sum         func(x []float32) float32           // Σ x, a streaming read
	peakFMA     func(iters int) int64               // FMA throughput probe: flops done

	// f32 GEMM register tile: c[MR×NR] (+)= packed a (k×MR) · packed b (k×NR).
	gemmMR, gemmNR int
	gemmMicro      func(k int, a, b, c []float32, ldc int, accumulate bool)
	// gemmMicroB16, nil where the level has none: gemmMicro overwriting c,
	// B's k rows of NR values in halves, ldb apart (a cache's rows read in
	// place), with the bits gemmMicro gives them widened and packed.
	gemmMicroB16 func(k int, a []float32, b []uint16, ldb int, c []float32, ldc int)
	// gemmMicroLdb, nil where the level has none: gemmMicro overwriting c,
	// B's k rows of NR values ldb apart (a float32 cache's rows in place).
	gemmMicroLdb func(k int, a, b []float32, ldb int, c []float32, ldc int)
	// gemmMicroQ8, nil where the level has none: gemmMicroLdb with B's rows
	// in bytes (an 8-bit cache's values), row i's scale bs[i], each value
	// byte × scale rounded once: the bits of gemmMicroLdb on those values.
	gemmMicroQ8 func(k int, a []float32, b []int8, ldb int, c []float32, ldc int, bs []float32)
	// X·Wᵀ tile with W read in place (gemm_wt.go), nil where the level
	// has none: c[t*ldc+i] = Σ_p w[i*ldw+p]·x[p*T+t] for R rows i and T
	// tokens t; at every k step it prefetches the line at pf and moves pf
	// on by pfStep bytes.
	gemmWTRows, gemmWTTokens int
	gemmWT                   func(k int, w []float32, ldw int, x, c []float32, ldc int, pf []float32, pfStep int)
	// Packing: dst[p*n+j] = src[j*ld+p] for j < n, p < k. transpose
	// suits a source streaming from memory (a weight panel), packPanel
	// one already in cache (a batch's X panel, n ≤ 32 tokens).
	transpose func(k int, src []float32, ld int, dst []float32, n int)
	// transposeHalves is transpose for halves (an F16 cache's keys into the
	// panels gemmMicroB16 reads).
	transposeHalves func(k int, src []uint16, ld int, dst []uint16, n int)
	packPanel       func(k int, src []float32, ld int, dst []float32, n int)
	// packStrips copies, for p < rows and s < strips, the width values at
	// src[p*ld+s*width] to dst[s*dstStride+p*width]: rows of a matrix cut
	// into panels of width columns, as the GEMM packs W for dY·W and
	// untransposed A and B. copy per panel row cost more than the copy
	// itself (a memmove call for 24–128 bytes).
	packStrips func(rows int, src []float32, ld int, dst []float32, dstStride, width, strips int)
	// Weights expanded to float32 for the GEMM, bit-exact with package
	// quant: Q8_0, Q4_0 and Q5_0 blocks (len(dst) a multiple of 32), Q4_K
	// and Q6_K super-blocks (of 256), F16 values.
	dequantQ8_0 func(w []byte, dst []float32)
	dequantQ4_0 func(w []byte, dst []float32)
	dequantQ5_0 func(w []byte, dst []float32)
	dequantQ4_K func(w []byte, dst []float32)
	dequantQ6_K func(w []byte, dst []float32)
	dequantF16  func(w []byte, dst []float32)

	// Activation quantisation (bit-exact with the generic twins).
	quantizeQ8  func(x []float32, xq []int8, xd []float32)
	quantizeQ8K func(x []float32, xq []int8, xd []float32, xs []int16)

	// One quantised weight row against activations quantised once per call.
	dotQ8_0 func(w []byte, xq []int8, xd []float32) float32
	// dotQ8_0 over rows rows of rowBytes each, out[r] for row r, in one
	// call (nil where the level has none): bit-identical to dotQ8_0 row by
	// row.
	dotQ8_0Rows func(w []byte, rowBytes, rows int, xq []int8, xd []float32, out []float32)
	// Generation's Q8_0, Q4_0, Q5_0, Q4_K and Q6_K products on the
	// interleaved layouts (interleaved.go), nil where the level has none.
	gemvQ8_0x16 interleavedGemv
	gemvQ4_0x16 interleavedGemv
	gemvQ5_0x16 interleavedGemv
	gemvQ4_Kx16 interleavedGemv
	gemvQ6_Kx16 interleavedGemv
	// The batched products of the same layouts (interleaved_gemm.go) on
	// tiles of tokens, nil where the level has none: each token's result
	// bit-identical to the level's gemv kernel for that token.
	gemmQ8_0x16 ilGemm
	gemmQ4_0x16 ilGemm
	gemmQ5_0x16 ilGemm
	gemmQ4_Kx16 ilGemm
	gemmQ6_Kx16 ilGemm
	dotQ4_0     func(w []byte, xq []int8, xd []float32) float32
	dotQ4_K     func(w []byte, xq []int8, xd []float32, xs []int16) float32
	dotQ5_K     func(w []byte, xq []int8, xd []float32, xs []int16) float32
	dotQ6_K     func(w []byte, xq []int8, xd []float32, xs []int16) float32
	// The other 32-wide formats; xs[b] = xd[b]·Σ xq of block b
	// (actBlockSums) carries the Q4_1/Q5_1 offsets.
	dotQ5_0 func(w []byte, xq []int8, xd []float32) float32
	dotQ4_1 func(w []byte, xq []int8, xd, xs []float32) float32
	dotQ5_1 func(w []byte, xq []int8, xd, xs []float32) float32

	// Half-precision weight rows against f32 activations.
	dotF16  func(w []byte, x []float32) float32
	dotBF16 func(w []byte, x []float32) float32

	// One query's attention (attention.go), nil where the level has none;
	// for head sizes that are multiples of attnOneWidth. attnScores: out[p]
	// = scale·Σ_i q[i]·k[p·stride+i] for p < n; attnMix: out[i] += Σ_p
	// s[p]·v[p·stride+i], in p order onto out. The slices must hold what
	// they read.
	attnOneWidth int
	attnScores   func(q, k []float32, stride, n int, scale float32, out []float32)
	attnMix      func(s, v []float32, stride int, out []float32)
	// attnMix3, nil where the level has none: attnMix for three heads at
	// once, head j's weights at s[j·sStride:][:n] and output at
	// out[j·outStride:][:dims], the same bits as three attnMix calls.
	attnMix3 func(s []float32, n, sStride int, v []float32, stride int, out []float32, outStride, dims int)
	// attnMix3F16, nil where the level has none: attnMix3 with v in halves,
	// widened once for the three heads; the bits of three attnMixF16 calls.
	attnMix3F16 func(s []float32, n, sStride int, v []uint16, stride int, out []float32, outStride, dims int)
	// attnScoresGroup and attnScoresGroupF16, nil where the level has none:
	// attnScores (attnScoresF16) for heads query heads of one KV head at
	// head size attnGroupHeadSize, head j's query at q[j·64:], its scores at
	// out[j·outStride:], each key loaded (and widened) once for the group;
	// n a multiple of 4. The bits of one call per head.
	attnScoresGroup    func(q []float32, heads int, k []float32, stride, n int, scale float32, out []float32, outStride int)
	attnScoresGroupF16 func(q []float32, heads int, k []uint16, stride, n int, scale float32, out []float32, outStride int)
	// attnScoresGroupQ8 and attnMix3Q8, nil where the level has none:
	// attnScoresGroup and attnMix3 on an 8-bit cache's rows (k, v) and
	// scales (ks, vs: one per row, from the first row the call reads), each
	// byte multiplied by its row's scale as it is loaded: the bits the
	// float32 kernels give the dequantised rows (dequantQ8Rows).
	attnScoresGroupQ8 func(q []float32, heads int, k []int8, stride, n int, scale float32, out []float32, outStride int, ks []float32)
	attnMix3Q8        func(s []float32, n, sStride int, v []int8, stride int, out []float32, outStride, dims int, vs []float32)
	// dequantQ8Rows: dst[r·hs+i] = float32(q[r·hs+i])·scales[r], rounded
	// once, over len(dst) (a multiple of hs).
	dequantQ8Rows func(q []int8, scales []float32, hs int, dst []float32)
	// quantizeQ8Rows is QuantizeRowsQ8 (the generic loop's bits).
	quantizeQ8Rows func(src []float32, dst []int8, scales []float32, hs int)
	// attnScoresF16 and attnMixF16, nil where the level has none: attnScores
	// and attnMix with k and v in halves (an F16 cache), the same bits as
	// they give the widened values (same head sizes).
	attnScoresF16 func(q []float32, k []uint16, stride, n int, scale float32, out []float32)
	attnMixF16    func(s []float32, v []uint16, stride int, out []float32)
	// Halves and float32: widenF16 dst[i] = src[i] exactly over len(dst)
	// (NaNs stay NaNs of their sign: F16C quiets signalling ones);
	// narrowF16 dst[i] = src[i] rounded to nearest even over len(src),
	// bit-exact with quant.F32ToF16.
	widenF16  func(src []uint16, dst []float32)
	narrowF16 func(src []float32, dst []uint16)
	// widenF16Rows widens rows rows of cols halves, srcStride apart in src,
	// into rows dstStride apart in dst (a cache's head rows into the tiled
	// attention's panels), exactly as widenF16.
	widenF16Rows func(src []uint16, srcStride int, dst []float32, dstStride, rows, cols int)

	// Elementwise.
	expShift func(x []float32, shift float32) float32 // x = exp(x-shift), returns Σ
	// ExpScaled: Exp's bits exactly (bitexact_exp.go), the sum in order.
	expScaled func(x []float32, scale, shift, cut float32) float32
	// SwiGLU and SwiGLUBackward, bit-exact with the Go loops.
	swiglu     func(h, g, u []float32)
	swigluBack func(dg, du, g, u, dh []float32)
	// softmaxGrad: dp[j] = p[j]·(dp[j] − d)·scale, rounded as the Go loop.
	softmaxGrad func(p, dp []float32, d, scale float32)
	siluMul     func(gate, up []float32)  // gate = silu(gate)*up, len(up) ≥ len(gate)
	max         func(x []float32) float32 // the largest of x (len ≥ 1) as maxOf finds it
	// RMSNorm (norm.go): lanes[j] = Σ x[i]² (float64) over i ≡ j mod 16,
	// len(x) a multiple of 16; dst[i] = x[i]·s·w[i] over len(dst).
	sumSquares16 func(x []float32) [16]float64
	scaleMul     func(dst, x, w []float32, s float32)
	// Rotary embedding (rope.go) of heads heads of headSize values with the
	// angles of RoPE.Angles (cs: 2·Dims values), nil where the level has
	// none: pairs (2i, 2i+1) with Dims a multiple of 16, halves (NeoX) with
	// Dims a multiple of 32. Bit-identical to ropeGeneric.
	ropePairs  func(x []float32, heads, headSize int, cs []float32)
	ropeHalves func(x []float32, heads, headSize int, cs []float32)
}

// impl is the table in use; install replaces it.
var impl = genericKernels()

// genericKernels is the table of pure Go kernels, the reference every
// SIMD level is tested against.
func genericKernels() kernelSet {
	return kernelSet{
		dot: dotGeneric, axpy: axpyGeneric, scale: scaleGeneric, scaleNormal: scaleNormalGeneric, sum: sumGeneric, peakFMA: peakFMAGeneric,
		gemmMR: 4, gemmNR: 4, gemmMicro: gemmMicroGeneric,
		transpose: transposeGeneric[float32], transposeHalves: transposeGeneric[uint16], packPanel: transposeGeneric[float32], packStrips: packStripsGeneric, dequantQ8_0: dequantQ8_0Generic,
		dequantQ4_0: dequantQ4_0Generic, dequantQ5_0: dequantQ5_0Generic, dequantQ4_K: dequantQ4_KGeneric,
		dequantQ6_K: dequantQ6_KGeneric, dequantF16: dequantF16Generic,
		quantizeQ8: quantizeActQ8, quantizeQ8K: quantizeActQ8K,
		dotQ8_0: dotQ8_0Generic, dotQ4_0: dotQ4_0Generic,
		dotQ4_K: dotQ4_KGeneric, dotQ5_K: dotQ5_KGeneric, dotQ6_K: dotQ6_KGeneric,
		dotQ5_0: dotQ5_0Generic, dotQ4_1: dotQ4_1Generic, dotQ5_1: dotQ5_1Generic,
		dotF16: dotF16Generic, dotBF16: dotBF16Generic, widenF16: widenF16Generic, narrowF16: narrowF16Generic, widenF16Rows: widenF16RowsGeneric,
		dequantQ8Rows: dequantQ8RowsGeneric, quantizeQ8Rows: quantizeQ8RowsGeneric, expShift: expShiftGeneric, expScaled: expScaledGeneric, swiglu: swigluGeneric, swigluBack: swigluBackGeneric, softmaxGrad: softmaxGradGeneric,
		siluMul: siluMulGeneric, max: maxOf,
		sumSquares16: sumSquares16Generic, scaleMul: scaleMulGeneric,
	}
}
