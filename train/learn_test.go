package train

import (
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/userdata"
)

// TestMemorisesTwoSequences: a rank-8 LoRA on every site of the embedded
// model drives the loss of two short sentences near zero. (A random model
// cannot show this: its final RMSNorm and small output weights cap how
// peaked its softmax can get, whatever the adapter does.)
func TestMemorisesTwoSequences(t *testing.T) {
	m := defaultModel(t)
	layers, _ := lora.ParseLayers("all", m.Config.Layers)
	sites, _ := lora.ParseSites("all")
	set, err := lora.New(m, lora.Config{Sites: sites, Layers: layers, Modules: []lora.ModuleConfig{{Rank: 8, Alpha: 16}}}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	var seqs []Sequence
	for _, text := range []string{"The purple robot sang to the moon.", "Zed ate seven blue pancakes."} {
		toks := m.Tokenizer.Encode(text, true, false)
		s := Sequence{Tokens: toks, Loss: make([]bool, len(toks))}
		for i := range s.Loss {
			s.Loss[i] = true
		}
		seqs = append(seqs, s)
	}
	tr, err := NewTrainer(m, set, Recipe{Epochs: 1, Batch: 2, TrainCtx: 32, LR: 1e-2, Seed: 1}, 300)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := tr.Evaluate(seqs)
	for i := 0; i < 300; i++ {
		if _, _, err := tr.TrainStep(seqs); err != nil {
			t.Fatal(err)
		}
	}
	last, _ := tr.Evaluate(seqs)
	t.Logf("loss %.3f -> %.4f", first, last)
	if last > 0.05 {
		t.Fatalf("loss after 300 steps is %.3f (from %.3f), want < 0.05", last, first)
	}
}

// TestPersonaHeldOutLossDecreases: on the embedded stories260K model,
// training on one persona's conversations lowers the loss of that persona's
// held-out conversations.
func TestPersonaHeldOutLossDecreases(t *testing.T) {
	m := defaultModel(t)
	convs, err := userdata.ReadConversations("testdata/persona_construction_worker.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	trainC, valC := userdata.HoldOut(convs, 3, 0.25)
	trainS, err := Prepare(m, trainC, 128)
	if err != nil {
		t.Fatal(err)
	}
	valS, _ := Prepare(m, valC, 128)
	layers, _ := lora.ParseLayers("all", m.Config.Layers)
	cfg := lora.Config{Sites: []nn.Site{nn.SiteQ, nn.SiteV, nn.SiteGate, nn.SiteUp, nn.SiteDown}, Layers: layers,
		Modules: lora.Modules(1, 8, 16)}
	r := Recipe{Epochs: 1000, Batch: 4, TrainCtx: 128, LR: 3e-3, ClipNorm: 1, Seed: 3}
	// A fresh adapter adds nothing (B starts at zero): its loss is the base model's.
	set, err := lora.New(m, cfg, rand.New(rand.NewPCG(3, 3)))
	if err != nil {
		t.Fatal(err)
	}
	base, err := NewTrainer(m, set, r, 1)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := base.Evaluate(valS)
	deadline := time.Now().Add(4 * time.Second)
	var after float64
	res, err := Run(m, trainS, valS, cfg, r, Control{
		Stop:    func() bool { return time.Now().After(deadline) },
		OnEpoch: func(_ int, _, val float64) { after = val },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("held-out loss %.4f -> %.4f after %d steps (%d train sequences, %d held out)", before, after, res.Steps, len(trainS), len(valS))
	if after == 0 || !(after < before-0.05) {
		t.Fatalf("held-out loss went from %.4f to %.4f", before, after)
	}
}

// TestRunCheckpointResume: a run interrupted after 2 steps and resumed from
// its checkpoint ends with the same adapter as an uninterrupted run.
func TestRunCheckpointResume(t *testing.T) {
	m := defaultModel(t)
	dir := t.TempDir()
	layers, _ := lora.ParseLayers("0-1", m.Config.Layers)
	opts := func(out string) FineTune {
		return FineTune{Data: "testdata/persona_construction_worker.jsonl", Out: out, ValSplit: 0.2,
			LoRA:   lora.Config{Sites: []nn.Site{nn.SiteUp, nn.SiteDown}, Layers: layers, Modules: lora.Modules(2, 4, 8), Dropout: 0.1},
			Recipe: Recipe{Epochs: 1, Batch: 16, TrainCtx: 64, LR: 1e-3, Seed: 9}}
	}
	full := opts(filepath.Join(dir, "full.gguf"))
	ref, err := full.Run(m)
	if err != nil {
		t.Fatal(err)
	}
	if ref.Steps < 4 || ref.ValLoss == 0 {
		t.Fatalf("%d steps, validation loss %v", ref.Steps, ref.ValLoss)
	}
	part := opts(filepath.Join(dir, "part.gguf"))
	calls := 0
	part.Control.Stop = func() bool { calls++; return calls == 2 }
	res, err := part.Run(m)
	if err != nil || !res.Interrupted || res.Steps != 2 {
		t.Fatalf("interrupted run: %+v, %v", res, err)
	}
	part.Control.Stop, part.Control.Resume = nil, true
	res, err = part.Run(m)
	if err != nil || res.Steps != ref.Steps {
		t.Fatalf("resumed run: %+v, %v", res, err)
	}
	// The interrupted epoch's loss so far travels in the checkpoint.
	if res.TrainLoss != ref.TrainLoss || res.ValLoss != ref.ValLoss {
		t.Fatalf("resumed run's losses %v, %v; uninterrupted %v, %v", res.TrainLoss, res.ValLoss, ref.TrainLoss, ref.ValLoss)
	}
	a, _ := lora.Load(full.Out, m)
	b, _ := lora.Load(part.Out, m)
	a.Each(func(l int, s nn.Site, fa *lora.Factors) {
		fb := b.At(l, s)
		for i := range fa.B {
			if fa.B[i] != fb.B[i] {
				t.Fatalf("blk.%d.%s: B[%d] %v resumed vs %v uninterrupted", l, s, i, fb.B[i], fa.B[i])
			}
		}
	})
}
