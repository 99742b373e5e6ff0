package main

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/internal/testmodel"
	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/quant"
)

// randomAdapterFile writes a random adapter for the embedded model on the
// attention and FFN sites of every layer.
func randomAdapterFile(t *testing.T, seed uint64) string {
	m := testmodel.Default(t)
	layers, _ := lora.ParseLayers("all", m.Config.Layers)
	sites, _ := lora.ParseSites("all")
	a, err := lora.Random(m, lora.Config{Sites: sites, Layers: layers, Modules: lora.Modules(1, 4, 0)}, 0.3, rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "a.gguf")
	if err := a.Save(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestLoRAExportPEFT: an adapter exported to PEFT, and that directory
// exported back to GGUF, make chat say what the original makes it say.
func TestLoRAExportPEFT(t *testing.T) {
	gg := randomAdapterFile(t, 1)
	dir := filepath.Join(t.TempDir(), "peft")
	r := run(t, "", "lora", "export", "--adapter", gg, "--format", "peft", "--out", dir, "--base-model", "karpathy/tinyllamas")
	if r.code != 0 {
		t.Fatalf("lora export: exit %d: %s", r.code, r.stderr)
	}
	if cfg, err := os.ReadFile(filepath.Join(dir, lora.PEFTConfigFile)); err != nil || !strings.Contains(string(cfg), `"base_model_name_or_path": "karpathy/tinyllamas"`) {
		t.Fatalf("adapter_config.json (%v):\n%s", err, cfg)
	}
	for _, f := range []string{lora.PEFTConfigFile, lora.PEFTWeightsFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	back := filepath.Join(t.TempDir(), "back.gguf")
	if r := run(t, "", "lora", "export", "--adapter", dir, "--format", "gguf", "--out", back); r.code != 0 {
		t.Fatalf("lora export --format gguf: exit %d: %s", r.code, r.stderr)
	}
	chat := func(adapter string) string {
		args := []string{"chat", "-p", "Once upon a time", "--temp", "0", "-n", "24"}
		if adapter != "" {
			args = append(args, "--adapter", adapter)
		}
		r := run(t, "", args...)
		if r.code != 0 {
			t.Fatalf("chat --adapter %s: exit %d: %s", adapter, r.code, r.stderr)
		}
		return r.stdout
	}
	want := chat(gg)
	if want == chat("") {
		t.Fatal("the adapter does not change the reply")
	}
	for _, a := range []string{dir, back} {
		if got := chat(a); got != want {
			t.Fatalf("chat with %s says %q, with the original %q", a, got, want)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--adapter", gg, "--format", "onnx", "--out", dir}, "--format"},
		{[]string{"--adapter", gg, "--dtype", "f8", "--out", dir}, "--dtype"},
		{[]string{"--adapter", filepath.Join(t.TempDir(), "none"), "--out", dir}, "none"},
	} {
		r := run(t, "", append([]string{"lora", "export"}, c.args...)...)
		if r.code != 1 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("lora export %v: exit %d, %q; want exit 1 naming %q", c.args, r.code, r.stderr, c.want)
		}
	}
}

// TestLoRAMerge: a model with two adapters baked in (F32) chats as the base
// model with the adapters applied; a type the weights cannot take is one
// error naming the tensor.
func TestLoRAMerge(t *testing.T) {
	a, b := randomAdapterFile(t, 2), randomAdapterFile(t, 3)
	merged := filepath.Join(t.TempDir(), "merged.gguf")
	r := run(t, "", "lora", "merge", "--adapter", a, "--adapter", b+":0.5", "--out", merged, "--type", "f32")
	if r.code != 0 || !strings.Contains(r.stderr, "wrote "+merged) {
		t.Fatalf("lora merge: exit %d: %s", r.code, r.stderr)
	}
	// Into a pipe: plain progress lines, no bar redrawn with carriage returns.
	if strings.Contains(r.stderr, "\r") || !strings.Contains(r.stderr, "merging tensors: ") {
		t.Fatalf("lora merge progress into a pipe: %q", r.stderr)
	}
	prompt := []string{"chat", "-p", "Once upon a time", "--temp", "0", "-n", "24"}
	want := run(t, "", append(prompt, "--adapter", a, "--adapter", b+":0.5")...)
	got := run(t, "", append(prompt, "--model", merged)...)
	base := run(t, "", prompt...)
	if want.code != 0 || got.code != 0 || got.stdout != want.stdout || got.stdout == base.stdout {
		t.Fatalf("merged model says %q (exit %d, %s), the adapters unmerged %q, the base %q", got.stdout, got.code, got.stderr, want.stdout, base.stdout)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--adapter", a, "--out", merged, "--type", "q4_0"}, "--type"},
		{[]string{"--adapter", a, "--out", merged, "--type", "q8_0"}, "blk.0.ffn_down.weight"},
		{[]string{"--adapter", merged, "--out", merged}, "not a LoRA adapter"},
	} {
		r := run(t, "", append([]string{"lora", "merge"}, c.args...)...)
		if r.code != 1 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("lora merge %v: exit %d, %q; want exit 1 naming %q", c.args, r.code, r.stderr, c.want)
		}
	}
}

// TestAdapterForAnotherModel: chat refuses an adapter made for another model
// with both named (exit 1), and loads one without the record with a note.
func TestAdapterForAnotherModel(t *testing.T) {
	a := randomAdapterFile(t, 4)
	other := testmodel.SyntheticFile(t, nn.Shape{Name: "other", Arch: "llama", Dim: 64, Layers: 5, Heads: 8, KVHeads: 4,
		FFNDim: 172, Vocab: 512, Context: 128}, quant.F32, 1)
	r := run(t, "", "chat", "--model", other, "--adapter", a, "-p", "Hi", "-n", "4")
	if r.code != 1 || !strings.Contains(r.stderr, `trained on "stories260K`) || !strings.Contains(r.stderr, `the model is "other (synthetic)"`) {
		t.Fatalf("adapter onto another model: exit %d, %q", r.code, r.stderr)
	}
	f, err := gguf.Open(a)
	if err != nil {
		t.Fatal(err)
	}
	b := f.Builder()
	for _, k := range []string{"milp.base.architecture", "milp.base.name", "milp.base.shape_hash"} {
		b.Delete(k)
	}
	old := filepath.Join(t.TempDir(), "old.gguf")
	if err := b.WriteFile(old); err != nil {
		t.Fatal(err)
	}
	f.Close()
	r = run(t, "", "chat", "--adapter", old, "-p", "Hi", "-n", "4", "--temp", "0")
	if r.code != 0 || !strings.Contains(r.stderr, "does not record the model it was trained on") {
		t.Fatalf("adapter without the record: exit %d, %q", r.code, r.stderr)
	}
}
