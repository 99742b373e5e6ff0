//go:build !noasm

package kernels

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/klauspost/cpuid/v2"
	"github.com/milp-lite/milp-lite/quant"
)

// These tests pin down the arm64 build: NEON must be offered wherever the CPU
// has Advanced SIMD (qemu-aarch64 -cpu max in CI), and every NEON kernel must
// agree with its generic twin, for both the SDOT and the widening integer
// paths, on lengths that exercise every unrolled loop and every tail.

func TestNEONIsAvailable(t *testing.T) {
	if !cpuid.CPU.Supports(cpuid.ASIMD) {
		t.Skip("CPU reports no Advanced SIMD")
	}
	if !slices.Contains(AvailableLevels(), NEON) {
		t.Fatalf("levels %v lack neon on a CPU with ASIMD", AvailableLevels())
	}
	t.Logf("features %v, SDOT %v", CPUFeatures(), useSDOT)
}

// withNEON runs f at level NEON with the SDOT kernels on or off, restoring
// the previous state afterwards.
func withNEON(t *testing.T, sdot bool, f func(t *testing.T)) {
	t.Helper()
	if !slices.Contains(AvailableLevels(), NEON) {
		t.Skip("NEON not available")
	}
	if sdot && !cpuid.CPU.Supports(cpuid.ASIMDDP) {
		t.Skip("CPU has no SDOT")
	}
	prevLevel, prevSDOT := CurrentLevel(), useSDOT
	useSDOT = sdot
	if err := SetLevel(NEON); err != nil {
		t.Fatal(err)
	}
	defer func() {
		useSDOT = prevSDOT
		if err := SetLevel(prevLevel); err != nil {
			t.Fatal(err)
		}
	}()
	f(t)
}

// near reports whether got is within the contract's tolerance of want, with
// mag = Σ|terms| of the sum.
func near(got, want float32, mag float64) bool {
	return math.Abs(float64(got)-float64(want)) <= 1e-5*mag+1e-6
}

// neonLengths covers empty input, every tail length of the 4- and 32-wide
// loops and a long vector.
var neonLengths = []int{0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 32, 33, 35, 63, 64, 67, 100, 1027}

func TestNEONVecMatchesGeneric(t *testing.T) {
	withNEON(t, useSDOT, func(t *testing.T) {
		r := rand.New(rand.NewPCG(11, 12))
		for _, n := range neonLengths {
			// One spare element after each slice: a kernel that reads or
			// writes past len would change it or the result.
			a, b := randVec(r, n+1)[:n], randVec(r, n+1)[:n]
			var mag float64
			for i := range a {
				mag += math.Abs(float64(a[i] * b[i]))
			}
			if got, want := impl.dot(a, b), dotGeneric(a, b); !near(got, want, mag) {
				t.Errorf("dot n=%d: %g, generic %g", n, got, want)
			}
			var amag float64
			for _, v := range a {
				amag += math.Abs(float64(v))
			}
			if got, want := impl.sum(a), sumGeneric(a); !near(got, want, amag) {
				t.Errorf("sum n=%d: %g, generic %g", n, got, want)
			}
			y1, y2 := slices.Clone(b[:n+1]), slices.Clone(b[:n+1])
			impl.axpy(-0.75, a, y1[:n])
			axpyGeneric(-0.75, a, y2[:n])
			for i := range y1 {
				if !near(y1[i], y2[i], math.Abs(float64(b[:n+1][i]))+math.Abs(0.75*float64(a[:n+1][i]))) {
					t.Fatalf("axpy n=%d: y[%d] = %g, generic %g", n, i, y1[i], y2[i])
				}
			}
			s1, s2 := slices.Clone(a[:n+1]), slices.Clone(a[:n+1])
			impl.scale(1.5, s1[:n])
			scaleGeneric(1.5, s2[:n])
			if !slices.Equal(s1, s2) {
				t.Fatalf("scale n=%d: %v, generic %v", n, s1, s2)
			}
		}
		if got := impl.peakFMA(1000); got != neonFMAFlopsPerRound*1000 {
			t.Errorf("peakFMA(1000) = %d flops", got)
		}
	})
}

// neonFMAFlopsPerRound is what one round of the NEON probe does: sixteen
// 4-lane FMLAs of two flops per lane.
const neonFMAFlopsPerRound = 16 * 4 * 2

func TestNEONQuantDotsMatchGeneric(t *testing.T) {
	for _, sdot := range []bool{true, false} {
		name := map[bool]string{true: "sdot", false: "widen"}[sdot]
		t.Run(name, func(t *testing.T) {
			withNEON(t, sdot, func(t *testing.T) { checkQuantDots(t) })
		})
	}
}

