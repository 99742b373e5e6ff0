package nn

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"

	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/quant"
)

// refModel is a float64 copy of a model's weights and a naive forward pass
// written independently of the engine: whole-sequence attention with explicit
// loops, rotation from the textbook formula, no cache, no batching.
type refModel struct {
	c       Config
	tensors map[string][]float64
}

func loadRef(t *testing.T, f *gguf.File, c Config) *refModel {
	r := &refModel{c: c, tensors: map[string][]float64{}}
	for i := range f.Tensors {
		ti := &f.Tensors[i]
		vals := make([]float32, ti.Elements())
		if err := quant.Dequantize(ti.Type, f.TensorData(ti), vals); err != nil {
			t.Fatal(err)
		}
		d := make([]float64, len(vals))
		for j, v := range vals {
			d[j] = float64(v)
		}
		r.tensors[ti.Name] = d
	}
	return r
}

func (r *refModel) w(name string) []float64 { return r.tensors[name] }

// matvec: W is rows×cols stored row-major (ggml ne = [cols, rows]).
func refMatVec(w []float64, rows, cols int, x []float64) []float64 {
	out := make([]float64, rows)
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			out[i] += w[i*cols+j] * x[j]
		}
	}
	return out
}

func refRMSNorm(x, w []float64, eps float64) []float64 {
	ss := 0.0
	for _, v := range x {
		ss += v * v
	}
	s := 1 / math.Sqrt(ss/float64(len(x))+eps)
	out := make([]float64, len(x))
	for i := range x {
		out[i] = x[i] * s * w[i]
	}
	return out
}

// refRotate applies RoPE to one head: adjacent pairs (2i, 2i+1), or for NeoX
// the pairs (i, i+d/2), by angle pos·base^(-2i/d)/factor_i.
func refRotate(h []float64, pos int, c Config, factors []float64) {
	d := c.RopeDims
	for i := 0; i < d/2; i++ {
		theta := float64(pos) * math.Pow(c.RopeBase, -2*float64(i)/float64(d))
		if factors != nil {
			theta /= factors[i]
		}
		a, b := 2*i, 2*i+1
		if c.Arch == "qwen2" { // decided here from the architecture, not from the engine's config
			a, b = i, i+d/2
		}
		x0, x1 := h[a], h[b]
		h[a] = x0*math.Cos(theta) - x1*math.Sin(theta)
		h[b] = x0*math.Sin(theta) + x1*math.Cos(theta)
	}
}

