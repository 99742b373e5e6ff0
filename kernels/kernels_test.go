package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/milp-lite/milp-lite/quant"
)

func randVec(r *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return v
}

// randMatrix returns a rows×cols matrix of type t holding random normal
// values (randVec), and the float32 values it stores.
func randMatrix(tb testing.TB, r *rand.Rand, t quant.Type, rows, cols int) (*Matrix, []float32) {
	tb.Helper()
	data, err := quant.Quantize(t, randVec(r, rows*cols))
	if err != nil {
		tb.Fatal(err)
	}
	w, err := NewMatrix(t, rows, cols, data)
	if err != nil {
		tb.Fatal(err)
	}
	deq := make([]float32, rows*cols)
	if err := quant.Dequantize(t, data, deq); err != nil {
		tb.Fatal(err)
	}
	return w, deq
}

func TestMatMulAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, typ := range []quant.Type{quant.F32, quant.F16, quant.Q8_0, quant.Q4_0, quant.Q4_K, quant.Q6_K} {
		rows, cols, batch := 37, 512, 5
		w, deq := randMatrix(t, r, typ, rows, cols)
		x := randVec(r, batch*cols)
		got := make([]float32, batch*rows)
		NewPool(3).MatMul(got, w, x, batch)
		for b := 0; b < batch; b++ {
			for i := 0; i < rows; i++ {
				var want float64
				for j := 0; j < cols; j++ {
					want += float64(deq[i*cols+j]) * float64(x[b*cols+j])
				}
				// Integer-dot types see activations rounded to 8 bits:
				// allow their bound (see actQuantBound).
				tol := 1e-3 + actQuantBound(typ, deq[i*cols:(i+1)*cols], x[b*cols:(b+1)*cols])
				if d := math.Abs(float64(got[b*rows+i]) - want); d > tol {
					t.Fatalf("%s: out[%d][%d] = %g, want %g (tolerance %g)", typ, b, i, got[b*rows+i], want, tol)
				}
			}
		}
	}
}

func TestNewMatrixRejects(t *testing.T) {
	if _, err := NewMatrix(quant.IQ2_XXS, 1, 256, make([]byte, 66)); err == nil {
		t.Fatal("IQ2_XXS accepted")
	}
	if _, err := NewMatrix(quant.Q8_0, 2, 32, make([]byte, 35)); err == nil {
		t.Fatal("wrong byte count accepted")
	}
	if _, err := NewMatrix(quant.Q8_0, 2, 33, make([]byte, 68)); err == nil {
		t.Fatal("row not a whole number of blocks accepted")
	}
}

func TestRMSNormSoftmaxSiLU(t *testing.T) {
	x := []float32{1, -2, 3, 4}
	w := []float32{1, 1, 2, 0.5}
	dst := make([]float32, 4)
	RMSNorm(dst, x, w, 0)
	s := float32(1 / math.Sqrt(30.0/4)) // mean of squares: (1+4+9+16)/4
	for i, want := range []float32{1 * s, -2 * s, 6 * s, 2 * s} {
		if math.Abs(float64(dst[i]-want)) > 1e-6 {
			t.Fatalf("RMSNorm[%d] = %g, want %g", i, dst[i], want)
		}
	}
	p := []float32{0, math.Float32frombits(0x7f7fffff), 0} // a huge logit must not overflow
	Softmax(p)
	if p[1] != 1 || p[0] != 0 {
		t.Fatalf("softmax of a dominant logit: %v", p)
	}
	p = []float32{1, 2, 3}
	Softmax(p)
	e := []float64{math.Exp(1), math.Exp(2), math.Exp(3)}
	for i := range p {
		if math.Abs(float64(p[i])-e[i]/(e[0]+e[1]+e[2])) > 1e-6 {
			t.Fatalf("softmax[%d] = %g", i, p[i])
		}
	}
	g, u := []float32{0, 2, -3}, []float32{5, 1, 2}
	SiLUMul(g, u)
	for i, want := range []float64{0, 2 / (1 + math.Exp(-2)), -3 / (1 + math.Exp(3)) * 2} {
		if math.Abs(float64(g[i])-want) > 1e-6 {
			t.Fatalf("silu·mul[%d] = %g, want %g", i, g[i], want)
		}
	}
}

func TestRoPERotatesPairs(t *testing.T) {
	// One head of 4 with base 100: frequencies 1 and 0.1. At position 2 the
	// first pair turns by 2 rad, the second by 0.2 rad.
	for _, neox := range []bool{false, true} {
		r := NewRoPE(4, 100, neox, nil, 1)
		x := []float32{1, 0, 0, 1} // pairs (0,1),(2,3); NeoX: (0,2),(1,3)
		cs := make([]float32, r.AnglesLen())
		r.Angles(2, cs)
		r.Rotate(x, 1, 4, cs)
		var want []float64
		if !neox {
			want = []float64{math.Cos(2), math.Sin(2), -math.Sin(0.2), math.Cos(0.2)}
		} else {
			want = []float64{math.Cos(2), -math.Sin(0.2), math.Sin(2), math.Cos(0.2)}
		}
		for i := range x {
			if math.Abs(float64(x[i])-want[i]) > 1e-6 {
				t.Fatalf("neox=%v: x[%d] = %g, want %g", neox, i, x[i], want[i])
			}
		}
	}
}

