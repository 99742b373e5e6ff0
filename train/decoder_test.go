package train

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/optim"
	"github.com/milp-lite/milp-lite/quant"
	"github.com/milp-lite/milp-lite/tensor"
)

// TestDecoderMatchesInference: the training forward pass with a LoRA set
// computes the same loss as the inference engine running the folded adapter
// (nn.State.Forward with the adapter applied at the sites), so training and
// chat see one model.
func TestDecoderMatchesInference(t *testing.T) {
	for _, s := range tinyShapes {
		t.Run(s.Name, func(t *testing.T) {
			m := synthModel(t, s, quant.F32)
			set := allSitesSet(t, m, 3)
			tokens := []int32{1, 17, 290, 5, 77, 77, 3, 250, 99, 12}
			in, targets := tokens[:len(tokens)-1], tokens[1:]
			weights := make([]float32, len(in))
			for i := range weights {
				weights[i] = 1
			}
			weights[2] = 0 // a masked position
			dec, err := NewDecoder(m, set, 16)
			if err != nil {
				t.Fatal(err)
			}
			got, err := dec.Forward(in, targets, weights, nil)
			if err != nil {
				t.Fatal(err)
			}
			st, _ := m.NewState(0)
			st.SetAdapters(set.Fold())
			logits, err := st.Forward(in, true)
			if err != nil {
				t.Fatal(err)
			}
			logits = append([]float32(nil), logits...)
			want := tensor.CrossEntropy(logits, m.Config.VocabSize, targets, weights)
			if math.Abs(got-want) > 1e-4*math.Abs(want) {
				t.Fatalf("training loss %v, inference loss %v", got, want)
			}
		})
	}
}

// TestDecoderGradients proves the whole backward pass (output head, final
// norm, FFN and attention blocks, every LoRA site, two modules per site)
// against central finite differences of the loss on a sample of parameters.
func TestDecoderGradients(t *testing.T) {
	for _, s := range tinyShapes {
		t.Run(s.Name, func(t *testing.T) {
			m := synthModel(t, s, quant.F32)
			set := allSitesSet(t, m, 5)
			tokens := []int32{1, 40, 290, 5, 77, 8, 3, 250, 99}
			in, targets := tokens[:len(tokens)-1], tokens[1:]
			weights := make([]float32, len(in))
			for i := range weights {
				weights[i] = float32(i%3) / 4 // some masked, some weighted
			}
			dec, err := NewDecoder(m, set, 12)
			if err != nil {
				t.Fatal(err)
			}
			params := set.Params()
			optim.ZeroGrads(params)
			if _, err := dec.Forward(in, targets, weights, nil); err != nil {
				t.Fatal(err)
			}
			dec.Backward()
			rng := rand.New(rand.NewPCG(1, 2))
			var num, den float64
			for k := 0; k < 60; k++ {
				p := params[rng.IntN(len(params))]
				i := rng.IntN(len(p.Value))
				fd := richardson(p.Value, i, func() float64 {
					l, _ := dec.Forward(in, targets, weights, nil)
					return l
				})
				diff := float64(p.Grad[i]) - fd
				num += diff * diff
				den += fd * fd
			}
			if rel := math.Sqrt(num / den); rel > 5e-3 || den == 0 {
				t.Fatalf("LoRA gradients differ from finite differences by %.3g (relative)", rel)
			}
		})
	}
}

// TestDecoderDropoutGradients: with dropout the gradient is that of the
// loss under the same mask (replayed from the same seed).
func TestDecoderDropoutGradients(t *testing.T) {
	m := synthModel(t, tinyShapes[0], quant.F32)
	rng := rand.New(rand.NewPCG(2, 2))
	layers, _ := lora.ParseLayers("1", m.Config.Layers)
	sites, _ := lora.ParseSites("ffn_up,attn_v")
	set, err := lora.New(m, lora.Config{Sites: sites, Layers: layers, Modules: []lora.ModuleConfig{{Rank: 4, Alpha: 8}}, Dropout: 0.3}, rng)
	if err != nil {
		t.Fatal(err)
	}
	params := set.Params()
	for _, p := range params {
		for i := range p.Value {
			p.Value[i] = float32(rng.NormFloat64() * 0.3)
		}
	}
	in, targets := []int32{1, 5, 9, 200, 31}, []int32{5, 9, 200, 31, 2}
	weights := []float32{1, 1, 1, 1, 1}
	dec, _ := NewDecoder(m, set, 8)
	loss := func() float64 {
		l, _ := dec.Forward(in, targets, weights, rand.New(rand.NewPCG(7, 7)))
		return l
	}
	optim.ZeroGrads(params)
	loss()
	dec.Backward()
	var num, den float64
	for _, p := range params {
		for i := 0; i < len(p.Value); i += 7 {
			fd := richardson(p.Value, i, loss)
			num += (float64(p.Grad[i]) - fd) * (float64(p.Grad[i]) - fd)
			den += fd * fd
		}
	}
	if rel := math.Sqrt(num / den); rel > 5e-3 || den == 0 {
		t.Fatalf("gradients under dropout differ from finite differences by %.3g", rel)
	}
}

// richardson is the derivative of loss with respect to v[i] by central
// differences at steps h and h/2 combined to cancel the h² term: the
// attention logits of a random model curve enough that a plain difference
// at a step large enough for float32 is off by a percent.
func richardson(v []float32, i int, loss func() float64) float64 {
	orig := v[i]
	central := func(h float32) float64 {
		v[i] = orig + h
		lp := loss()
		v[i] = orig - h
		lm := loss()
		v[i] = orig
		return (lp - lm) / (2 * float64(h))
	}
	return (4*central(5e-3) - central(1e-2)) / 3
}
