//go:build !noasm

package kernels

// The bit-exact kernels' amd64 forms (bitexact_amd64.s): whole vectors in
// assembly, the remaining few elements with the generic code.

//go:noescape
func expScaled8AVX2(x []float32, scale, shift, cut float32, rows *[12][8]float32, table *[16]float32) float32

// expScaledAVX2 is kernelSet.expScaled at both amd64 levels: whole
// vectors of eight in assembly, the rest (and the sum's continuation) in
// Go. (A sixteen-lane version was slower: the sum in element order, not
// the exponentials, bounds both.)
func expScaledAVX2(x []float32, scale, shift, cut float32) float32 {
	n := len(x) &^ 7
	return expScaledFrom(x[n:], scale, shift, cut, expScaled8AVX2(x[:n], scale, shift, cut, &expRows8, &expTable))
}

//go:noescape
func swiglu16AVX512(h, g, u []float32, consts *[12]float32, table *[16]float32)

//go:noescape
func swigluBack16AVX512(dg, du, g, u, dh []float32, consts *[12]float32, table *[16]float32)

//go:noescape
func swiglu8AVX2(h, g, u []float32, rows *[12][8]float32, table *[16]float32)

//go:noescape
func swigluBack8AVX2(dg, du, g, u, dh []float32, rows *[12][8]float32, table *[16]float32)

// expRows8 are expConsts, each broadcast to a row of eight: the AVX2
// kernels take them as memory operands.
var expRows8 = func() (r [12][8]float32) {
	for i, v := range expConsts {
		for j := range r[i] {
			r[i][j] = v
		}
	}
	return
}()

// swigluWhole runs f, an assembly SwiGLU, on the whole vectors of width
// lanes of g and the generic code on the rest; swigluBackWhole likewise.
func swigluWhole(h, g, u []float32, width int, f func(h, g, u []float32)) {
	n := len(g) / width * width
	f(h[:n], g[:n], u[:n])
	swigluGeneric(h[n:], g[n:], u[n:])
}

func swigluBackWhole(dg, du, g, u, dh []float32, width int, f func(dg, du, g, u, dh []float32)) {
	n := len(g) / width * width
	f(dg[:n], du[:n], g[:n], u[:n], dh[:n])
	swigluBackGeneric(dg[n:], du[n:], g[n:], u[n:], dh[n:])
}

// The kernelSet.swiglu and swigluBack of each level. The slices are of one
// length.
func swigluAVX512(h, g, u []float32) {
	swigluWhole(h, g, u, 16, func(h, g, u []float32) { swiglu16AVX512(h, g, u, &expConsts, &expTable) })
}

func swigluBackAVX512(dg, du, g, u, dh []float32) {
	swigluBackWhole(dg, du, g, u, dh, 16, func(dg, du, g, u, dh []float32) {
		swigluBack16AVX512(dg, du, g, u, dh, &expConsts, &expTable)
	})
}

func swigluAVX2(h, g, u []float32) {
	swigluWhole(h, g, u, 8, func(h, g, u []float32) { swiglu8AVX2(h, g, u, &expRows8, &expTable) })
}

func swigluBackAVX2(dg, du, g, u, dh []float32) {
	swigluBackWhole(dg, du, g, u, dh, 8, func(dg, du, g, u, dh []float32) {
		swigluBack8AVX2(dg, du, g, u, dh, &expRows8, &expTable)
	})
}

//go:noescape
func softmaxGrad8AVX2(p, dp []float32, d, scale float32)

// softmaxGradAVX2 is kernelSet.softmaxGrad: eight lanes, then the Go loop.
func softmaxGradAVX2(p, dp []float32, d, scale float32) {
	n := len(p) &^ 7
	dp = dp[:len(p)]
	softmaxGrad8AVX2(p[:n], dp[:n], d, scale)
	softmaxGradGeneric(p[n:], dp[n:], d, scale)
}
