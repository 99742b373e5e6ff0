//go:build !noasm

package kernels

// NEON exp-based elementwise kernels (ops_arm64.s). The assembly works on
// whole groups of four; the last len%4 values go through a padded buffer.

//go:noescape
func expShiftNEON4(x []float32, shift float32) float32

//go:noescape
func siluMulNEON4(gate, up []float32)

func expShiftNEON(x []float32, shift float32) float32 {
	n4 := len(x) &^ 3
	sum := expShiftNEON4(x[:n4], shift)
	if rest := x[n4:]; len(rest) > 0 {
		var buf [4]float32
		copy(buf[:], rest)
		expShiftNEON4(buf[:], shift)
		for i := range rest {
			rest[i] = buf[i]
			sum += buf[i] // only the real values count, not the padding
		}
	}
	return sum
}

func siluMulNEON(gate, up []float32) {
	up = up[:len(gate)]
	n4 := len(gate) &^ 3
	siluMulNEON4(gate[:n4], up[:n4])
	if rest := gate[n4:]; len(rest) > 0 {
		var g, u [4]float32
		copy(g[:], rest)
		copy(u[:], up[n4:])
		siluMulNEON4(g[:], u[:])
		copy(rest, g[:])
	}
}
