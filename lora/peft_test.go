package lora

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/internal/testmodel"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/quant"
	"github.com/milp-lite/milp-lite/safetensors"
)

// tinyQwen2 is a synthetic qwen2 (NeoX rotation, grouped-query attention),
// whose Q and K rows PEFT and GGUF store alike.
var tinyQwen2 = nn.Shape{Name: "tiny-qwen2", Arch: "qwen2", Dim: 64, Layers: 2, Heads: 4, KVHeads: 2, FFNDim: 96, Vocab: 512, Context: 64}

// allSitesAdapter: two modules (ranks 4 and 2, different alphas) at every
// site of layers 0-1, every factor random.
func allSitesAdapter(t *testing.T, m *nn.Model, seed uint64) *Adapter {
	rng := rand.New(rand.NewPCG(seed, 7))
	s, err := New(m, Config{Sites: mustSites(t, "all"), Layers: []int{0, 1}, Modules: []ModuleConfig{{Rank: 4, Alpha: 8}, {Rank: 2, Alpha: 1}}}, rng)
	require.NoError(t, err)
	for _, p := range s.Params() {
		for i := range p.Value {
			p.Value[i] = float32(rng.NormFloat64() * 0.2)
		}
	}
	return s.Fold()
}

func mustSites(t *testing.T, s string) []nn.Site {
	sites, err := ParseSites(s)
	require.NoError(t, err)
	return sites
}

func maxDiff(a, b []float32) float64 {
	d := 0.0
	for i := range a {
		d = max(d, math.Abs(float64(a[i]-b[i])))
	}
	return d
}

// requireSame fails unless every logit is within tol of the other's.
func requireSame(t *testing.T, want, got []float32, tol float64) {
	t.Helper()
	for i := range want {
		if d := math.Abs(float64(want[i] - got[i])); d > tol || math.IsNaN(d) {
			t.Fatalf("logit %d: %v, want %v (tolerance %g)", i, got[i], want[i], tol)
		}
	}
}

func requireChanges(t *testing.T, m *nn.Model, logits []float32) {
	t.Helper()
	if maxDiff(logits, logitsWith(t, m, prompt)) < 1e-3 {
		t.Fatal("the adapter does not change the logits")
	}
}

// TestPEFTExportImportIdenticalLogits: exported to PEFT and loaded back
// (through Load, which takes the directory), an adapter gives the same
// logits bit for bit, on a llama (Q and K permuted) and a qwen2 model, and
// with a site of another rank and llama.cpp's alpha 0 (rank_pattern and
// alpha_pattern).
func TestPEFTExportImportIdenticalLogits(t *testing.T) {
	models := map[string]*nn.Model{
		"llama": defaultModel(t),
		"qwen2": testmodel.Synthetic(t, tinyQwen2, quant.F32, 3),
	}
	for name, m := range models {
		t.Run(name, func(t *testing.T) {
			a := allSitesAdapter(t, m, 1)
			odd := allSitesAdapter(t, m, 2)
			odd.Alpha, odd.Scale = 0, 0.75
			v := odd.At(1, nn.SiteV)
			narrow := &Factors{Rank: 3, In: v.In, Out: v.Out, A: v.A[:3*v.In], B: make([]float32, 3*v.Out)}
			for i := range narrow.B {
				narrow.B[i] = float32(i%7-3) * 0.05
			}
			odd.set(1, nn.SiteV, narrow)
			for i, ad := range []*Adapter{a, odd} {
				dir := filepath.Join(t.TempDir(), "peft")
				require.NoError(t, ad.SavePEFT(dir, m, PEFTOptions{}))
				back, err := Load(dir, m)
				require.NoError(t, err)
				want := logitsWith(t, m, prompt, ad)
				requireSame(t, want, logitsWith(t, m, prompt, back), 0)
				requireChanges(t, m, want)
				half := filepath.Join(t.TempDir(), "peft-f16")
				require.NoError(t, ad.SavePEFT(half, m, PEFTOptions{DType: safetensors.F16}))
				rounded, err := Load(half, m)
				require.NoError(t, err)
				requireSame(t, want, logitsWith(t, m, prompt, rounded), 0.1) // factors rounded to F16
				if i == 1 {
					cfg, err := os.ReadFile(filepath.Join(dir, PEFTConfigFile))
					require.NoError(t, err)
					require.Contains(t, string(cfg), `"rank_pattern": {
    "model.layers.1.self_attn.v_proj": 3
  }`)
				}
			}
		})
	}
}