// quantCase builds nb blocks of type typ: half from quantising Gaussian
// values (realistic scales) and half from random bytes (every bit pattern of
// quants and packed scales), with the float scales overwritten by sane halves.
func quantCase(r *rand.Rand, typ quant.Type, nb int) []byte {
	bs, bb := typ.BlockSize(), typ.BlockBytes()
	w, err := quant.Quantize(typ, randVec(r, nb*bs))
	if err != nil {
		panic(err)
	}
	for b := 0; b < nb; b += 2 {
		blk := w[b*bb : (b+1)*bb]
		for i := range blk {
			blk[i] = byte(r.Uint32())
		}
		putHalf := func(off int, v float32) {
			h := quant.F32ToF16(v)
			blk[off], blk[off+1] = byte(h), byte(h>>8)
		}
		switch typ {
		case quant.Q8_0, quant.Q4_0:
			putHalf(0, float32(r.NormFloat64()*0.02))
		case quant.Q4_K, quant.Q5_K:
			putHalf(0, float32(r.NormFloat64()*0.01))
			putHalf(2, float32(r.NormFloat64()*0.01))
		case quant.Q6_K:
			putHalf(208, float32(r.NormFloat64()*0.01))
		}
	}
	return w
}

// termMagnitude is Σ|terms| of a quantised dot: for K types with a minimum,
// the scaled quants and the minimum terms count separately, as the kernels
// may round them separately.
func termMagnitude(t *testing.T, typ quant.Type, w []byte, x []float32) float64 {
	parts := [][]byte{w}
	if typ == quant.Q4_K || typ == quant.Q5_K {
		noMin, noScale := slices.Clone(w), slices.Clone(w)
		for b := 0; b < len(w); b += typ.BlockBytes() {
			noMin[b+2], noMin[b+3] = 0, 0
			noScale[b], noScale[b+1] = 0, 0
		}
		parts = [][]byte{noMin, noScale}
	}
	var mag float64
	deq := make([]float32, len(x))
	for _, p := range parts {
		if err := quant.Dequantize(typ, p, deq); err != nil {
			t.Fatal(err)
		}
		for i := range x {
			mag += math.Abs(float64(deq[i]) * float64(x[i]))
		}
	}
	return mag
}

func checkQuantDots(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	type dot32 func(w []byte, xq []int8, xd []float32) float32
	type dotK func(w []byte, xq []int8, xd []float32, xs []int16) float32
	for _, nb := range []int{0, 1, 2, 3, 8} {
		for _, c := range []struct {
			typ         quant.Type
			neon, gen   dot32
			neonK, genK dotK
		}{
			{typ: quant.Q8_0, neon: impl.dotQ8_0, gen: dotQ8_0Generic},
			{typ: quant.Q4_0, neon: impl.dotQ4_0, gen: dotQ4_0Generic},
			{typ: quant.Q4_K, neonK: impl.dotQ4_K, genK: dotQ4_KGeneric},
			{typ: quant.Q5_K, neonK: impl.dotQ5_K, genK: dotQ5_KGeneric},
			{typ: quant.Q6_K, neonK: impl.dotQ6_K, genK: dotQ6_KGeneric},
		} {
			bs := c.typ.BlockSize()
			w := quantCase(r, c.typ, nb)
			x := randVec(r, nb*bs)
			xq, xd := make([]int8, nb*bs), make([]float32, nb)
			var got, want float32
			if c.neon != nil {
				quantizeActQ8(x, xq, xd)
				got, want = c.neon(w, xq, xd), c.gen(w, xq, xd)
			} else {
				xs := make([]int16, 16*nb)
				quantizeActQ8K(x, xq, xd, xs)
				got, want = c.neonK(w, xq, xd, xs), c.genK(w, xq, xd, xs)
			}
			xdeq := make([]float32, len(x))
			for i := range xdeq {
				xdeq[i] = float32(xq[i]) * xd[i/bs]
			}
			if mag := termMagnitude(t, c.typ, w, xdeq); !near(got, want, mag) {
				t.Errorf("%s nb=%d: %g, generic %g (Σ|terms| %g)", c.typ, nb, got, want, mag)
			}
		}
	}
}

