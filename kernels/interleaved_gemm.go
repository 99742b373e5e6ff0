package kernels

import "github.com/milp-lite/milp-lite/quant"

// The batched twin of the interleaved products (interleaved.go): a prompt,
// or a batch of sequences' decode steps, through a Q8_0, Q4_0, Q5_0, Q4_K
// or Q6_K matrix as integer dot products, where the level has a kernel for
// the type (AVX-512 VNNI: all five; AVX2: Q8_0, Q4_0, Q5_0, Q4_K; NEON with
// SDOT: Q8_0, Q4_0, Q5_0). Each activation row is quantised once (8 bits,
// one scale per 32-block, or per 256 with sums per 16 for the K formats, as
// for one token), and a kernel runs one interleaved group of sixteen W rows
// past a tile of tokens: every 64-byte unit of weights is loaded once and
// meets all the tile's tokens (a VPDPBUSD, VPMADDUBSW or SDOT per token),
// so the load and the block scales are shared, and the tokens' sums are
// independent chains. Dequantising W to float32 for the GEMM tiles
// instead costs the expansion and runs at the float FMA rate, which is a
// fraction of the integer rate.
//
// A token's result is the one interleaved kernel's for that token alone
// (the same integer sums, the same float steps per block), so it does not
// depend on the batch it came in, and equals generation's single-token
// product.
//
// The tile's activations are packed block by block (packTile): for block b
// and token t, the token's bs quantised values at xq[(b·T+t)·bs], its scale
// at xd[b·T+t] and its per-block terms (the bias terms the single-token
// kernel takes, per values each) at xc[(b·T+t)·per]. Every offset inside a
// block is then a constant of the kernel. Tokens past the batch are zero.

// interleavedGemm is the signature of the batched kernels: for the T tokens
// of a packed tile, out[t·ldo+16g+l] for groups groups of nb blocks of w.
type interleavedGemm func(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32, ldo int)

// ilGemm is a batched kernel and its tile's tokens.
type ilGemm struct {
	run    interleavedGemm
	tokens int
}

// interleavedGemmKernel returns the level's batched kernel for t, a nil run
// if it has none.
func (ks *kernelSet) interleavedGemmKernel(t quant.Type) ilGemm {
	switch t {
	case quant.Q8_0:
		return ks.gemmQ8_0x16
	case quant.Q4_0:
		return ks.gemmQ4_0x16
	case quant.Q5_0:
		return ks.gemmQ5_0x16
	case quant.Q4_K:
		return ks.gemmQ4_Kx16
	case quant.Q6_K:
		return ks.gemmQ6_Kx16
	}
	return ilGemm{}
}

// ilTerms computes the per-block terms t's interleaved kernels take from
// activations quantised for it (xs: the K formats' sums per 16) into xc.
func ilTerms(t quant.Type, xq []int8, xs []int16, xc []int32) {
	switch t {
	case quant.Q4_K:
		kSubSums(xs, xc)
	case quant.Q6_K:
		q6BiasTerms(xs, xc)
	default:
		blockBiasTerms(xq, ilOffset(t), xc)
	}
}

// ilTermsPerBlock is how many per-block terms the interleaved kernels of t
// take: a bias term per 32-block, Q4_K's eight sums of 32, Q6_K's sixteen
// bias terms.
func ilTermsPerBlock(t quant.Type) int {
	switch t {
	case quant.Q4_K:
		return 8
	case quant.Q6_K:
		return 16
	}
	return 1
}

// packTile writes tokens [t0, t0+T) of src (token-major: nb blocks of per
// values per token, batch tokens) into dst in tile order, block by block:
// block b of token t0+t at dst[(b·T+t)·per:]; tokens past batch are zero.
func packTile[E int8 | int32 | float32](src, dst []E, batch, nb, per, t0, tokens int) {
	for b := 0; b < nb; b++ {
		for t := 0; t < tokens; t++ {
			d := dst[(b*tokens+t)*per:][:per]
			if t0+t >= batch {
				clear(d)
				continue
			}
			copy(d, src[((t0+t)*nb+b)*per:])
		}
	}
}

// interleavedGemmGeneric makes the portable twin of a batched kernel from the
// single-token reference gemv of the same type, for tiles of tokens tokens
// of bs-value blocks with per terms each: every token of the tile goes
// through gemv alone, which fixes the float order the assembly keeps.
func interleavedGemmGeneric(gemv interleavedGemv, tokens, bs, per int) interleavedGemm {
	return func(w []byte, groups, nb int, xq []int8, xd []float32, xc []int32, out []float32, ldo int) {
		q, d, c := make([]int8, nb*bs), make([]float32, nb), make([]int32, nb*per)
		row := make([]float32, ilLanes*groups)
		for t := 0; t < tokens; t++ {
			for b := 0; b < nb; b++ {
				copy(q[b*bs:(b+1)*bs], xq[(b*tokens+t)*bs:])
				d[b] = xd[b*tokens+t]
				copy(c[b*per:(b+1)*per], xc[(b*tokens+t)*per:])
			}
			gemv(w, groups, nb, q, d, c, row)
			copy(out[t*ldo:t*ldo+len(row)], row)
		}
	}
}

// HasIntegerBatches reports whether the level in use multiplies batches of
// rows through t's matrices as integers, each row with the bits a single
// row gets (for matrices of a whole number of interleaved groups).
func HasIntegerBatches(t quant.Type) bool { return impl.interleavedGemmKernel(t).run != nil }
