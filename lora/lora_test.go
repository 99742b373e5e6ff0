package lora

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/internal/testmodel"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/quant"
)

func defaultModel(t testing.TB) *nn.Model { return testmodel.Default(t) }

// randomSet: two modules of different rank and alpha on the FFN sites of
// layers 0-2, with B random so the adapter changes the output.
func randomSet(t *testing.T, m *nn.Model) *Set {
	rng := rand.New(rand.NewPCG(4, 4))
	layers, _ := ParseLayers("0-2", m.Config.Layers)
	sites, _ := ParseSites("ffn_up,ffn_down,attn_q")
	s, err := New(m, Config{Sites: sites, Layers: layers, Modules: []ModuleConfig{{Rank: 4, Alpha: 8}, {Rank: 2, Alpha: 1}}}, rng)
	require.NoError(t, err)
	for _, p := range s.Params() {
		for i := range p.Value {
			p.Value[i] = float32(rng.NormFloat64() * 0.2)
		}
	}
	return s
}

func logitsWith(t *testing.T, m *nn.Model, tokens []int32, adapters ...nn.Adapter) []float32 {
	st, err := m.NewState(0)
	require.NoError(t, err)
	st.SetAdapters(adapters...)
	l, err := st.Forward(tokens, true)
	require.NoError(t, err)
	return append([]float32(nil), l...)
}

var prompt = []int32{1, 403, 280, 261, 300, 45, 99}

// TestSaveLoadIdenticalLogits: saved then loaded, an adapter gives the same
// logits bit for bit, and they differ from the base model's.
func TestSaveLoadIdenticalLogits(t *testing.T) {
	m := defaultModel(t)
	a := randomSet(t, m).Fold()
	path := filepath.Join(t.TempDir(), "a.gguf")
	require.NoError(t, a.Save(path))
	b, err := Load(path, m)
	require.NoError(t, err)
	want, got, base := logitsWith(t, m, prompt, a), logitsWith(t, m, prompt, b), logitsWith(t, m, prompt)
	require.Equal(t, want, got, "logits with the loaded adapter against the saved one")
	changed := false
	for i := range got {
		changed = changed || math.Abs(float64(got[i]-base[i])) > 1e-3
	}
	if !changed {
		t.Fatal("the adapter does not change the logits")
	}
}

// TestFoldEqualsModules: the folded single-scale form computes the sum of
// the modules, each at its own alpha/rank (checked on ΔW directly).
func TestFoldEqualsModules(t *testing.T) {
	m := defaultModel(t)
	s := randomSet(t, m)
	a := s.Fold()
	sm := s.At(1, nn.SiteUp)
	f := a.At(1, nn.SiteUp)
	if f.Rank != 6 || a.Alpha != 8*6/4 {
		t.Fatalf("folded rank %d alpha %v, want 6 and 12", f.Rank, a.Alpha)
	}
	for o := 0; o < sm.Out; o += 7 {
		for i := 0; i < sm.In; i += 5 {
			var want, got float64
			for _, mod := range sm.Modules {
				for j := 0; j < mod.Rank; j++ {
					want += float64(mod.Scale()) * float64(mod.B[o*mod.Rank+j]) * float64(mod.A[j*sm.In+i])
				}
			}
			for j := 0; j < f.Rank; j++ {
				got += float64(a.SiteScale(f.Rank)) * float64(f.B[o*f.Rank+j]) * float64(f.A[j*sm.In+i])
			}
			if math.Abs(got-want) > 1e-5 {
				t.Fatalf("ΔW[%d][%d] folded %v, modules %v", o, i, got, want)
			}
		}
	}
}