func TestNEONHalfDotsMatchGeneric(t *testing.T) {
	withNEON(t, useSDOT, func(t *testing.T) {
		r := rand.New(rand.NewPCG(15, 16))
		for _, n := range neonLengths {
			x := randVec(r, n)
			w16, wb := make([]byte, 2*n), make([]byte, 2*n)
			var mag16, magb float64
			for i := range x {
				v := float32(r.NormFloat64())
				h, b := quant.F32ToF16(v), quant.F32ToBF16(v)
				w16[2*i], w16[2*i+1] = byte(h), byte(h>>8)
				wb[2*i], wb[2*i+1] = byte(b), byte(b>>8)
				mag16 += math.Abs(float64(quant.F16ToF32(h) * x[i]))
				magb += math.Abs(float64(quant.BF16ToF32(b) * x[i]))
			}
			if got, want := impl.dotF16(w16, x), dotF16Generic(w16, x); !near(got, want, mag16) {
				t.Errorf("dotF16 n=%d: %g, generic %g", n, got, want)
			}
			if got, want := impl.dotBF16(wb, x), dotBF16Generic(wb, x); !near(got, want, magb) {
				t.Errorf("dotBF16 n=%d: %g, generic %g", n, got, want)
			}
		}
	})
}

// TestNEONKernelsInstalled checks that level NEON really runs the assembly:
// a table that silently kept the generic kernels would pass every
// comparison above.
func TestNEONKernelsInstalled(t *testing.T) {
	for _, sdot := range []bool{true, false} {
		t.Run(map[bool]string{true: "sdot", false: "widen"}[sdot], func(t *testing.T) {
			withNEON(t, sdot, func(t *testing.T) { checkInstalled(t, sdot) })
		})
	}
}

func checkInstalled(t *testing.T, sdot bool) {
	want := map[string][2]any{
		"dot": {impl.dot, dotNEON}, "axpy": {impl.axpy, axpyNEON}, "scale": {impl.scale, scaleNEON},
		"sum": {impl.sum, sumNEON}, "peakFMA": {impl.peakFMA, peakFMANEON},
		"gemmMicro": {impl.gemmMicro, gemmMicro8x12NEON},
		"dotF16":    {impl.dotF16, dotF16NEON}, "dotBF16": {impl.dotBF16, dotBF16NEON},
	}
	if sdot {
		want["dotQ8_0"] = [2]any{impl.dotQ8_0, dotQ8_0SDOT}
		want["dotQ6_K"] = [2]any{impl.dotQ6_K, dotQ6_KSDOT}
	} else {
		want["dotQ8_0"] = [2]any{impl.dotQ8_0, dotQ8_0Widen}
		want["dotQ6_K"] = [2]any{impl.dotQ6_K, dotQ6_KWiden}
	}
	for name, p := range want {
		if reflect.ValueOf(p[0]).Pointer() != reflect.ValueOf(p[1]).Pointer() {
			t.Errorf("sdot=%v: impl.%s is not the NEON kernel", sdot, name)
		}
	}
}

func TestNEONExpSiLUMatchGeneric(t *testing.T) {
	withNEON(t, useSDOT, func(t *testing.T) {
		r := rand.New(rand.NewPCG(19, 20))
		for _, n := range neonLengths {
			x := randVec(r, n)
			for i := range x {
				x[i] *= 8 // exponents far from 0, both signs
			}
			if n > 6 {
				// The ends of the range: overflow to +Inf is not reached by
				// softmax (x - max <= 0), but underflow to 0 and subnormals are.
				x[0], x[1], x[2], x[3], x[4] = -200, -100, -88, 80, 0
			}
			got, want := slices.Clone(x), slices.Clone(x)
			gs, ws := impl.expShift(got, 1.25), expShiftGeneric(want, 1.25)
			var mag float64
			for i := range got {
				mag += float64(want[i])
				if d := math.Abs(float64(got[i] - want[i])); d > 2e-6*float64(want[i])+1e-44 {
					t.Fatalf("expShift n=%d: exp(%g-1.25) = %g, generic %g", n, x[i], got[i], want[i])
				}
			}
			if !near(gs, ws, mag) {
				t.Errorf("expShift n=%d: sum %g, generic %g", n, gs, ws)
			}
			up := randVec(r, n)
			got, want = slices.Clone(x), slices.Clone(x)
			impl.siluMul(got, up)
			siluMulGeneric(want, up)
			for i := range got {
				if d := math.Abs(float64(got[i] - want[i])); d > 4e-6*math.Abs(float64(want[i]))+1e-30 {
					t.Fatalf("siluMul n=%d: silu(%g)*%g = %g, generic %g", n, x[i], up[i], got[i], want[i])
				}
			}
		}
	})
}
