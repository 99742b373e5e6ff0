package kernels

// SoftmaxGrad turns dp, the gradient of a softmax row's outputs p, into
// that of its inputs times scale: dp[j] = p[j]·(dp[j] − d)·scale, with d
// = Σ dp·p (attention's backward computes it from the output). Each
// operation is rounded on its own, left to right, at every level.
func SoftmaxGrad(p, dp []float32, d, scale float32) {
	impl.softmaxGrad(p, dp[:len(p)], d, scale)
}

func softmaxGradGeneric(p, dp []float32, d, scale float32) {
	for j, pj := range p {
		dp[j] = pj * (dp[j] - d) * scale
	}
}