// TestMergedEqualsUnmerged: weights with ΔW added give the logits of the
// adapter applied at the sites, within float rounding; a user scale of 0.5
// is honoured by both.
func TestMergedEqualsUnmerged(t *testing.T) {
	m := defaultModel(t)
	a := randomSet(t, m).Fold()
	a.Scale = 0.5
	want := logitsWith(t, m, prompt, a)
	got := logitsWith(t, Merge(m, a), prompt)
	for i := range want {
		if math.Abs(float64(got[i]-want[i])) > 1e-4 {
			t.Fatalf("logit %d: merged %v, unmerged %v", i, got[i], want[i])
		}
	}
	// The base model is untouched by merging.
	base := logitsWith(t, m, prompt)
	if math.Abs(float64(base[0]-want[0])) < 1e-6 && math.Abs(float64(base[5]-want[5])) < 1e-6 {
		t.Fatal("merging changed nothing or changed the base model")
	}
}

// TestLlamaCppFormat: exactly llama.cpp's keys and tensor shapes.
func TestLlamaCppFormat(t *testing.T) {
	m := defaultModel(t)
	a := randomSet(t, m).Fold()
	a.Meta = []gguf.KV{{Key: "milp.lora.targets", Value: gguf.Str("ffn_up,ffn_down,attn_q")}}
	path := filepath.Join(t.TempDir(), "a.gguf")
	require.NoError(t, a.Save(path))
	f, err := gguf.Open(path)
	require.NoError(t, err)
	defer f.Close()
	for key, want := range map[string]string{"general.type": "adapter", "general.architecture": "llama", "adapter.type": "lora", "milp.lora.targets": "ffn_up,ffn_down,attn_q"} {
		got, err := f.String(key)
		if assert.NoError(t, err, key) {
			assert.Equal(t, want, got, key)
		}
	}
	if v, ok := f.Get("adapter.lora.alpha"); assert.True(t, ok, "adapter.lora.alpha missing") {
		assert.Equal(t, gguf.TypeFloat32, v.Type(), "adapter.lora.alpha")
	}
	require.Len(t, f.Tensors, 3*3*2)
	c := m.Config
	for _, ti := range f.Tensors {
		base := ti.Name[:strings.LastIndex(ti.Name, ".")]
		mt, ok := m.File.Tensor(base)
		require.True(t, ok, "%s names no model tensor", ti.Name)
		in, out := mt.Dims[0], mt.Dims[1]
		want := []uint64{in, 6}
		if strings.HasSuffix(ti.Name, ".lora_b") {
			want = []uint64{6, out}
		}
		assert.Equal(t, quant.F32, ti.Type, ti.Name)
		assert.Equal(t, want, ti.Dims, ti.Name)
	}
	if _, ok := f.Tensor("blk.0.ffn_up.weight.lora_a"); !ok || c.FFNDim == 0 {
		t.Fatal("blk.0.ffn_up.weight.lora_a missing")
	}
}

// TestLoadRejectsMismatch: another architecture, or a tensor whose shape
// does not fit the model, is one line naming the tensor.
func TestLoadRejectsMismatch(t *testing.T) {
	m := defaultModel(t)
	dir := t.TempDir()
	write := func(arch string, in int) string {
		b := gguf.NewBuilder()
		b.Set("general.architecture", gguf.Str(arch))
		b.Set("general.type", gguf.Str("adapter"))
		b.Set("adapter.type", gguf.Str("lora"))
		b.Set("adapter.lora.alpha", gguf.F32(2))
		addF32(b, "blk.0.ffn_up.weight.lora_a", []uint64{uint64(in), 2}, make([]float32, in*2))
		addF32(b, "blk.0.ffn_up.weight.lora_b", []uint64{2, uint64(m.Config.FFNDim)}, make([]float32, 2*m.Config.FFNDim))
		path := filepath.Join(dir, arch+".gguf")
		require.NoError(t, b.WriteFile(path))
		return path
	}
	_, err := Load(write("qwen2", m.Config.Dim), m)
	assert.ErrorContains(t, err, `"qwen2"`, "architecture mismatch")
	_, err = Load(write("llama", m.Config.Dim+1), m)
	if assert.ErrorContains(t, err, `"blk.0.ffn_up.weight.lora_a"`, "shape mismatch") {
		assert.NotContains(t, err.Error(), "\n", "shape mismatch")
	}
}