// specPEFT writes a PEFT directory without the package's writer: the
// safetensors bytes laid out by hand as the format's spec describes them
// (8-byte little-endian header length, a JSON header of dtype, shape and
// data_offsets, raw little-endian data) and adapter_config.json as text.
func specPEFT(t *testing.T, config string, names []string, dtypes []string, shapes [][2]int, data [][]byte) string {
	var header strings.Builder
	var body []byte
	header.WriteString(`{"__metadata__":{"format":"pt"}`)
	for i, name := range names {
		fmt.Fprintf(&header, `,"%s":{"dtype":"%s","shape":[%d,%d],"data_offsets":[%d,%d]}`,
			name, dtypes[i], shapes[i][0], shapes[i][1], len(body), len(body)+len(data[i]))
		body = append(body, data[i]...)
	}
	header.WriteString("}")
	file := binary.LittleEndian.AppendUint64(nil, uint64(header.Len()))
	file = append(append(file, header.String()...), body...)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "adapter_model.safetensors"), file, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "adapter_config.json"), []byte(config), 0o644))
	return dir
}

// encode writes values as little-endian F32, F16 or BF16 (for BF16, the top
// half of each float32's bits).
func encode(dtype string, vals []float32) []byte {
	var b []byte
	for _, v := range vals {
		switch dtype {
		case "F32":
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		case "F16":
			b = binary.LittleEndian.AppendUint16(b, quant.F32ToF16(v))
		case "BF16":
			b = binary.LittleEndian.AppendUint16(b, uint16(math.Float32bits(v)>>16))
		}
	}
	return b
}

// representable rounds values to what dtype holds exactly, so a fixture in
// that dtype and the adapter compute the same.
func representable(dtype string, vals []float32) {
	for i, v := range vals {
		switch dtype {
		case "F16":
			vals[i] = quant.F16ToF32(quant.F32ToF16(v))
		case "BF16":
			vals[i] = math.Float32frombits(math.Float32bits(v) &^ 0xffff)
		}
	}
}

// hfModule is transformers' module of each site, spelled out here rather
// than taken from the package.
var hfModule = map[nn.Site]string{nn.SiteQ: "self_attn.q_proj", nn.SiteK: "self_attn.k_proj", nn.SiteV: "self_attn.v_proj",
	nn.SiteO: "self_attn.o_proj", nn.SiteGate: "mlp.gate_proj", nn.SiteUp: "mlp.up_proj", nn.SiteDown: "mlp.down_proj"}

// toHFRows undoes llama.cpp's permutation of Q and K: transformers' weight
// reshaped to (heads, 2, d/2, in) had its axes 1 and 2 swapped to make the
// GGUF one, so HF row (h, j, i) is GGUF row (h, i, j).
func toHFRows(b []float32, rank, headDim int) []float32 {
	out := make([]float32, len(b))
	heads := len(b) / rank / headDim
	for h := 0; h < heads; h++ {
		for j := 0; j < 2; j++ {
			for i := 0; i < headDim/2; i++ {
				hf := h*headDim + j*headDim/2 + i
				gg := h*headDim + i*2 + j
				copy(out[hf*rank:(hf+1)*rank], b[gg*rank:(gg+1)*rank])
			}
		}
	}
	return out
}

