package lora

import (
	"math/rand/v2"
	"testing"

	"github.com/milp-lite/milp-lite/internal/testmodel"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/quant"
)

// BenchmarkAdapt: rank-8 LoRA terms for 16 rows at SmolLM2-135M's FFN sites
// of one layer (gate and up 576→1536, down 1536→576), the rows sharing one
// adapter (a prompt chunk: the batch groups rows by adapter) or each with
// its own (sixteen users generating: what a gathered kernel would see),
// with the factors in float32 and in halves (UseHalves).
func BenchmarkAdapt(b *testing.B) {
	m := testmodel.Synthetic(b, nn.Shape{Name: "ffn", Arch: "llama", Dim: 576, Layers: 1, Heads: 9, KVHeads: 3, FFNDim: 1536,
		Vocab: 300, Context: 64}, quant.F32, 1)
	cfg := Config{Sites: []nn.Site{nn.SiteGate, nn.SiteUp, nn.SiteDown}, Layers: []int{0}, Modules: Modules(1, 8, DefaultAlpha(8))}
	const rows = 16
	adapters := make([]*Adapter, rows)
	for i := range adapters {
		a, err := Random(m, cfg, 0.1, rand.New(rand.NewPCG(1, uint64(i))))
		if err != nil {
			b.Fatal(err)
		}
		adapters[i] = a
	}
	rng := rand.New(rand.NewPCG(3, 4))
	x, y := make([]float32, rows*1536), make([]float32, rows*1536)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	dims := func(site nn.Site) (int, int) {
		if site == nn.SiteDown {
			return 1536, 576
		}
		return 576, 1536
	}
	for _, halves := range []bool{false, true} {
		suffix := ""
		if halves {
			suffix = ", halves"
			for _, a := range adapters {
				a.UseHalves()
			}
		}
		scratch := make([]float32, adapters[0].ScratchLen())
		b.Run("one adapter"+suffix, func(b *testing.B) {
			for b.Loop() {
				for _, site := range cfg.Sites {
					in, out := dims(site)
					adapters[0].Adapt(0, site, y[:rows*out], x[:rows*in], rows, scratch)
				}
			}
		})
		b.Run("an adapter a row"+suffix, func(b *testing.B) {
			for b.Loop() {
				for _, site := range cfg.Sites {
					in, out := dims(site)
					for r, a := range adapters {
						a.Adapt(0, site, y[r*out:(r+1)*out], x[r*in:(r+1)*in], 1, scratch)
					}
				}
			}
		})
	}
}