func TestAdaptDoesNotAllocate(t *testing.T) {
	m := defaultModel(t)
	noAllocsPerToken(t, m, randomSet(t, m).Fold())
}

// noAllocsPerToken fails when generating a token with a allocates.
func noAllocsPerToken(t *testing.T, m *nn.Model, a *Adapter) {
	t.Helper()
	st, _ := m.NewState(0)
	st.SetAdapters(a)
	// Grow the kernels' per-position scratch first (it is the pool's, not
	// the adapter's), then rewind and measure generation steps.
	st.Forward(make([]int32, 64), false)
	st.Rewind(2)
	one := []int32{5}
	if n := testing.AllocsPerRun(20, func() { st.Forward(one, false) }); n != 0 {
		t.Fatalf("a token with an adapter allocates %.1f times", n)
	}
}

func TestParseLayersAndSites(t *testing.T) {
	got, err := ParseLayers("0-2,5,4", 8)
	require.NoError(t, err)
	assert.Equal(t, []int{0, 1, 2, 4, 5}, got)
	for _, bad := range []string{"3-1", "9", "x", "0-"} {
		_, err := ParseLayers(bad, 8)
		assert.Error(t, err, "%q accepted", bad)
	}
	sites, err := ParseSites("ffn_up,ffn_down")
	require.NoError(t, err)
	assert.Equal(t, []nn.Site{nn.SiteUp, nn.SiteDown}, sites)
	_, err = ParseSites("ffn_sideways")
	assert.Error(t, err, "unknown site accepted")
}

// mergeFileLogits writes the merged model with MergeFile and returns its
// logits for the prompt.
func mergeFileLogits(t *testing.T, m *nn.Model, typ quant.Type, adapters ...*Adapter) []float32 {
	t.Helper()
	calls := 0
	b, err := MergeFile(m, typ, func(done, total int) { calls++ }, adapters...)
	require.NoError(t, err)
	require.NotZero(t, calls, "progress never reported")
	path := filepath.Join(t.TempDir(), "merged.gguf")
	require.NoError(t, b.WriteFile(path))
	merged, err := nn.Open(path)
	require.NoError(t, err)
	defer merged.Close()
	return logitsWith(t, merged, prompt)
}

// TestMergeFileMatchesUnmerged: two adapters at their scales baked into a
// GGUF (llama.cpp's export-lora) give, reloaded, the logits of the base
// with the adapters applied unmerged: within 1e-4 in F32, and within the
// rounding of F16 and Q8_0 weights in those types.
func TestMergeFileMatchesUnmerged(t *testing.T) {
	for name, m := range map[string]*nn.Model{"stories260K": defaultModel(t), "qwen2": testmodel.Synthetic(t, tinyQwen2, quant.F32, 9)} {
		t.Run(name, func(t *testing.T) {
			a, b := allSitesAdapter(t, m, 11), allSitesAdapter(t, m, 12)
			a.Scale, b.Scale = 0.7, 1.5
			want := logitsWith(t, m, prompt, a, b)
			requireChanges(t, m, want)
			requireSame(t, want, mergeFileLogits(t, m, quant.F32, a, b), 1e-4)
			requireSame(t, want, mergeFileLogits(t, m, quant.F16, a, b), 0.05)
			if m.Config.FFNDim%32 == 0 {
				requireSame(t, want, mergeFileLogits(t, m, quant.Q8_0, a, b), 0.5)
			}
		})
	}
	m := defaultModel(t)
	_, err := MergeFile(m, quant.Q8_0, nil, randomSet(t, m).Fold())
	require.ErrorContains(t, err, "blk.0.ffn_down.weight")
}
