package lora

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/internal/testmodel"
	"github.com/milp-lite/milp-lite/models"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/quant"
	"github.com/milp-lite/milp-lite/safetensors"
)

// renamedStories is stories260K under another general.name: the same
// shapes, another model as far as its name says.
func renamedStories(t *testing.T, name string) *nn.Model {
	f, err := gguf.Parse(models.Stories260K)
	require.NoError(t, err)
	b := f.Builder()
	b.Set("general.name", gguf.Str(name))
	path := filepath.Join(t.TempDir(), "renamed.gguf")
	require.NoError(t, b.WriteFile(path))
	m, err := nn.Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { m.Close() })
	return m
}

// TestAdapterRecordsItsBase: a trained (folded) adapter carries its model's
// record, saves it in GGUF (milp.base.*, general.base_model.0.name) and in
// PEFT's safetensors metadata and config, and reads it back.
func TestAdapterRecordsItsBase(t *testing.T) {
	m := defaultModel(t)
	a := randomSet(t, m).Fold()
	want := Base{Arch: "llama", Name: m.Config.Name, Shapes: ShapeHash(m.File)}
	require.Equal(t, want, a.Base)
	path := filepath.Join(t.TempDir(), "a.gguf")
	require.NoError(t, a.Save(path))
	f, err := gguf.Open(path)
	require.NoError(t, err)
	defer f.Close()
	for key, v := range map[string]string{"milp.base.architecture": "llama", "milp.base.name": m.Config.Name,
		"milp.base.shape_hash": want.Shapes, "general.base_model.0.name": m.Config.Name} {
		got, err := f.String(key)
		require.NoError(t, err, key)
		require.Equal(t, v, got, key)
	}
	back, err := Load(path, m)
	require.NoError(t, err)
	require.Equal(t, want, back.Base)
	for _, kv := range back.Meta {
		require.NotContains(t, kv.Key, "milp.base.", "the record is kept apart from the training metadata")
	}

	dir := filepath.Join(t.TempDir(), "peft")
	require.NoError(t, a.SavePEFT(dir, m, PEFTOptions{BaseModel: "karpathy/tinyllamas"}))
	cfg, err := readPEFTConfig(filepath.Join(dir, PEFTConfigFile))
	require.NoError(t, err)
	require.Equal(t, "karpathy/tinyllamas", cfg.BaseModel)
	st, err := safetensors.Open(filepath.Join(dir, PEFTWeightsFile))
	require.NoError(t, err)
	defer st.Close()
	require.Equal(t, want.Shapes, st.Metadata["milp.base.shape_hash"])
	fromPEFT, err := Load(dir, m)
	require.NoError(t, err)
	require.Equal(t, want, fromPEFT.Base)
}

// TestShapeHash: the same network in another weight type, or with adapters
// merged in, has the same hash; another network has another.
func TestShapeHash(t *testing.T) {
	f32 := testmodel.Synthetic(t, tinyQwen2, quant.F32, 1)
	q8 := testmodel.Synthetic(t, tinyQwen2, quant.Q8_0, 2)
	require.Equal(t, ShapeHash(f32.File), ShapeHash(q8.File))
	m := defaultModel(t)
	require.NotEqual(t, ShapeHash(m.File), ShapeHash(f32.File))
	b, err := MergeFile(m, quant.F16, nil, randomSet(t, m).Fold())
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "merged.gguf")
	require.NoError(t, b.WriteFile(path))
	merged, err := nn.Open(path)
	require.NoError(t, err)
	defer merged.Close()
	require.Equal(t, ShapeHash(m.File), ShapeHash(merged.File))
}

// TestLoadRefusesAnotherBase: an adapter loaded onto another model (other
// shapes, or the same shapes under another name), as GGUF or PEFT, is one
// error naming both models; an adapter without the record (written before
// it existed) still loads wherever it fits.
func TestLoadRefusesAnotherBase(t *testing.T) {
	m := defaultModel(t)
	qwen := testmodel.Synthetic(t, tinyQwen2, quant.F32, 1)
	smallLlama := testmodel.Synthetic(t, nn.Shape{Name: "tiny-llama", Arch: "llama", Dim: 64, Layers: 5, Heads: 8, KVHeads: 4,
		FFNDim: 172, Vocab: 512, Context: 128}, quant.F32, 1)
	renamed := renamedStories(t, "stories260K fine-tuned")
	a := randomSet(t, m).Fold()
	gg := filepath.Join(t.TempDir(), "a.gguf")
	require.NoError(t, a.Save(gg))
	dir := filepath.Join(t.TempDir(), "peft")
	require.NoError(t, a.SavePEFT(dir, m, PEFTOptions{}))
	for _, other := range []*nn.Model{qwen, smallLlama, renamed} {
		for _, path := range []string{gg, dir} {
			_, err := Load(path, other)
			require.Error(t, err, "%s onto %s", path, other.Config.Name)
			msg := err.Error()
			require.Contains(t, msg, `trained on "`+m.Config.Name+`" (llama, tensor shapes `+ShapeHash(m.File)+")")
			require.Contains(t, msg, `the model is "`+other.Config.Name+`"`)
			require.NotContains(t, msg, "\n")
		}
	}

	// The same adapter without the record, as files written before it.
	f, err := gguf.Open(gg)
	require.NoError(t, err)
	b := f.Builder()
	for _, k := range []string{"milp.base.architecture", "milp.base.name", "milp.base.shape_hash", "general.base_model.count", "general.base_model.0.name"} {
		require.True(t, b.Delete(k), k)
	}
	old := filepath.Join(t.TempDir(), "old.gguf")
	require.NoError(t, b.WriteFile(old))
	f.Close()
	for _, onto := range []*nn.Model{m, renamed} {
		got, err := Load(old, onto)
		require.NoError(t, err)
		require.False(t, got.Base.Known())
		requireSame(t, logitsWith(t, onto, prompt, a), logitsWith(t, onto, prompt, got), 0)
	}
	_, err = Load(old, qwen)
	require.ErrorContains(t, err, `"qwen2"`, "without the record the architecture is still checked")
}
