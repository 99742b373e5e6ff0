package kernels

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/milp-lite/milp-lite/quant"
)

// legacyBlock builds one hand-made block of t (Q5_0, Q4_1 or Q5_1): d = 1,
// m = -2, fifth bits set for elements 0 and 16 only, qs[0] = 0x21 (element
// 0 has low bits 1, element 16 has 2), every other qs byte 0.
func legacyBlock(t quant.Type) []byte {
	blk := make([]byte, t.BlockBytes())
	binary.LittleEndian.PutUint16(blk, quant.F32ToF16(1))
	qs := 2
	if t != quant.Q5_0 {
		binary.LittleEndian.PutUint16(blk[2:], quant.F32ToF16(-2))
		qs = 4
	}
	if t != quant.Q4_1 {
		binary.LittleEndian.PutUint32(blk[qs:], 1|1<<16)
		qs += 4
	}
	blk[qs] = 0x21
	return blk
}

// TestLegacyDotsHandChecked: with activations xq[0] = 3, xq[1] = 1,
// xq[16] = 5 (others 0) and scale xd = 0.5, the block values are
//
//	Q5_0: e0 = 17-16 = 1, e16 = 18-16 = 2, e1 = 0-16 = -16 → 0.5·(3+10-16) = -1.5
//	Q4_1: e0 = 1-2 = -1,  e16 = 2-2 = 0,   e1 = 0-2 = -2   → 0.5·(-3+0-2) = -2.5
//	Q5_1: e0 = 17-2 = 15, e16 = 18-2 = 16, e1 = -2          → 0.5·(45+80-2) = 61.5
//
// checked for one block and for three copies (the paired loop and the odd
// tail), at every level.
func TestLegacyDotsHandChecked(t *testing.T) {
	want := map[quant.Type]float32{quant.Q5_0: -1.5, quant.Q4_1: -2.5, quant.Q5_1: 61.5}
	forEachLevel(t, func(t testing.TB, l Level) {
		for typ, one := range want {
			for _, nb := range []int{1, 2, 3} {
				var w []byte
				xq := make([]int8, 32*nb)
				xd, xm := make([]float32, nb), make([]float32, nb)
				for b := 0; b < nb; b++ {
					w = append(w, legacyBlock(typ)...)
					xq[32*b], xq[32*b+1], xq[32*b+16] = 3, 1, 5
					xd[b] = 0.5
				}
				actBlockSums(xq, xd, xm)
				if xm[0] != 4.5 {
					t.Fatalf("actBlockSums = %g, want 0.5·9 = 4.5", xm[0])
				}
				if got := quantDot(&impl, typ, w, xq, xd, nil, xm); got != float32(nb)*one {
					t.Fatalf("%s %s nb=%d: %g, want %g", l, typ, nb, got, float32(nb)*one)
				}
			}
		}
	})
}

// TestQuantDotsMatchDequantised checks the generic twins themselves against
// an independent float64 sum of the dequantised weights (package quant)
// times the activations the kernels see (xq·xd), within float32 rounding of
// the terms.
func TestQuantDotsMatchDequantised(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	gen := genericKernels()
	for _, typ := range quantTypes {
		for _, nb := range []int{1, 3, 28} {
			for _, mag := range []float64{1, 1e-20, 1e6} {
				n := nb * typ.BlockSize()
				w := randomBlocks(r, typ, nb)
				_, xq, xd, xs, xm := randomActs(r, typ, n, mag)
				deq := make([]float32, n)
				if err := quant.Dequantize(typ, w, deq); err != nil {
					t.Fatal(err)
				}
				var want float64
				for i, v := range deq {
					want += float64(v) * float64(xq[i]) * float64(xd[i/typ.BlockSize()])
				}
				got := quantDot(&gen, typ, w, xq, xd, xs, xm)
				if sc := termScale(typ, w, xq, xd); math.Abs(float64(got)-want) > 1e-5*sc+1e-30 {
					t.Fatalf("%s nb=%d mag=%g: generic %g, dequantised %g (term scale %g)", typ, nb, mag, got, want, sc)
				}
			}
		}
	}
}