// forward returns the logits of every position of tokens.
func (r *refModel) forward(tokens []int32) [][]float64 {
	c := r.c
	hd := c.HeadDim
	emb := r.w("token_embd.weight")
	out := r.w("output.weight")
	if out == nil {
		out = emb
	}
	factors := r.w("rope_freqs.weight")
	xs := make([][]float64, len(tokens))
	for p, t := range tokens {
		xs[p] = append([]float64(nil), emb[int(t)*c.Dim:(int(t)+1)*c.Dim]...)
	}
	for l := 0; l < c.Layers; l++ {
		name := func(s string) string { return fmt.Sprintf("blk.%d.%s", l, s) }
		qs, ks, vs := make([][]float64, len(tokens)), make([][]float64, len(tokens)), make([][]float64, len(tokens))
		for p := range tokens {
			n := refRMSNorm(xs[p], r.w(name("attn_norm.weight")), float64(c.NormEps))
			qs[p] = refMatVec(r.w(name("attn_q.weight")), c.QDim(), c.Dim, n)
			ks[p] = refMatVec(r.w(name("attn_k.weight")), c.KVDim(), c.Dim, n)
			vs[p] = refMatVec(r.w(name("attn_v.weight")), c.KVDim(), c.Dim, n)
			if b := r.w(name("attn_q.bias")); b != nil {
				for i := range qs[p] {
					qs[p][i] += b[i]
				}
				for i := range ks[p] {
					ks[p][i] += r.w(name("attn_k.bias"))[i]
					vs[p][i] += r.w(name("attn_v.bias"))[i]
				}
			}
			for h := 0; h < c.Heads; h++ {
				refRotate(qs[p][h*hd:(h+1)*hd], p, c, factors)
			}
			for h := 0; h < c.KVHeads; h++ {
				refRotate(ks[p][h*hd:(h+1)*hd], p, c, factors)
			}
		}
		for p := range tokens {
			att := make([]float64, c.QDim())
			for h := 0; h < c.Heads; h++ {
				kvh := h / (c.Heads / c.KVHeads)
				scores := make([]float64, p+1)
				maxS := math.Inf(-1)
				for s := 0; s <= p; s++ {
					for i := 0; i < hd; i++ {
						scores[s] += qs[p][h*hd+i] * ks[s][kvh*hd+i]
					}
					scores[s] /= math.Sqrt(float64(hd))
					maxS = math.Max(maxS, scores[s])
				}
				sum := 0.0
				for s := range scores {
					scores[s] = math.Exp(scores[s] - maxS)
					sum += scores[s]
				}
				for s := range scores {
					for i := 0; i < hd; i++ {
						att[h*hd+i] += scores[s] / sum * vs[s][kvh*hd+i]
					}
				}
			}
			o := refMatVec(r.w(name("attn_output.weight")), c.Dim, c.QDim(), att)
			for i := range o {
				xs[p][i] += o[i]
			}
		}
		for p := range tokens {
			n := refRMSNorm(xs[p], r.w(name("ffn_norm.weight")), float64(c.NormEps))
			g := refMatVec(r.w(name("ffn_gate.weight")), c.FFNDim, c.Dim, n)
			u := refMatVec(r.w(name("ffn_up.weight")), c.FFNDim, c.Dim, n)
			for i := range g {
				g[i] = g[i] / (1 + math.Exp(-g[i])) * u[i]
			}
			d := refMatVec(r.w(name("ffn_down.weight")), c.Dim, c.FFNDim, g)
			for i := range d {
				xs[p][i] += d[i]
			}
		}
	}
	logits := make([][]float64, len(tokens))
	for p := range tokens {
		n := refRMSNorm(xs[p], r.w("output_norm.weight"), float64(c.NormEps))
		logits[p] = refMatVec(out, c.VocabSize, c.Dim, n)
	}
	return logits
}

// writeModel synthesises a model, writes it with the GGUF writer and opens it.
func writeModel(t testing.TB, s Shape, typ quant.Type, seed uint64) *Model {
	t.Helper()
	b, err := Synthesize(s, typ, seed)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "model.gguf")
	if err := b.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	m, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

var tinyShapes = []Shape{
	// Grouped-query attention, adjacent-pair rotation, separate output matrix.
	{Name: "llama-gqa", Arch: "llama", Dim: 64, Layers: 2, Heads: 8, KVHeads: 2, FFNDim: 96, Vocab: 300, Context: 128},
	// Tied output and Llama 3 rope frequency factors.
	{Name: "llama3-tied", Arch: "llama", Dim: 64, Layers: 2, Heads: 4, KVHeads: 4, FFNDim: 128, Vocab: 300, Context: 128, Tied: true, RopeFreqs: true, RopeBase: 500000},
	// qwen2: NeoX rotation, q/k/v biases, GQA.
	{Name: "qwen2", Arch: "qwen2", Dim: 64, Layers: 2, Heads: 4, KVHeads: 2, FFNDim: 96, Vocab: 300, Context: 128, Tied: true, RopeBase: 1000000},
}

// TestForwardMatchesFloat64Reference checks every position's logits against
// the naive float64 model, feeding the sequence in uneven pieces so that the
// KV cache, batching and single-token paths all take part.
func TestForwardMatchesFloat64Reference(t *testing.T) {
	tokens := []int32{1, 17, 290, 5, 77, 77, 3, 250, 99, 12, 260, 4, 8, 150, 42, 7, 33}
	for _, s := range tinyShapes {
		t.Run(s.Name, func(t *testing.T) {
			m := writeModel(t, s, quant.F32, 7)
			ref := loadRef(t, m.File, m.Config).forward(tokens)
			st, err := m.NewState(0)
			if err != nil {
				t.Fatal(err)
			}
			st.maxBatch = 4 // several batches within one call
			pos := 0
			for _, n := range []int{1, 6, 1, 9} {
				logits, err := st.Forward(tokens[pos:pos+n], true)
				if err != nil {
					t.Fatal(err)
				}
				for b := 0; b < n; b++ {
					want := ref[pos+b]
					got := logits[b*m.Config.VocabSize : (b+1)*m.Config.VocabSize]
					worst := 0.0
					for i := range want {
						worst = math.Max(worst, math.Abs(float64(got[i])-want[i]))
					}
					if worst > 1e-4 {
						t.Fatalf("position %d: logits differ from the float64 reference by %.3g (> 1e-4)", pos+b, worst)
					}
				}
				pos += n
			}
		})
	}
}

