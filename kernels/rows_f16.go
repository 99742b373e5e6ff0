package kernels

// Rows of a small matrix in IEEE halves against float32 vectors: a LoRA's
// factors kept in half precision for inference (llama.cpp's converter
// writes adapters in F16 by default), read at half the bytes. Where the
// level has the one-query attention kernels for halves (the same sums over
// rows of a cache) they run on those; elsewhere each row is widened into
// the caller's scratch first. Either way the results have the bits the
// float32 functions give the widened rows.

// DotRowsF16 sets out[j] = Σ_i x[i]·rows[j·stride+i] for j < len(out), the
// bits DotRows gives the widened rows; scratch holds len(x) values.
func DotRowsF16(x []float32, rows []uint16, stride int, out, scratch []float32) {
	if len(out) == 0 {
		return
	}
	rows = rows[:(len(out)-1)*stride+len(x)] // the kernels do not check bounds
	if impl.attnScoresF16 != nil && len(x)%impl.attnOneWidth == 0 {
		impl.attnScoresF16(x, rows, stride, len(out), 1, out)
		return
	}
	wide := scratch[:len(x)]
	for j := range out {
		impl.widenF16(rows[j*stride:j*stride+len(x)], wide)
		DotRows(x, wide, len(x), out[j:j+1]) // the kernel DotRows takes for this length
	}
}

// DotRows is DotRowsF16's float32 twin: out[j] = Σ_i x[i]·rows[j·stride+i],
// on the fused scores kernel where the level has one.
func DotRows(x, rows []float32, stride int, out []float32) {
	if len(out) == 0 {
		return
	}
	rows = rows[:(len(out)-1)*stride+len(x)]
	if impl.attnScores != nil && len(x)%impl.attnOneWidth == 0 {
		impl.attnScores(x, rows, stride, len(out), 1, out)
		return
	}
	for j := range out {
		out[j] = impl.dot(x, rows[j*stride:j*stride+len(x)])
	}
}

// AxpyRowsF16 computes y += Σ_j alpha[j]·rows[j·stride:][:len(y)] widened,
// in j order with one FMA per term: the bits of AxpyRows over the widened
// rows; scratch holds len(y) values.
func AxpyRowsF16(alpha []float32, rows []uint16, stride int, y, scratch []float32) {
	if len(alpha) == 0 {
		return
	}
	rows = rows[:(len(alpha)-1)*stride+len(y)]
	if impl.attnMixF16 != nil && len(y)%impl.attnOneWidth == 0 {
		impl.attnMixF16(alpha, rows, stride, y)
		return
	}
	wide := scratch[:len(y)]
	for j, a := range alpha {
		impl.widenF16(rows[j*stride:j*stride+len(y)], wide)
		impl.axpy(a, wide, y)
	}
}
