package serve

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/quant"
)

// randomAdapterFor is a rank-r adapter on every FFN site of m.
func randomAdapterFor(t testing.TB, m *nn.Model, r int, seed uint64) *lora.Adapter {
	t.Helper()
	layers, _ := lora.ParseLayers("all", m.Config.Layers)
	a, err := lora.Random(m, lora.Config{Sites: []nn.Site{nn.SiteGate, nn.SiteUp, nn.SiteDown}, Layers: layers, Modules: lora.Modules(1, r, 0)},
		0.05, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// writeOtherModelAdapter is an adapter file for a model of another shape.
func writeOtherModelAdapter(t testing.TB) string {
	t.Helper()
	b, err := nn.Synthesize(nn.Shape{Name: "other", Arch: "llama", Dim: 32, Layers: 1, Heads: 2, KVHeads: 2, FFNDim: 48, Vocab: 300, Context: 64}, quant.F32, 1)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	mp := filepath.Join(dir, "m.gguf")
	if err := b.WriteFile(mp); err != nil {
		t.Fatal(err)
	}
	m, err := nn.Open(mp)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ap := filepath.Join(dir, "a.gguf")
	if err := randomAdapterFor(t, m, 2, 1).Save(ap); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(ap)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