// TestPEFTIndependentFixture: a PEFT directory written from the spec, in
// F32, F16 and BF16, with plain and rsLoRA scaling, loads and gives the
// logits of the same adapter loaded from GGUF.
func TestPEFTIndependentFixture(t *testing.T) {
	m := defaultModel(t)
	for _, tc := range []struct {
		dtype  string
		rslora bool
	}{{"F32", false}, {"F16", false}, {"BF16", false}, {"F32", true}} {
		t.Run(fmt.Sprintf("%s rslora=%v", tc.dtype, tc.rslora), func(t *testing.T) {
			a := allSitesAdapter(t, m, 5)
			var names, dtypes []string
			var shapes [][2]int
			var data [][]byte
			rank := 0
			a.Each(func(l int, s nn.Site, f *Factors) {
				representable(tc.dtype, f.A)
				representable(tc.dtype, f.B)
				a.set(l, s, f) // refresh Bᵀ after rounding
				rank = f.Rank
				b := f.B
				if s == nn.SiteQ || s == nn.SiteK {
					b = toHFRows(b, f.Rank, m.Config.HeadDim)
				}
				prefix := fmt.Sprintf("base_model.model.model.layers.%d.%s", l, hfModule[s])
				names = append(names, prefix+".lora_A.weight", prefix+".lora_B.weight")
				dtypes = append(dtypes, tc.dtype, tc.dtype)
				shapes = append(shapes, [2]int{f.Rank, f.In}, [2]int{f.Out, f.Rank})
				data = append(data, encode(tc.dtype, f.A), encode(tc.dtype, b))
			})
			alpha := float64(a.Alpha) // scale alpha/r
			if tc.rslora {
				alpha = float64(a.Alpha) / float64(rank) * math.Sqrt(float64(rank)) // the same scale as alpha/√r
			}
			config := fmt.Sprintf(`{"peft_type": "LORA", "task_type": "CAUSAL_LM", "base_model_name_or_path": "x", "r": %d,
				"lora_alpha": %v, "use_rslora": %v, "lora_dropout": 0.05, "bias": "none", "fan_in_fan_out": false,
				"target_modules": ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
				"modules_to_save": null, "rank_pattern": {}, "alpha_pattern": {}}`, rank, alpha, tc.rslora)
			got, err := Load(specPEFT(t, config, names, dtypes, shapes, data), m)
			require.NoError(t, err)
			want := logitsWith(t, m, prompt, a)
			requireChanges(t, m, want)
			tol := 0.0
			if tc.rslora {
				tol = 1e-4 // B is rescaled from alpha/√r to the file's alpha/r
			}
			requireSame(t, want, logitsWith(t, m, prompt, got), tol)
		})
	}
}

func manyKeys(n int) string {
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf(`"k%d":1`, i)
	}
	return strings.Join(keys, ",")
}

