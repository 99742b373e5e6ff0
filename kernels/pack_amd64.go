//go:build !noasm

package kernels

import "github.com/milp-lite/milp-lite/quant"

//go:noescape
func transpose8AVX2(k8 int, src []float32, ld int, dst []float32, n, rows8 int)

//go:noescape
func transposePanelAVX2(k8 int, src []float32, ld int, dst []float32, n int)

//go:noescape
func transpose4AVX2(k8 int, src []float32, ld int, dst []float32, n int)

//go:noescape
func packStripsAVX2(rows int, src []float32, ld int, dst []float32, dstStride, width, strips int)

//go:noescape
func packPanelRows16AVX2(rows int, src []float32, ld int, dst []float32)

//go:noescape
func packPanelRows6AVX2(rows int, src []float32, ld int, dst []float32)

//go:noescape
func packPanelRows32AVX2(rows int, src []float32, ld int, dst []float32)

//go:noescape
func packPanelRows12AVX2(rows int, src []float32, ld int, dst []float32)

// packStripsChecked is kernelSet.packStrips on AVX2 and AVX-512. One strip
// of the tiles' widths (B panels of 16 and 32, A panels of 6 and 12) has
// its own loop: the general one spends more on its counters than on a row
// of 24–128 bytes, and copy per row more still.
func packStripsChecked(rows int, src []float32, ld int, dst []float32, dstStride, width, strips int) {
	if rows <= 0 || width <= 0 || strips <= 0 {
		return
	}
	// The assembly does not check bounds: make the slices prove them.
	_, _ = src[(rows-1)*ld+strips*width-1], dst[(strips-1)*dstStride+rows*width-1]
	switch {
	case strips == 1 && width == 16:
		packPanelRows16AVX2(rows, src, ld, dst)
	case strips == 1 && width == 6:
		packPanelRows6AVX2(rows, src, ld, dst)
	case strips == 1 && width == 32:
		packPanelRows32AVX2(rows, src, ld, dst)
	case strips == 1 && width == 12:
		packPanelRows12AVX2(rows, src, ld, dst)
	default:
		packStripsAVX2(rows, src, ld, dst, dstStride, width, strips)
	}
}

//go:noescape
func dequantQ8_0AVX2(w []byte, dst []float32)

//go:noescape
func dequantQ4_0AVX2(w []byte, dst []float32)

//go:noescape
func dequantF16x8AVX2(w []byte, dst []float32)

//go:noescape
func expandQ4K256AVX2(qs []byte, dm *[16]float32, dst []float32)

//go:noescape
func expandQ6K256AVX2(blk []byte, steps *[16]float32, dst []float32)

//go:noescape
func dequantQ5_0AVX2(w []byte, dst []float32)

// dequantQ6_KAVX2 is kernelSet.dequantQ6_K: each super-block's sixteen steps
// d·scale in Go (as package quant computes them), its 256 values in
// assembly.
func dequantQ6_KAVX2(w []byte, dst []float32) {
	var steps [16]float32
	for b := range len(dst) / quant.QKK {
		blk := w[b*quant.BlockBytesQ6_K : (b+1)*quant.BlockBytesQ6_K]
		d := quant.F16ToF32(uint16(blk[208]) | uint16(blk[209])<<8)
		for i := range steps {
			steps[i] = d * float32(int8(blk[192+i]))
		}
		expandQ6K256AVX2(blk, &steps, dst[b*quant.QKK:(b+1)*quant.QKK])
	}
}

// dequantQ4_KAVX2 is kernelSet.dequantQ4_K: each super-block's eight steps
// and offsets in Go (as package quant computes them), its 256 values in
// assembly.
func dequantQ4_KAVX2(w []byte, dst []float32) {
	var dm [16]float32
	for b := range len(dst) / quant.QKK {
		blk := w[b*quant.BlockBytesQ4_K : (b+1)*quant.BlockBytesQ4_K]
		d := quant.F16ToF32(uint16(blk[0]) | uint16(blk[1])<<8)
		dmin := quant.F16ToF32(uint16(blk[2]) | uint16(blk[3])<<8)
		scales := (*[12]byte)(blk[4:16])
		for j := 0; j < 8; j++ {
			sc, m := quant.UnpackScaleMinK4(j, scales)
			dm[2*j], dm[2*j+1] = d*float32(sc), dmin*float32(m)
		}
		expandQ4K256AVX2(blk[16:16+128], &dm, dst[b*quant.QKK:(b+1)*quant.QKK])
	}
}