// TestRoPEAgainstFloat64: Angles+Rotate turn each pair by pos·θ_i as a
// float64 rotation does (within float32 rounding), at every level, for
// partial rotation (Dims < head size), both pairings, several heads, and
// widths the SIMD kernels take (16, 32, 64) and do not (12); and every
// level gives the generic code's bits.
func TestRoPEAgainstFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	type input struct {
		dims, hs, pos int
		neox          bool
		x             []float32
	}
	var inputs []input
	for _, neox := range []bool{false, true} {
		for _, shape := range [][2]int{{12, 16}, {16, 16}, {32, 48}, {64, 64}, {64, 128}} {
			for _, pos := range []int{0, 1, 17, 4095, -9} {
				inputs = append(inputs, input{shape[0], shape[1], pos, neox, randVec(rng, 3*shape[1])})
			}
		}
	}
	rotate := func(in input) []float32 {
		r := NewRoPE(in.dims, 10000, in.neox, nil, 1)
		cs := make([]float32, r.AnglesLen())
		r.Angles(in.pos, cs)
		y := append([]float32(nil), in.x...)
		r.Rotate(y, 3, in.hs, cs)
		return y
	}
	defer SetLevel(CurrentLevel())
	if err := SetLevel(Generic); err != nil {
		t.Fatal(err)
	}
	want := make([][]float32, len(inputs))
	for k, in := range inputs {
		want[k] = rotate(in)
		half := in.dims / 2
		for h := 0; h < 3; h++ {
			head, got := in.x[h*in.hs:(h+1)*in.hs], want[k][h*in.hs:(h+1)*in.hs]
			for i := 0; i < half; i++ {
				a, b := 2*i, 2*i+1
				if in.neox {
					a, b = i, i+half
				}
				s, c := math.Sincos(float64(in.pos) * math.Pow(10000, -2*float64(i)/float64(in.dims)))
				x0, x1 := float64(head[a]), float64(head[b])
				ra, rb := x0*c-x1*s, x0*s+x1*c
				tol := 1e-6 * (math.Abs(x0) + math.Abs(x1))
				if math.Abs(float64(got[a])-ra) > tol || math.Abs(float64(got[b])-rb) > tol {
					t.Fatalf("neox=%v dims=%d pos %d pair %d: (%g, %g), float64 (%g, %g)", in.neox, in.dims, in.pos, i, got[a], got[b], ra, rb)
				}
			}
			for j := in.dims; j < in.hs; j++ {
				if got[j] != head[j] {
					t.Fatalf("dims=%d: value %d past the rotated ones changed", in.dims, j)
				}
			}
		}
	}
	forEachLevel(t, func(t testing.TB, l Level) {
		for k, in := range inputs {
			got := rotate(in)
			for i := range got {
				if got[i] != want[k][i] {
					t.Fatalf("%s neox=%v dims=%d head=%d pos %d: value %d is %g, generic %g", l, in.neox, in.dims, in.hs, in.pos, i, got[i], want[k][i])
				}
			}
		}
	})
}

func TestDotAxpy(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 7, 8, 9, 100} {
		a, b := randVec(r, n), randVec(r, n)
		var want float64
		for i := range a {
			want += float64(a[i]) * float64(b[i])
		}
		if d := math.Abs(float64(Dot(a, b)) - want); d > 1e-4 {
			t.Fatalf("Dot n=%d off by %g", n, d)
		}
		y := append([]float32(nil), b...)
		Axpy(0.5, a, y)
		for i := range y {
			if y[i] != b[i]+0.5*a[i] {
				t.Fatalf("Axpy n=%d index %d", n, i)
			}
		}
	}
}

func TestMatMulTAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, typ := range []quant.Type{quant.F32, quant.F16, quant.Q8_0, quant.Q4_K, quant.Q6_K} {
		rows, cols, batch := 19, 768, 3
		w, deq := randMatrix(t, r, typ, rows, cols)
		dy := randVec(r, batch*rows)
		got := randVec(r, batch*cols) // garbage that must be overwritten
		NewPool(3).MatMulT(got, w, dy, batch)
		for b := 0; b < batch; b++ {
			for j := 0; j < cols; j++ {
				var want float64
				for i := 0; i < rows; i++ {
					want += float64(deq[i*cols+j]) * float64(dy[b*rows+i])
				}
				if d := math.Abs(float64(got[b*cols+j]) - want); d > 1e-3 {
					t.Fatalf("%s: dx[%d][%d] = %g, want %g", typ, b, j, got[b*cols+j], want)
				}
			}
		}
	}
}
