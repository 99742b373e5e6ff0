package train

import (
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/nn"
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
	tr, err := NewTrainer(m, set, 32, Hyper{LR: 1e-2, Batch: 2, Seed: 1, WarmupSteps: 10}, 300)
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
	convs, err := ReadJSONL("testdata/persona_construction_worker.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	trainC, valC := Split(convs, 0.25, 3)
	trainS, err := Prepare(m, trainC, 128)
	if err != nil {
		t.Fatal(err)
	}
	valS, _ := Prepare(m, valC, 128)
	layers, _ := lora.ParseLayers("all", m.Config.Layers)
	set, err := lora.New(m, lora.Config{Sites: []nn.Site{nn.SiteQ, nn.SiteV, nn.SiteGate, nn.SiteUp, nn.SiteDown}, Layers: layers,
		Modules: []lora.ModuleConfig{{Rank: 8, Alpha: 16}}}, rand.New(rand.NewPCG(3, 3)))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(m, set, 128, Hyper{LR: 3e-3, Batch: 4, Seed: 3, WarmupSteps: 4, ClipNorm: 1}, 200)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := tr.Evaluate(valS)
	deadline := time.Now().Add(4 * time.Second)
	steps := 0
	for epoch := 0; time.Now().Before(deadline); epoch++ {
		order := EpochOrder(3, epoch, len(trainS))
		for i := 0; i < len(order) && time.Now().Before(deadline); i += 4 {
			var batch []Sequence
			for _, k := range order[i:min(i+4, len(order))] {
				batch = append(batch, trainS[k])
			}
			if _, _, err := tr.TrainStep(batch); err != nil {
				t.Fatal(err)
			}
			steps++
		}
	}
	after, _ := tr.Evaluate(valS)
	t.Logf("held-out loss %.4f -> %.4f after %d steps (%d train sequences, %d held out)", before, after, steps, len(trainS), len(valS))
	if !(after < before-0.05) {
		t.Fatalf("held-out loss went from %.4f to %.4f", before, after)
	}
}

// TestRunCheckpointResume: a run interrupted after 2 steps and resumed from
// its checkpoint ends with the same adapter as an uninterrupted run.
func TestRunCheckpointResume(t *testing.T) {
	m := defaultModel(t)
	dir := t.TempDir()
	layers, _ := lora.ParseLayers("0-1", m.Config.Layers)
	opts := func(out string) Options {
		return Options{Data: "testdata/persona_construction_worker.jsonl", Out: out, Sites: []nn.Site{nn.SiteUp, nn.SiteDown},
			Layers: layers, Rank: 4, Alpha: 8, LorasPerSite: 2, Epochs: 1, Ctx: 64, ValSplit: 0.2, Dropout: 0.1,
			Hyper: Hyper{LR: 1e-3, Batch: 16, Seed: 9}}
	}
	full := opts(filepath.Join(dir, "full.gguf"))
	ref, err := Run(m, full)
	if err != nil {
		t.Fatal(err)
	}
	if ref.Steps < 4 || ref.ValLoss == 0 {
		t.Fatalf("%d steps, validation loss %v", ref.Steps, ref.ValLoss)
	}
	part := opts(filepath.Join(dir, "part.gguf"))
	calls := 0
	part.Stop = func() bool { calls++; return calls == 2 }
	res, err := Run(m, part)
	if err != nil || !res.Interrupted || res.Steps != 2 {
		t.Fatalf("interrupted run: %+v, %v", res, err)
	}
	part.Stop, part.Resume = nil, true
	res, err = Run(m, part)
	if err != nil || res.Steps != ref.Steps {
		t.Fatalf("resumed run: %+v, %v", res, err)
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
