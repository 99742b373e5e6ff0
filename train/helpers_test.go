package train

import (
	"math/rand/v2"
	"testing"

	"github.com/milp-lite/milp-lite/internal/testmodel"
	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/quant"
)

// tinyShapes cover grouped-query attention with adjacent-pair rotation and
// an untied output (llama), and NeoX rotation with q/k/v biases (qwen2).
var tinyShapes = []nn.Shape{
	{Name: "llama-gqa", Arch: "llama", Dim: 32, Layers: 2, Heads: 4, KVHeads: 2, FFNDim: 48, Vocab: 300, Context: 64},
	{Name: "qwen2", Arch: "qwen2", Dim: 32, Layers: 2, Heads: 4, KVHeads: 2, FFNDim: 48, Vocab: 300, Context: 64, Tied: true, RopeBase: 1000000},
}

func synthModel(t testing.TB, s nn.Shape, typ quant.Type) *nn.Model {
	return testmodel.Synthetic(t, s, typ, 11)
}

func defaultModel(t testing.TB) *nn.Model { return testmodel.Default(t) }

// allSitesSet puts two modules (ranks 2 and 3, different alphas) on every
// site of every layer, with B randomised so the adapter is not the identity.
func allSitesSet(t testing.TB, m *nn.Model, seed uint64) *lora.Set {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	layers, _ := lora.ParseLayers("all", m.Config.Layers)
	sites, _ := lora.ParseSites("all")
	set, err := lora.New(m, lora.Config{Sites: sites, Layers: layers, Modules: []lora.ModuleConfig{{Rank: 2, Alpha: 4}, {Rank: 3, Alpha: 1.5}}}, rng)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range set.Params() {
		for i := range p.Value {
			p.Value[i] = float32(rng.NormFloat64() * 0.3)
		}
	}
	return set
}
