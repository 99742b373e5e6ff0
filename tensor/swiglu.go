package tensor

import "github.com/milp-lite/milp-lite/kernels"

// SwiGLU writes h = silu(g) ⊙ u element-wise (kernels.SwiGLU).
func SwiGLU(h, g, u []float32) { kernels.SwiGLU(h, g, u) }

// SwiGLUBackward adds the gradients of g and u from dh
// (kernels.SwiGLUBackward).
func SwiGLUBackward(dg, du, g, u, dh []float32) { kernels.SwiGLUBackward(dg, du, g, u, dh) }

// swigluChunk is how many elements a pool task of ParallelSwiGLU takes:
// enough exponentials to repay handing the task out, few enough that a
// layer's 393,216 (SmolLM2-135M, 256 tokens) split into ~24 chunks that
// balance.
const swigluChunk = 16 << 10

// ParallelSwiGLU runs SwiGLU and SwiGLUBackward on the kernel pool, in
// chunks of elements: element-wise, so the results are those of the serial
// functions, bit for bit. Run on the caller alone, they would keep the
// other workers waiting for a noticeable share of a training step. Make
// one per decoder: it holds the task so that a call allocates nothing.
type ParallelSwiGLU struct {
	backward            bool
	h, g, u, dg, du, dh []float32
}

// Forward is SwiGLU(h, g, u) on the pool.
func (p *ParallelSwiGLU) Forward(h, g, u []float32) {
	p.backward, p.h, p.g, p.u = false, h, g, u[:len(g)]
	p.run()
}

// Backward is SwiGLUBackward(dg, du, g, u, dh) on the pool.
func (p *ParallelSwiGLU) Backward(dg, du, g, u, dh []float32) {
	p.backward, p.dg, p.du, p.g, p.u, p.dh = true, dg, du, g, u[:len(g)], dh
	p.run()
}

func (p *ParallelSwiGLU) run() {
	kernels.Default().For((len(p.g)+swigluChunk-1)/swigluChunk, 1, p)
	*p = ParallelSwiGLU{}
}

// Do runs chunks [lo, hi).
func (p *ParallelSwiGLU) Do(lo, hi, _ int) {
	a, b := lo*swigluChunk, min(hi*swigluChunk, len(p.g))
	if p.backward {
		SwiGLUBackward(p.dg[a:b], p.du[a:b], p.g[a:b], p.u[a:b], p.dh[a:b])
		return
	}
	SwiGLU(p.h[a:b], p.g[a:b], p.u[a:b])
}
