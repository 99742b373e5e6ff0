package bench

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/quant"
)

// tinyShape is a model small enough to write and run in milliseconds, with
// grouped-query attention and a width (64) that Q4_K's 256-value blocks do
// not divide, so the fallback is exercised too.
var tinyShape = nn.Shape{Name: "tiny", Arch: "llama", Dim: 64, Layers: 2, Heads: 4, KVHeads: 2, FFNDim: 256, Vocab: 300, Context: 256}

func TestCachePathRecordsShapeTypeAndSeed(t *testing.T) {
	c := &ModelCache{Dir: "/cache", Seed: 7}
	p := c.Path(tinyShape, quant.Q8_0)
	if !strings.HasPrefix(p, "/cache/tiny-Q8_0-seed7-") || !strings.HasSuffix(p, ".gguf") {
		t.Fatalf("path %q does not name shape, type and seed", p)
	}
	other := tinyShape
	other.FFNDim = 512 // same name, different shape
	c8 := &ModelCache{Dir: "/cache", Seed: 8}
	for _, q := range []string{c.Path(other, quant.Q8_0), c.Path(tinyShape, quant.F32), c8.Path(tinyShape, quant.Q8_0)} {
		if q == p {
			t.Fatalf("different shape, type or seed maps to the same file %q", p)
		}
	}
	if got := fileSafe("a/b c:d"); got != "a_b_c_d" {
		t.Fatalf("fileSafe = %q", got)
	}
}

func TestEnsureWritesOnceAndReuses(t *testing.T) {
	c := &ModelCache{Dir: t.TempDir(), Seed: 3}
	path, written, err := c.Ensure(tinyShape, quant.Q8_0, nil)
	if err != nil || !written {
		t.Fatalf("first Ensure: written %v, err %v", written, err)
	}
	// Back-date the file: a rewrite would show as a new modification time.
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	path2, written, err := c.Ensure(tinyShape, quant.Q8_0, nil)
	if err != nil || written || path2 != path {
		t.Fatalf("second Ensure: path %q (first %q), written %v, err %v", path2, path, written, err)
	}
	if st, err := os.Stat(path); err != nil || !st.ModTime().Equal(old) {
		t.Fatalf("cached file was rewritten (mtime %v, want %v)", st.ModTime(), old)
	}
	m, err := nn.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg := m.Config
	m.Close()
	if cfg.Dim != 64 || cfg.Layers != 2 || cfg.KVHeads != 2 || cfg.FFNDim != 256 || cfg.VocabSize != 300 {
		t.Fatalf("cached model has the wrong shape: %+v", cfg)
	}

	// A file at the right name but made with another seed is not trusted.
	other := &ModelCache{Dir: t.TempDir(), Seed: 4}
	otherPath, _, err := other.Ensure(tinyShape, quant.Q8_0, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(otherPath)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var why []string
	_, written, err = c.Ensure(tinyShape, quant.Q8_0, func(s string) { why = append(why, s) })
	if err != nil || !written {
		t.Fatalf("Ensure over a file of another seed: written %v, err %v", written, err)
	}
	if len(why) == 0 || !strings.Contains(why[0], "milp-lite.bench.seed is 4, want 3") {
		t.Fatalf("rewrite reason %q does not name the seed", why)
	}
	if err := c.checkCached(path, tinyShape, quant.Q8_0); err != nil {
		t.Fatalf("rewritten file: %v", err)
	}
	// Garbage at the name is replaced too.
	os.WriteFile(path, []byte("not a gguf"), 0o644)
	if _, written, err = c.Ensure(tinyShape, quant.Q8_0, nil); err != nil || !written {
		t.Fatalf("Ensure over garbage: written %v, err %v", written, err)
	}
}

func TestSynthesisIsDeterministic(t *testing.T) {
	a := &ModelCache{Dir: t.TempDir(), Seed: 5}
	b := &ModelCache{Dir: t.TempDir(), Seed: 5}
	pa, _, errA := a.Ensure(tinyShape, quant.Q4_0, nil)
	pb, _, errB := b.Ensure(tinyShape, quant.Q4_0, nil)
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	da, _ := os.ReadFile(pa)
	db, _ := os.ReadFile(pb)
	if !bytes.Equal(da, db) {
		t.Fatal("the same shape, type and seed gave different files")
	}
}

func TestQ4KFallsBackWhereBlocksDoNotFit(t *testing.T) {
	c := &ModelCache{Dir: t.TempDir(), Seed: 1}
	path, _, err := c.Ensure(tinyShape, quant.Q4_K, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]quant.Type{
		"token_embd.weight":      quant.Q5_0, // 64 columns: not a whole Q4_K block
		"blk.0.attn_q.weight":    quant.Q5_0,
		"blk.1.ffn_up.weight":    quant.Q5_0,
		"blk.1.ffn_down.weight":  quant.Q4_K, // 256 columns: fits
		"blk.0.attn_norm.weight": quant.F32,
		"output_norm.weight":     quant.F32,
		"output.weight":          quant.Q5_0,
	}
	for name, typ := range want {
		ti, ok := f.Tensor(name)
		if !ok || ti.Type != typ {
			t.Errorf("%s: found %v, type %v, want %v", name, ok, ti, typ)
		}
	}
}

func TestEstimateFileBytesCoversTheFile(t *testing.T) {
	c := &ModelCache{Dir: t.TempDir(), Seed: 1}
	for _, typ := range []quant.Type{quant.F32, quant.Q8_0, quant.Q4_K} {
		path, _, err := c.Ensure(tinyShape, typ, nil)
		if err != nil {
			t.Fatal(err)
		}
		st, _ := os.Stat(path)
		est := estimateFileBytes(tinyShape, typ)
		if est < st.Size() || est > st.Size()+2<<20 {
			t.Errorf("%s: estimate %d bytes for a file of %d", typ, est, st.Size())
		}
	}
}

func TestEnsureRefusesWhenTheDiskIsTooSmall(t *testing.T) {
	free, ok := diskFree(t.TempDir())
	if !ok {
		t.Skip("free space unknown here")
	}
	// A shape whose F32 file would be larger than the free space.
	huge := tinyShape
	huge.Name, huge.Vocab = "huge", int(free/4/int64(huge.Dim))+1000
	c := &ModelCache{Dir: t.TempDir(), Seed: 1}
	_, _, err := c.Ensure(huge, quant.F32, nil)
	if err == nil || !strings.Contains(err.Error(), "is free") {
		t.Fatalf("err = %v, want a clear out-of-space message", err)
	}
}

func TestParseShapesAndTypes(t *testing.T) {
	s, err := ParseShapes("stories15m, SmolLM2-135M")
	if err != nil || len(s) != 2 || s[0].Name != "stories15M" || s[1].Name != "SmolLM2-135M" {
		t.Fatalf("ParseShapes: %v %v", s, err)
	}
	if _, err := ParseShapes("gpt5"); err == nil || !strings.Contains(err.Error(), "TinyLlama-1.1B") {
		t.Fatalf("unknown shape: %v", err)
	}
	ty, err := ParseTypes("f32,q8_0,Q4_K")
	if err != nil || len(ty) != 3 || ty[0] != quant.F32 || ty[1] != quant.Q8_0 || ty[2] != quant.Q4_K {
		t.Fatalf("ParseTypes: %v %v", ty, err)
	}
	if _, err := ParseTypes("q9"); err == nil {
		t.Fatal("unknown type accepted")
	}
	if _, err := ParseTypes(" , "); err == nil {
		t.Fatal("empty list accepted")
	}
}