// dequantF16AVX2 is kernelSet.dequantF16: groups of eight in assembly, the
// rest in Go.
func dequantF16AVX2(w []byte, dst []float32) {
	if len(dst) == 0 {
		return
	}
	n := len(dst) &^ 7
	_ = w[2*len(dst)-1] // the assembly does not check bounds
	dequantF16x8AVX2(w, dst[:n])
	dequantF16Generic(w[2*n:], dst[n:])
}

//go:noescape
func widenF16Rowsx8AVX2(src []uint16, srcStride int, dst []float32, dstStride, rows, cols int)

// widenF16RowsAVX2 is kernelSet.widenF16Rows: each row's groups of eight
// in one assembly call for all the rows, a tail of fewer in Go.
func widenF16RowsAVX2(src []uint16, srcStride int, dst []float32, dstStride, rows, cols int) {
	if rows <= 0 || cols <= 0 {
		return
	}
	// The assembly does not check bounds: the last row's end proves them.
	_, _ = src[(rows-1)*srcStride+cols-1], dst[(rows-1)*dstStride+cols-1]
	if c8 := cols &^ 7; c8 > 0 {
		widenF16Rowsx8AVX2(src, srcStride, dst, dstStride, rows, c8)
	}
	if cols%8 != 0 {
		c8 := cols &^ 7
		widenRowsWith(widenF16Generic, src[c8:], srcStride, dst[c8:], dstStride, rows, cols-c8)
	}
}

//go:noescape
func transposeHalves8x8AVX(k8 int, src []uint16, ld int, dst []uint16, n8 int)

// transposeHalvesAVX is kernelSet.transposeHalves: 8×8 blocks in assembly
// when both sides are whole blocks, else in Go.
func transposeHalvesAVX(k int, src []uint16, ld int, dst []uint16, n int) {
	if k%8 != 0 || n%8 != 0 || k == 0 || n == 0 {
		transposeGeneric(k, src, ld, dst, n)
		return
	}
	// The assembly does not check bounds: make the slices prove them.
	_, _ = src[(n-1)*ld+k-1], dst[k*n-1]
	transposeHalves8x8AVX(k/8, src, ld, dst, n/8)
}

// packPanelAVX2 is kernelSet.packPanel: whole 8×8 blocks in assembly,
// columns outer (transposePanelAVX2), the rest as transposeAVX2 does it.
// For a panel already in cache, columns outer beats transposeAVX2's
// rows-outer order, which suits a source streaming from memory.
func packPanelAVX2(k int, src []float32, ld int, dst []float32, n int) {
	k8 := k &^ 7
	if k8 == 0 || n%8 != 0 {
		transposeAVX2(k, src, ld, dst, n)
		return
	}
	// The assembly does not check bounds: make the slices prove them.
	_, _ = src[(n-1)*ld+k-1], dst[k*n-1]
	transposePanelAVX2(k8, src, ld, dst, n)
	for j := 0; j < n; j++ {
		row := src[j*ld : j*ld+k]
		for p := k8; p < k; p++ {
			dst[p*n+j] = row[p]
		}
	}
}

// transposeAVX2 is kernelSet.transpose: whole 8×8 blocks in assembly, then
// four more rows if there are four (those of a 12-row AVX-512 or 6-row AVX2
// A panel), and what is left of rows and columns in Go.
func transposeAVX2(k int, src []float32, ld int, dst []float32, n int) {
	k8, n8 := k&^7, n&^7
	if k8 == 0 || n < 4 {
		transposeGeneric(k, src, ld, dst, n)
		return
	}
	// The assembly does not check bounds: make the slices prove them.
	_, _ = src[(n-1)*ld+k-1], dst[k*n-1]
	if n8 > 0 {
		transpose8AVX2(k8, src, ld, dst, n, n8)
	}
	done := n8 // rows whose first k8 columns are in place
	if n-n8 >= 4 {
		transpose4AVX2(k8, src[n8*ld:], ld, dst[n8:], n)
		done += 4
	}
	for j := 0; j < n; j++ {
		p0 := k8
		if j >= done {
			p0 = 0
		}
		row := src[j*ld : j*ld+k]
		for p := p0; p < k; p++ {
			dst[p*n+j] = row[p]
		}
	}
}
