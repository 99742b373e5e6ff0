//go:build !noasm

package kernels

//go:noescape
func widenF16x8NEON(src []uint16, dst []float32)

//go:noescape
func narrowF16x8NEON(src []float32, dst []uint16)

// widenF16NEON is kernelSet.widenF16: groups of eight in assembly
// (half_convert_arm64.s), the rest in Go.
func widenF16NEON(src []uint16, dst []float32) {
	src = src[:len(dst)] // the assembly does not check bounds
	n := len(dst) &^ 7
	widenF16x8NEON(src[:n], dst[:n])
	widenF16Generic(src[n:], dst[n:])
}

// narrowF16NEON is kernelSet.narrowF16, the same way.
func narrowF16NEON(src []float32, dst []uint16) {
	dst = dst[:len(src)]
	n := len(src) &^ 7
	narrowF16x8NEON(src[:n], dst[:n])
	narrowF16Generic(src[n:], dst[n:])
}

// widenF16RowsNEON is kernelSet.widenF16Rows: widenF16NEON row by row.
func widenF16RowsNEON(src []uint16, srcStride int, dst []float32, dstStride, rows, cols int) {
	widenRowsWith(widenF16NEON, src, srcStride, dst, dstStride, rows, cols)
}
