package kernels

// Dot returns the inner product of a and b[:len(a)].
func Dot(a, b []float32) float32 {
	b = b[:len(a)]
	return impl.dot(a, b)
}

// Axpy computes y += alpha*x over len(x) elements.
func Axpy(alpha float32, x, y []float32) {
	y = y[:len(x)]
	impl.axpy(alpha, x, y)
}

// AxpyRows computes y += Σ_j alpha[j]·x[j·stride:][:len(y)], in j order
// with one FMA per term: the bits of an Axpy call per j, but where the
// level has the fused one-query attention kernels (a mix of cache rows is
// this very sum) y stays in registers across the rows instead of being
// read and written once per row. A LoRA's up-projection is one call.
func AxpyRows(alpha, x []float32, stride int, y []float32) {
	if len(alpha) == 0 {
		return
	}
	x = x[:(len(alpha)-1)*stride+len(y)] // the kernel does not check bounds
	if impl.attnMix != nil && len(y)%impl.attnOneWidth == 0 {
		impl.attnMix(alpha, x, stride, y)
		return
	}
	for j, a := range alpha {
		impl.axpy(a, x[j*stride:j*stride+len(y)], y)
	}
}

// Scale multiplies x by alpha in place.
func Scale(alpha float32, x []float32) { impl.scale(alpha, x) }

// Add computes dst = a + b element-wise over len(dst).
func Add(dst, a, b []float32) {
	a, b = a[:len(dst)], b[:len(dst)]
	if len(dst) > 0 && &dst[0] == &a[0] {
		// In place (the residual stream: x += block output): an AXPY by
		// one, whose 1·b + a rounds once, as a + b does.
		impl.axpy(1, b, dst)
		return
	}
	for i := range dst {
		dst[i] = a[i] + b[i]
	}
}

// SumF32 returns the sum of x. It streams x once, so timing it on a buffer
// larger than the caches measures the memory read bandwidth the matrix-vector
// products can at best reach.
func SumF32(x []float32) float32 { return impl.sum(x) }

// PeakFMALoop runs iters rounds of independent fused multiply-add chains
// filling the vector units of one core at the current level, and returns the
// floating-point operations done: flops/second is the core's FMA peak.
func PeakFMALoop(iters int) (flops int64) { return impl.peakFMA(iters) }