// TestQuantisedMatchesDequantised runs a quantised model and an F32 model
// holding exactly its dequantised values: the engine must compute the same
// function of the stored numbers, whatever the storage format.
func TestQuantisedMatchesDequantised(t *testing.T) {
	s := Shape{Name: "q", Arch: "llama", Dim: 256, Layers: 2, Heads: 4, KVHeads: 2, FFNDim: 512, Vocab: 300, Context: 64}
	tokens := []int32{1, 100, 200, 7, 9, 299}
	for _, typ := range []quant.Type{quant.F16, quant.BF16, quant.Q8_0, quant.Q4_0, quant.Q4_1, quant.Q5_0, quant.Q5_1, quant.Q4_K, quant.Q5_K, quant.Q6_K} {
		t.Run(typ.String(), func(t *testing.T) {
			qm := writeModel(t, s, typ, 3)
			twin := gguf.NewBuilder()
			for _, kv := range qm.File.KV {
				twin.Set(kv.Key, kv.Value)
			}
			for i := range qm.File.Tensors {
				ti := &qm.File.Tensors[i]
				vals := make([]float32, ti.Elements())
				if err := quant.Dequantize(ti.Type, qm.File.TensorData(ti), vals); err != nil {
					t.Fatal(err)
				}
				data, err := quant.Quantize(quant.F32, vals)
				if err == nil {
					err = twin.AddTensor(ti.Name, quant.F32, ti.Dims, data)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			path := filepath.Join(t.TempDir(), "twin.gguf")
			if err := twin.WriteFile(path); err != nil {
				t.Fatal(err)
			}
			fm, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer fm.Close()
			got, want := allLogits(t, qm, tokens), allLogits(t, fm, tokens)
			worst, ms, es := 0.0, 0.0, 0.0
			for i := range want {
				d := float64(got[i] - want[i])
				worst = math.Max(worst, math.Abs(d))
				ms += float64(want[i]) * float64(want[i])
				es += d * d
			}
			rms, errRMS := math.Sqrt(ms/float64(len(want))), math.Sqrt(es/float64(len(want)))
			t.Logf("%s: worst %.3g, error rms %.3g, logit rms %.3g", typ, worst, errRMS, rms)
			switch typ {
			case quant.Q8_0, quant.Q4_0, quant.Q5_0, quant.Q4_K, quant.Q5_K, quant.Q6_K:
				// These weights meet activations rounded to 8 bits (one scale
				// per 32 or 256 values, as ggml does), not the exact ones the
				// F32 twin sees. A rounded input is off by at most half a step,
				// max|block|/254: an RMS relative error of step/√12 ≈ 0.3-0.4%
				// of the block's spread for Gaussian-like data (max ≈ 3-4σ).
				// Each of the 15 products of this 2-layer model adds that much
				// relative noise to its outputs and the random weights of the
				// synthetic model amplify it, so the logits come out ~1-2% (RMS)
				// off. We allow 3% RMS and 12% at worst (of the logits' RMS):
				// a wrong scale, nibble or sub-block moves logits by tens of
				// percent, far beyond.
				if errRMS > 0.03*rms || worst > 0.12*rms {
					t.Fatalf("%s logits differ from the dequantised F32 twin by %.3g RMS, %.3g at worst (logit RMS %.3g)", typ, errRMS, worst, rms)
				}
			default:
				// Same numbers, same arithmetic: only summation order may differ.
				if worst > 1e-4 {
					t.Fatalf("%s logits differ from the dequantised F32 twin by %.3g", typ, worst)
				}
			}
		})
	}
}

func allLogits(t *testing.T, m *Model, tokens []int32) []float32 {
	t.Helper()
	st, err := m.NewState(0)
	if err != nil {
		t.Fatal(err)
	}
	logits, err := st.Forward(tokens, true)
	if err != nil {
		t.Fatal(err)
	}
	return append([]float32(nil), logits...)
}
