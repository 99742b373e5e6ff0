package tensor

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/milp-lite/milp-lite/kernels"
	"github.com/milp-lite/milp-lite/quant"
)

// gradCheck proves a backward pass: for the scalar L = Σ r ⊙ f(inputs), with
// r a fixed random projection, it compares every input's analytic gradient
// with central finite differences (L summed in float64, step h chosen large
// enough that float32 rounding of f is far below h²-sized truncation).
func gradCheck(t *testing.T, name string, inputs []*Tensor, f func(tp *Tape) *Tensor) {
	t.Helper()
	rng := rand.New(rand.NewPCG(9, 9))
	var tp Tape
	out := f(&tp)
	r := make([]float32, len(out.Data))
	for i := range r {
		r[i] = float32(rng.NormFloat64())
	}
	for _, in := range inputs {
		in.ZeroGrad()
	}
	copy(out.Grad, r)
	tp.Backward()
	loss := func() float64 {
		var tp Tape
		o := f(&tp)
		s := 0.0
		for i, v := range o.Data {
			s += float64(v) * float64(r[i])
		}
		return s
	}
	const h = 1e-2
	for k, in := range inputs {
		analytic := append([]float32(nil), in.Grad...)
		var num, den float64
		for i := range in.Data {
			orig := in.Data[i]
			in.Data[i] = orig + h
			lp := loss()
			in.Data[i] = orig - h
			lm := loss()
			in.Data[i] = orig
			fd := (lp - lm) / (2 * h)
			d := float64(analytic[i]) - fd
			num += d * d
			den += fd * fd
		}
		rel := math.Sqrt(num / math.Max(den, 1e-12))
		if rel > 2e-3 || den == 0 {
			t.Errorf("%s: input %d: gradient differs from finite differences by %.3g (relative; |fd|² = %.3g)", name, k, rel, den)
		}
	}
}

func randTensor(rng *rand.Rand, rows, cols int, scale float64) *Tensor {
	x := New(rows, cols)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64() * scale)
	}
	return x
}

func TestGradMatMul(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	x, w := randTensor(rng, 3, 5, 1), randTensor(rng, 4, 5, 1)
	gradCheck(t, "MatMul", []*Tensor{x, w}, func(tp *Tape) *Tensor { return tp.MatMul(x, w) })
}

// TestGradFrozenMatMul: the input gradient through frozen weights of several
// stored types (block types need 32 or 256 columns).
func TestGradFrozenMatMul(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for _, typ := range []quant.Type{quant.F32, quant.F16, quant.Q8_0, quant.Q4_K} {
		cols := 256
		vals := make([]float32, 6*cols)
		for i := range vals {
			vals[i] = float32(rng.NormFloat64())
		}
		data, err := quant.Quantize(typ, vals)
		if err != nil {
			t.Fatal(err)
		}
		w, err := kernels.NewMatrix(typ, 6, cols, data)
		if err != nil {
			t.Fatal(err)
		}
		// The kernels may quantise activations for quantised weights, which
		// makes the forward pass a step function: finite differences are taken
		// on the F32 twin holding the dequantised weights, and the quantised
		// matrix's backward pass must equal the twin's.
		twin := make([]float32, 6*cols)
		for r := 0; r < 6; r++ {
			copy(twin[r*cols:], w.Row(r, twin[r*cols:(r+1)*cols]))
		}
		tw := kernels.NewF32Matrix(6, cols, twin)
		x := randTensor(rng, 2, cols, 1)
		gradCheck(t, "FrozenMatMul/"+typ.String(), []*Tensor{x}, func(tp *Tape) *Tensor { return tp.FrozenMatMul(x, tw) })
		dy := randTensor(rng, 2, 6, 1).Data
		got, want := make([]float32, 2*cols), make([]float32, 2*cols)
		FrozenLinearBackward(got, w, dy, 2)
		FrozenLinearBackward(want, tw, dy, 2)
		for i := range want {
			if math.Abs(float64(got[i]-want[i])) > 1e-4 {
				t.Fatalf("%s: input gradient %d is %v, the dequantised twin's %v", typ, i, got[i], want[i])
			}
		}
	}
}

func TestGradEmbeddingAdd(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	table, other := randTensor(rng, 6, 4, 1), randTensor(rng, 5, 4, 1)
	tokens := []int32{2, 0, 2, 5, 1} // a repeated token sums its gradients
	gradCheck(t, "Embedding+Add", []*Tensor{table, other}, func(tp *Tape) *Tensor {
		return tp.Add(tp.Embedding(table, tokens), other)
	})
}