// TestPEFTRefuses: what PEFT can save that is not a plain LoRA of the
// projections, or a file that does not fit the model, is one error naming it.
func TestPEFTRefuses(t *testing.T) {
	m := defaultModel(t)
	in, out := m.Config.Dim, m.Config.FFNDim
	up := "base_model.model.model.layers.0.mlp.up_proj"
	ok := `{"peft_type":"LORA","r":2,"lora_alpha":4,"target_modules":["up_proj"]}`
	factors := func(names ...string) ([]string, []string, [][2]int, [][]byte) {
		shapes := [][2]int{{2, in}, {out, 2}, {2, in}, {out, 2}}
		var dts []string
		var data [][]byte
		for i := range names {
			dts = append(dts, "F32")
			data = append(data, encode("F32", make([]float32, shapes[i][0]*shapes[i][1])))
		}
		return names, dts, shapes[:len(names)], data
	}
	cases := []struct {
		name, config string
		tensors      []string
		want         string
	}{
		{"dora", strings.Replace(ok, `"r"`, `"use_dora":true,"r"`, 1), []string{up + ".lora_A.weight", up + ".lora_B.weight"}, "use_dora"},
		{"prefix tuning", strings.Replace(ok, "LORA", "PREFIX_TUNING", 1), nil, "PREFIX_TUNING"},
		{"lora bias", strings.Replace(ok, `"r"`, `"bias":"lora_only","r"`, 1), nil, "lora_only"},
		{"not a target", strings.Replace(ok, "up_proj", "down_proj", 1), []string{up + ".lora_A.weight", up + ".lora_B.weight"}, "target_modules"},
		{"rank differs", strings.Replace(ok, `"r":2`, `"r":3`, 1), []string{up + ".lora_A.weight", up + ".lora_B.weight"}, "rank 3"},
		{"no B", ok, []string{up + ".lora_A.weight"}, "no matching"},
		{"embedding", ok, []string{"base_model.model.model.embed_tokens.lora_embedding_A"}, "embedding"},
		{"layer out of range", ok, []string{"base_model.model.model.layers.99.mlp.up_proj.lora_A.weight"}, "layer 99"},
		{"wrong shape", strings.Replace(ok, `["up_proj"]`, `["up_proj","down_proj"]`, 1), []string{"base_model.model.model.layers.0.mlp.down_proj.lora_A.weight", "base_model.model.model.layers.0.mlp.down_proj.lora_B.weight"}, "needs [r 172]"},
		{"bad regex", strings.Replace(ok, `["up_proj"]`, `"(?<=x)"`, 1), nil, "target_modules"},
		{"bad rank_pattern", strings.Replace(ok, `"r":2`, `"r":2,"rank_pattern":{"up_proj(":3}`, 1), nil, "rank_pattern key"},
		{"pattern too large", strings.Replace(ok, `"r":2`, `"r":2,"alpha_pattern":{`+manyKeys(maxPatternKeys+1)+`}`, 1), nil, "more than the 4096"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			names, dts, shapes, data := factors(c.tensors...)
			_, err := Load(specPEFT(t, c.config, names, dts, shapes, data), m)
			require.ErrorContains(t, err, c.want)
			require.NotContains(t, err.Error(), "\n")
		})
	}
	_, err := Load(t.TempDir(), m)
	require.ErrorContains(t, err, "without adapter_config.json")
	pickled := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(pickled, PEFTConfigFile), []byte(ok), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(pickled, "adapter_model.bin"), []byte("PK"), 0o644))
	_, err = Load(pickled, m)
	require.ErrorContains(t, err, "safe_serialization")
	big := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(big, PEFTConfigFile), make([]byte, maxPEFTConfigBytes+1), 0o644))
	_, err = Load(big, m)
	require.ErrorContains(t, err, "larger than")
}

// neoxTwin rewrites stories260K as a qwen2 model (which rotates halves, as
// transformers does) with its Q and K rows put back in the Hugging Face
// layout and zero Q/K/V biases: the same network, computed through the
// other rotation. It is the check that toHFRows is the right permutation.
func neoxTwin(t *testing.T, m *nn.Model) *nn.Model {
	b := gguf.NewBuilder()
	for _, kv := range m.File.KV {
		key := kv.Key
		if rest, ok := strings.CutPrefix(key, "llama."); ok {
			key = "qwen2." + rest
		}
		b.Set(key, kv.Value)
	}
	b.Set("general.architecture", gguf.Str("qwen2"))
	for i := range m.File.Tensors {
		ti := &m.File.Tensors[i]
		data := m.File.TensorData(ti)
		typ := ti.Type
		if strings.HasSuffix(ti.Name, ".attn_q.weight") || strings.HasSuffix(ti.Name, ".attn_k.weight") {
			in, out := int(ti.Dims[0]), int(ti.Dims[1])
			w := make([]float32, in*out)
			require.NoError(t, quant.Dequantize(ti.Type, data, w))
			typ, data = quant.F32, encode("F32", toHFRows(w, in, m.Config.HeadDim))
		}
		require.NoError(t, b.AddTensor(ti.Name, typ, ti.Dims, data))
	}
	c := m.Config
	for l := 0; l < c.Layers; l++ {
		for name, n := range map[string]int{"attn_q.bias": c.QDim(), "attn_k.bias": c.KVDim(), "attn_v.bias": c.KVDim()} {
			require.NoError(t, b.AddTensor(fmt.Sprintf("blk.%d.%s", l, name), quant.F32, []uint64{uint64(n)}, make([]byte, 4*n)))
		}
	}
	path := filepath.Join(t.TempDir(), "twin.gguf")
	require.NoError(t, b.WriteFile(path))
	twin, err := nn.Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { twin.Close() })
	return twin
}

