package kernels

// gemmMicroGeneric is the portable 4×4 register tile.
func gemmMicroGeneric(k int, a, b, c []float32, ldc int, accumulate bool) {
	var t [4][4]float32
	if accumulate {
		for i := range t {
			copy(t[i][:], c[i*ldc:i*ldc+4])
		}
	}
	a, b = a[:4*k], b[:4*k]
	for p := 0; p < k; p++ {
		ap, bp := a[4*p:4*p+4], b[4*p:4*p+4]
		for i := 0; i < 4; i++ {
			ai := ap[i]
			t[i][0] += ai * bp[0]
			t[i][1] += ai * bp[1]
			t[i][2] += ai * bp[2]
			t[i][3] += ai * bp[3]
		}
	}
	for i := range t {
		copy(c[i*ldc:i*ldc+4], t[i][:])
	}
}

// transposeGeneric packs n rows of src (stride ld) as k rows of n values:
// dst[p*n+j] = src[j*ld+p]. It is kernelSet.transpose for float32 and
// transposeHalves for halves.
func transposeGeneric[T float32 | uint16](k int, src []T, ld int, dst []T, n int) {
	dst = dst[:k*n]
	for j := 0; j < n; j++ {
		row := src[j*ld : j*ld+k]
		for p, v := range row {
			dst[p*n+j] = v
		}
	}
}

// packStripsGeneric is kernelSet.packStrips: for p < rows and s < strips,
// dst[s*dstStride+p*width:][:width] = src[p*ld+s*width:][:width].
func packStripsGeneric(rows int, src []float32, ld int, dst []float32, dstStride, width, strips int) {
	for p := 0; p < rows; p++ {
		row := src[p*ld:]
		for s := 0; s < strips; s++ {
			copy(dst[s*dstStride+p*width:s*dstStride+(p+1)*width], row[s*width:(s+1)*width])
		}
	}
}
