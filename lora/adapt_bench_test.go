package lora

import (
	"math/rand/v2"
	"testing"

	"github.com/milp-lite/milp-lite/internal/testmodel"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/quant"
)

// BenchmarkAdapt: a rank-8 adapter's term for 16 rows at SmolLM2-135M's
// FFN sites of one layer (gate and up 576→1536, down 1536→576).
func BenchmarkAdapt(b *testing.B) {
	m := testmodel.Synthetic(b, nn.Shape{Name: "ffn", Arch: "llama", Dim: 576, Layers: 1, Heads: 9, KVHeads: 3, FFNDim: 1536,
		Vocab: 300, Context: 64}, quant.F32, 1)
	cfg := Config{Sites: []nn.Site{nn.SiteGate, nn.SiteUp, nn.SiteDown}, Layers: []int{0}, Modules: Modules(1, 8, DefaultAlpha(8))}
	a, err := Random(m, cfg, 0.1, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		b.Fatal(err)
	}
	const rows = 16
	x, y := make([]float32, rows*1536), make([]float32, rows*1536)
	scratch := make([]float32, a.ScratchLen())
	b.SetBytes(int64(4 * 8 * (576 + 1536) * 3)) // the factors of the three sites
	for b.Loop() {
		for _, site := range cfg.Sites {
			in, out := 576, 1536
			if site == nn.SiteDown {
				in, out = out, in
			}
			a.Adapt(0, site, y[:rows*out], x[:rows*in], rows, scratch)
		}
	}
}