func TestGradRMSNorm(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	x := randTensor(rng, 3, 8, 1)
	w := make([]float32, 8)
	for i := range w {
		w[i] = float32(1 + rng.NormFloat64()*0.3)
	}
	gradCheck(t, "RMSNorm", []*Tensor{x}, func(tp *Tape) *Tensor { return tp.RMSNorm(x, w, 1e-5) })
	// The weight gradient of the plain function, checked on its own.
	wt := From(1, 8, w)
	gradCheck(t, "RMSNorm weight", []*Tensor{wt}, func(tp *Tape) *Tensor {
		y := New(3, 8)
		rstd := make([]float32, 3)
		RMSNorm(y.Data, rstd, x.Data, wt.Data, 8, 3, 1e-5)
		tp.record(func() { RMSNormBackward(make([]float32, 24), wt.Grad, x.Data, wt.Data, rstd, y.Grad, 8, 3) })
		return y
	})
}

func TestGradRoPE(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, neox := range []bool{false, true} {
		r := kernels.NewRoPE(8, 10000, neox, nil, 1)
		x := randTensor(rng, 4, 16, 1)
		gradCheck(t, "RoPE", []*Tensor{x}, func(tp *Tape) *Tensor { return tp.RoPE(r, x, 2, 3) })
	}
}

func TestGradSwiGLU(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	g, u := randTensor(rng, 3, 7, 2), randTensor(rng, 3, 7, 1)
	gradCheck(t, "SwiGLU", []*Tensor{g, u}, func(tp *Tape) *Tensor { return tp.SwiGLU(g, u) })
}

// TestGradAttention covers grouped-query attention (4 query heads over 2 KV
// heads) and plain multi-head attention.
func TestGradAttention(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, kv := range []int{2, 4} {
		const T, heads, hs = 5, 4, 4
		q, k, v := randTensor(rng, T, heads*hs, 1), randTensor(rng, T, kv*hs, 1), randTensor(rng, T, kv*hs, 1)
		gradCheck(t, "Attention", []*Tensor{q, k, v}, func(tp *Tape) *Tensor { return tp.Attention(q, k, v, heads, kv) })
	}
}

// TestAttentionMatchesNaive: the forward pass against softmax(qkᵀ/√d)v
// written out in float64 with an explicit causal mask.
func TestAttentionMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	const T, heads, kvh, hs = 6, 4, 2, 8
	q, k, v := randTensor(rng, T, heads*hs, 1), randTensor(rng, T, kvh*hs, 1), randTensor(rng, T, kvh*hs, 1)
	var tp Tape
	out := tp.Attention(q, k, v, heads, kvh)
	for tt := 0; tt < T; tt++ {
		for h := 0; h < heads; h++ {
			g := h / (heads / kvh)
			s := make([]float64, tt+1)
			var sum float64
			for j := range s {
				for i := 0; i < hs; i++ {
					s[j] += float64(q.Data[tt*heads*hs+h*hs+i]) * float64(k.Data[j*kvh*hs+g*hs+i])
				}
				s[j] = math.Exp(s[j] / math.Sqrt(hs))
				sum += s[j]
			}
			for i := 0; i < hs; i++ {
				want := 0.0
				for j := range s {
					want += s[j] / sum * float64(v.Data[j*kvh*hs+g*hs+i])
				}
				if got := out.Data[tt*heads*hs+h*hs+i]; math.Abs(float64(got)-want) > 1e-5 {
					t.Fatalf("t=%d h=%d i=%d: %g, want %g", tt, h, i, got, want)
				}
			}
		}
	}
}

// TestGradCrossEntropy: the fused gradient of the masked, weighted loss.
func TestGradCrossEntropy(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	logits := randTensor(rng, 4, 6, 2)
	targets := []int32{1, 5, 0, 3}
	weights := []float32{0.5, 0, 0.25, 1} // row 1 masked
	gradCheck(t, "CrossEntropy", []*Tensor{logits}, func(tp *Tape) *Tensor {
		return tp.CrossEntropy(logits, targets, weights)
	})
}

// TestCrossEntropyValue: uniform logits cost log(vocab) per weighted token.
func TestCrossEntropyValue(t *testing.T) {
	logits := make([]float32, 2*8)
	l := CrossEntropy(logits, 8, []int32{3, 4}, []float32{1, 0})
	if math.Abs(l-math.Log(8)) > 1e-6 {
		t.Fatalf("loss %g, want log 8 = %g", l, math.Log(8))
	}
}

// TestCrossEntropyRowsMatchesSerial: the parallel loss and gradient equal
// the serial ones exactly (same per-row arithmetic, sum in row order).
func TestCrossEntropyRowsMatchesSerial(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	const T, vocab = 37, 301
	logits := randTensor(rng, T, vocab, 3).Data
	targets, weights := make([]int32, T), make([]float32, T)
	for i := range targets {
		targets[i], weights[i] = int32(rng.IntN(vocab)), float32(i%4)/3
	}
	serial := append([]float32(nil), logits...)
	want := CrossEntropy(serial, vocab, targets, weights)
	got := NewCrossEntropyRows(T+5).Loss(logits, vocab, targets, weights)
	if got != want {
		t.Fatalf("loss %v, serial %v", got, want)
	}
	for i := range logits {
		if logits[i] != serial[i] {
			t.Fatalf("gradient %d: %v, serial %v", i, logits[i], serial[i])
		}
	}
}
