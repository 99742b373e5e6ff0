//go:build !noasm

package kernels

// The fast, accurate vector exp kernels of inference (exp_amd64.s): whole
// vectors in assembly, the remaining few elements with the generic code.
// Training's bit-exact ones are in bitexact_amd64.go.

//go:noescape
func expShift8AVX2(x []float32, shift float32) float32

//go:noescape
func siluMul8AVX2(gate, up []float32)

//go:noescape
func expShiftAVX512(x []float32, shift float32) float32

//go:noescape
func siluMulAVX512(gate, up []float32)

// max8AVX2 needs len(x) a multiple of 8, at least 8.
//
//go:noescape
func max8AVX2(x []float32) float32

// maxAVX512 needs len(x) ≥ 1.
//
//go:noescape
func maxAVX512(x []float32) float32

func expShiftAVX2(x []float32, shift float32) float32 {
	n := len(x) &^ 7
	return expShift8AVX2(x[:n], shift) + expShiftGeneric(x[n:], shift)
}

// maxAVX2 is maxOf with its first len(x)&^7 values on eight lanes (every
// lane starting from x[0], so that a NaN there is the answer, as in
// maxOf), the rest after them in order.
func maxAVX2(x []float32) float32 {
	n := len(x) &^ 7
	if n == 0 {
		return maxOf(x)
	}
	return maxFrom(max8AVX2(x[:n]), x[n:])
}

func siluMulAVX2(gate, up []float32) {
	up = up[:len(gate)]
	n := len(gate) &^ 7
	siluMul8AVX2(gate[:n], up[:n])
	siluMulGeneric(gate[n:], up[n:])
}