// TestPEFTPermutationAgainstNeoXTwin: the llama model and its twin that
// rotates halves give the same logits, and so do they with one PEFT
// adapter (in the transformers layout, written from the spec): the loader
// permutes Q and K's lora_B for the llama model and leaves them for the
// twin, as the networks require.
func TestPEFTPermutationAgainstNeoXTwin(t *testing.T) {
	m := defaultModel(t)
	twin := neoxTwin(t, m)
	requireSame(t, logitsWith(t, m, prompt), logitsWith(t, twin, prompt), 1e-4)

	rng := rand.New(rand.NewPCG(21, 1))
	var names, dtypes []string
	var shapes [][2]int
	var data [][]byte
	const r = 4
	for l := 0; l < m.Config.Layers; l++ {
		for _, s := range []nn.Site{nn.SiteQ, nn.SiteK} {
			w := m.Weights.Layers[l].Matrix(s)
			a, b := make([]float32, r*w.Cols), make([]float32, w.Rows*r)
			for i := range a {
				a[i] = float32(rng.NormFloat64() * 0.3)
			}
			for i := range b {
				b[i] = float32(rng.NormFloat64() * 0.3)
			}
			prefix := fmt.Sprintf("base_model.model.model.layers.%d.%s", l, hfModule[s])
			names = append(names, prefix+".lora_A.weight", prefix+".lora_B.weight")
			dtypes = append(dtypes, "F32", "F32")
			shapes = append(shapes, [2]int{r, w.Cols}, [2]int{w.Rows, r})
			data = append(data, encode("F32", a), encode("F32", b))
		}
	}
	dir := specPEFT(t, `{"peft_type":"LORA","r":4,"lora_alpha":8,"target_modules":["q_proj","k_proj"]}`, names, dtypes, shapes, data)
	onLlama, err := Load(dir, m)
	require.NoError(t, err)
	onTwin, err := Load(dir, twin)
	require.NoError(t, err)
	want := logitsWith(t, twin, prompt, onTwin)
	requireChanges(t, twin, want)
	requireSame(t, want, logitsWith(t, m, prompt, onLlama), 1e-4)
}

// FuzzPEFT: no adapter_config.json and safetensors bytes make loading
// panic; whatever loads fits the model.
func FuzzPEFT(f *testing.F) {
	m := testmodel.Default(f)
	dir := filepath.Join(f.TempDir(), "peft")
	rng := rand.New(rand.NewPCG(1, 2))
	a, err := Random(m, Config{Sites: []nn.Site{nn.SiteQ, nn.SiteDown}, Layers: []int{0}, Modules: Modules(1, 2, 0)}, 0.1, rng)
	if err != nil {
		f.Fatal(err)
	}
	if err := a.SavePEFT(dir, m, PEFTOptions{DType: "F16"}); err != nil {
		f.Fatal(err)
	}
	cfg, _ := os.ReadFile(filepath.Join(dir, PEFTConfigFile))
	st, _ := os.ReadFile(filepath.Join(dir, PEFTWeightsFile))
	f.Add(cfg, st)
	f.Add([]byte(`{"peft_type":"LORA","r":1,"lora_alpha":1,"use_rslora":true,"target_modules":".*"}`), st)
	f.Fuzz(func(t *testing.T, cfg, weights []byte) {
		c, err := parsePEFTConfig(cfg)
		if err != nil {
			return
		}
		file, err := safetensors.Read(bytes.NewReader(weights), int64(len(weights)))
		if err != nil {
			return
		}
		ad, err := fromPEFT(c, file, m)
		if err != nil {
			return
		}
		ad.Each(func(l int, s nn.Site, fa *Factors) {
			w := m.Weights.Layers[l].Matrix(s)
			if fa.In != w.Cols || fa.Out != w.Rows || len(fa.A) != fa.Rank*fa.In || len(fa.B) != fa.Out*fa.Rank {
				t.Fatalf("layer %d %s: factors %dx%d rank %d do not fit %dx%d", l, s, fa.Out, fa.In, fa.Rank, w.Rows, w.Cols)
			}
		})
	})
}
