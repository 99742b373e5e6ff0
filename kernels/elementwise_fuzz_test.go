package kernels

import (
	"encoding/binary"
	"math"
	"testing"
)

// sameFloat is bit equality, any NaN equal to any NaN.
func sameFloat(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || (math.IsNaN(float64(a)) && math.IsNaN(float64(b)))
}

// FuzzElementwise: any float32 data (NaNs, infinities, subnormals), any
// length, at every level, against the generic code: max as maxOf finds it;
// RMSNorm, RoPE (both pairings, every SIMD width), the transposes and the
// bit-exact training kernels (ExpScaled, SwiGLU and its backward,
// SoftmaxGrad) bit for bit; exp and SiLU·mul within their accuracy contract on inputs clamped to
// where every level promises it.
func FuzzElementwise(f *testing.F) {
	f.Add([]byte{0, 0, 128, 63, 0, 0, 0, 192, 0, 0, 192, 127, 1, 0, 0, 0}, uint8(0), uint16(3))
	f.Add(make([]byte, 4*200), uint8(5), uint16(4095))
	seed := make([]byte, 4*129)
	for i := range seed {
		seed[i] = byte(i*37 + 11)
	}
	f.Add(seed, uint8(2), uint16(17))
	f.Add(seed, uint8(13), uint16(1)) // transposes of 8 rows
	f.Add(seed, uint8(26), uint16(2)) // and of 32
	f.Fuzz(func(t *testing.T, data []byte, shape uint8, pos uint16) {
		n := len(data) / 4
		if n == 0 {
			return
		}
		x := make([]float32, n)
		for i := range x {
			x[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
		}
		w := make([]float32, n)
		for i := range w {
			w[i] = x[(i*7+3)%n]
		}
		dims := []int{12, 16, 32, 64}[shape%4]
		neox := shape&4 != 0
		rope := NewRoPE(dims, 10000, neox, nil, 1)
		cs := make([]float32, rope.AnglesLen())
		rope.Angles(int(pos), cs)
		heads := max(1, n/dims)
		rx := make([]float32, heads*dims)
		for i := range rx {
			rx[i] = x[i%n]
		}
		// transpose k×tn from rows of ld = tk: 3 rows (the Go fallback), or
		// whole 8-row groups (the assembly blocks, both packing orders)
		tk, tn := n/3+1, []int{3, 8, 16, 32}[(shape>>3)%4]
		tsrc := make([]float32, tn*tk)
		for i := range tsrc {
			tsrc[i] = x[i%n]
		}
		clamped := make([]float32, n)
		for i, v := range x {
			switch {
			case math.IsNaN(float64(v)):
				clamped[i] = 0.5
			default:
				clamped[i] = max(-80, min(80, v))
			}
		}

		defer SetLevel(CurrentLevel())
		if err := SetLevel(Generic); err != nil {
			t.Fatal(err)
		}
		wantMax := maxOf(x)
		wantNorm := make([]float32, n)
		RMSNorm(wantNorm, x, w, 1e-5)
		wantRope := append([]float32(nil), rx...)
		rope.Rotate(wantRope, heads, dims, cs)
		wantT := make([]float32, tk*tn)
		transposeGeneric(tk, tsrc, tk, wantT, tn)
		wantExp := append([]float32(nil), clamped...)
		wantSum := expShiftGeneric(wantExp, 3)
		wantSilu := append([]float32(nil), clamped...)
		siluMulGeneric(wantSilu, w)
		// The bit-exact training kernels, bit for bit, on the raw inputs
		// (NaN, infinities, subnormals and all): ExpScaled with a scale and
		// shift taken from the shape, SwiGLU and its backward.
		pscale, pshift := 0.25+float32(shape%8)/4, float32(shape)-128
		wantPE := append([]float32(nil), x...)
		wantPSum := expScaledGeneric(wantPE, pscale, pshift, ExpMinArg+float32(shape%5))
		wantH := make([]float32, n)
		swigluGeneric(wantH, x, w)
		wantDg, wantDu := append([]float32(nil), w...), append([]float32(nil), x...)
		swigluBackGeneric(wantDg, wantDu, x, w, clamped)
		wantSG := append([]float32(nil), clamped...)
		softmaxGradGeneric(x, wantSG, pshift, pscale)

		forEachLevel(t, func(tb testing.TB, l Level) {
			if got := impl.max(x); !sameFloat(got, wantMax) {
				tb.Fatalf("%s max n=%d: %g, maxOf %g", l, n, got, wantMax)
			}
			got := make([]float32, n)
			RMSNorm(got, x, w, 1e-5)
			for i := range got {
				if !sameFloat(got[i], wantNorm[i]) {
					tb.Fatalf("%s RMSNorm n=%d [%d]: %g, generic %g", l, n, i, got[i], wantNorm[i])
				}
			}
			r := append([]float32(nil), rx...)
			rope.Rotate(r, heads, dims, cs)
			for i := range r {
				if !sameFloat(r[i], wantRope[i]) {
					tb.Fatalf("%s RoPE dims=%d neox=%v pos=%d [%d]: %g, generic %g", l, dims, neox, pos, i, r[i], wantRope[i])
				}
			}
			for _, tf := range []func(k int, src []float32, ld int, dst []float32, n int){impl.transpose, impl.packPanel} {
				tr := make([]float32, tk*tn)
				tf(tk, tsrc, tk, tr, tn)
				for i := range tr {
					if !sameFloat(tr[i], wantT[i]) {
						tb.Fatalf("%s transpose (or packPanel) k=%d n=%d [%d]: %g, want %g", l, tk, tn, i, tr[i], wantT[i])
					}
				}
			}
			e := append([]float32(nil), clamped...)
			sum := impl.expShift(e, 3)
			for i := range e {
				if d := math.Abs(float64(e[i]) - float64(wantExp[i])); d > 4e-6*math.Abs(float64(wantExp[i]))+0x1p-126 {
					tb.Fatalf("%s exp(%g-3) = %g, generic %g", l, clamped[i], e[i], wantExp[i])
				}
			}
			if math.Abs(float64(sum)-float64(wantSum)) > 1e-5*float64(wantSum)+0x1p-126 {
				tb.Fatalf("%s exp sum %g, generic %g", l, sum, wantSum)
			}
			pe := append([]float32(nil), x...)
			if psum := impl.expScaled(pe, pscale, pshift, ExpMinArg+float32(shape%5)); !sameFloat(psum, wantPSum) {
				tb.Fatalf("%s ExpScaled sum %g, generic %g", l, psum, wantPSum)
			}
			h, dg, du := make([]float32, n), append([]float32(nil), w...), append([]float32(nil), x...)
			impl.swiglu(h, x, w)
			impl.swigluBack(dg, du, x, w, clamped)
			sg := append([]float32(nil), clamped...)
			impl.softmaxGrad(x, sg, pshift, pscale)
			for i := range sg {
				if !sameFloat(sg[i], wantSG[i]) {
					tb.Fatalf("%s softmaxGrad at p=%g dp=%g: %g, generic %g", l, x[i], clamped[i], sg[i], wantSG[i])
				}
			}
			for i := range pe {
				if !sameFloat(pe[i], wantPE[i]) || !sameFloat(h[i], wantH[i]) || !sameFloat(dg[i], wantDg[i]) || !sameFloat(du[i], wantDu[i]) {
					tb.Fatalf("%s bit-exact kernels at x=%g w=%g: ExpScaled %g/%g, SwiGLU %g/%g, dg %g/%g, du %g/%g (level/generic)",
						l, x[i], w[i], pe[i], wantPE[i], h[i], wantH[i], dg[i], wantDg[i], du[i], wantDu[i])
				}
			}
			s := append([]float32(nil), clamped...)
			impl.siluMul(s, w)
			for i := range s {
				if d := math.Abs(float64(s[i]) - float64(wantSilu[i])); !(d <= 4e-6*math.Abs(float64(wantSilu[i]))+0x1p-126) && !sameFloat(s[i], wantSilu[i]) {
					tb.Fatalf("%s silu(%g)·%g = %g, generic %g", l, clamped[i], w[i], s[i], wantSilu[i])
				}
			}
		})
	})
}
