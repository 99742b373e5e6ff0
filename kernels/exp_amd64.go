//go:build !noasm

package kernels

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
