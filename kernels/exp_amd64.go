//go:build !noasm

package kernels

import "math"

// Vector exp kernels (exp_amd64.s): whole groups of eight lanes in
// assembly, the remaining few elements with the generic code.

//go:noescape
func expShift8AVX2(x []float32, shift float32) float32

//go:noescape
func siluMul8AVX2(gate, up []float32)

//go:noescape
func expShiftAVX512(x []float32, shift float32) float32

//go:noescape
func siluMulAVX512(gate, up []float32)

// maxAVX512 needs len(x) ≥ 1.
//
//go:noescape
func maxAVX512(x []float32) float32

func expShiftAVX2(x []float32, shift float32) float32 {
	n := len(x) &^ 7
	return expShift8AVX2(x[:n], shift) + expShiftGeneric(x[n:], shift)
}

func siluMulAVX2(gate, up []float32) {
	up = up[:len(gate)]
	n := len(gate) &^ 7
	siluMul8AVX2(gate[:n], up[:n])
	siluMulGeneric(gate[n:], up[n:])
}

//go:noescape
func expScaled16AVX512(x []float32, scale, shift, cut float32, consts *[8]float32, table *[16]float32) float32

//go:noescape
func expScaled8AVX2(x []float32, scale, shift, cut float32, consts *[8]float32, table *[16]float32) float32

// expScaledAVX512 and expScaledAVX2 are kernelSet.expScaled: whole
// vectors in assembly, the rest (and the sum's continuation) in Go.
func expScaledAVX512(x []float32, scale, shift, cut float32) float32 {
	n := len(x) &^ 15
	return expScaledFrom(x[n:], scale, shift, cut, expScaled16AVX512(x[:n], scale, shift, cut, &expConsts, &expTable))
}

func expScaledAVX2(x []float32, scale, shift, cut float32) float32 {
	n := len(x) &^ 7
	return expScaledFrom(x[n:], scale, shift, cut, expScaled8AVX2(x[:n], scale, shift, cut, &expConsts, &expTable))
}

//go:noescape
func swiglu16AVX512(h, g, u []float32, consts *[12]float32, table *[16]float32)

//go:noescape
func swigluBack16AVX512(dg, du, g, u, dh []float32, consts *[12]float32, table *[16]float32)

// swigluConsts are expConsts followed by what EXPNEG's guards need.
var swigluConsts = func() (c [12]float32) {
	copy(c[:], expConsts[:])
	c[8], c[9], c[10] = float32(math.Inf(1)), float32(math.Copysign(0, -1)), ExpMinArg
	return
}()

// swigluAVX512 and swigluBackAVX512 are kernelSet.swiglu and swigluBack:
// whole vectors in assembly, the rest in Go. The slices are of one length.
func swigluAVX512(h, g, u []float32) {
	n := len(g) &^ 15
	swiglu16AVX512(h[:n], g[:n], u[:n], &swigluConsts, &expTable)
	swigluGeneric(h[n:], g[n:], u[n:])
}

func swigluBackAVX512(dg, du, g, u, dh []float32) {
	n := len(g) &^ 15
	swigluBack16AVX512(dg[:n], du[:n], g[:n], u[:n], dh[:n], &swigluConsts, &expTable)
	swigluBackGeneric(dg[n:], du[n:], g[n:], u[n:], dh[n:])
}
