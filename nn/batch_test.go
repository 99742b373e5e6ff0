package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/milp-lite/milp-lite/kernels"
	"github.com/milp-lite/milp-lite/nn/sample"
	"github.com/milp-lite/milp-lite/quant"
)

// lowRank is a test adapter: y += scale·B·(A·x) at some sites of some
// layers, with its own rank, in plain loops (package lora has the real one;
// nn cannot import it).
type lowRank struct {
	rank  int
	scale float32
	a, b  map[[2]int][]float32 // by (layer, site): A is rank×in, B out×rank
}

func newLowRank(m *Model, rank int, scale float32, sites []Site, seed uint64) *lowRank {
	rng := rand.New(rand.NewPCG(seed, 7))
	c := &m.Config
	ad := &lowRank{rank: rank, scale: scale, a: map[[2]int][]float32{}, b: map[[2]int][]float32{}}
	for l := 0; l < c.Layers; l++ {
		for _, s := range sites {
			w := m.Weights.Layers[l].Matrix(s)
			in, out := w.Cols, w.Rows
			a, b := make([]float32, rank*in), make([]float32, out*rank)
			for i := range a {
				a[i] = float32(rng.NormFloat64()) / float32(math.Sqrt(float64(in)))
			}
			for i := range b {
				b[i] = float32(rng.NormFloat64()) * 0.2
			}
			ad.a[[2]int{l, int(s)}], ad.b[[2]int{l, int(s)}] = a, b
		}
	}
	return ad
}

func (ad *lowRank) ScratchLen() int { return ad.rank }

func (ad *lowRank) Adapt(layer int, site Site, y, x []float32, batch int, scratch []float32) {
	a, ok := ad.a[[2]int{layer, int(site)}]
	if !ok {
		return
	}
	b := ad.b[[2]int{layer, int(site)}]
	in, out := len(x)/batch, len(y)/batch
	h := scratch[:ad.rank]
	for r := 0; r < batch; r++ {
		for j := range h {
			var s float32
			for i := 0; i < in; i++ {
				s += a[j*in+i] * x[r*in+i]
			}
			h[j] = s
		}
		for o := 0; o < out; o++ {
			var s float32
			for j := range h {
				s += b[o*ad.rank+j] * h[j]
			}
			y[r*out+o] += ad.scale * s
		}
	}
}

// seqCase is one sequence of a batch test and what it gets alone.
type seqCase struct {
	prompt    []int32
	adapters  []Adapter
	maxTokens int
	generated []int32
	logits    [][]float32
}

// alone runs c through a State by itself, greedy, recording each draw's
// logits.
func (c *seqCase) alone(t *testing.T, m *Model, kv KVType) {
	t.Helper()
	st, err := m.NewStateWith(0, StateOptions{KV: kv})
	if err != nil {
		t.Fatal(err)
	}
	st.SetAdapters(c.adapters...)
	smp := sample.New(sample.Params{Temperature: 0}, m.Config.VocabSize)
	logits, err := st.Forward(c.prompt, false)
	if err != nil {
		t.Fatal(err)
	}
	for len(c.generated) < c.maxTokens {
		c.logits = append(c.logits, append([]float32(nil), logits...))
		id := smp.Sample(logits, st.Tokens())
		if m.Tokenizer.IsEOG(id) || st.Pos >= st.Ctx {
			break
		}
		c.generated = append(c.generated, id)
		if len(c.generated) == c.maxTokens {
			break
		}
		if logits, err = st.Forward([]int32{id}, false); err != nil {
			t.Fatal(err)
		}
	}
}

func batchCases(m *Model, n int, seed uint64) []*seqCase {
	rng := rand.New(rand.NewPCG(seed, 1))
	shared := newLowRank(m, 4, 1, []Site{SiteGate, SiteUp, SiteDown}, seed+1)
	var cases []*seqCase
	for i := range n {
		c := &seqCase{maxTokens: 4 + rng.IntN(12)}
		for range 1 + rng.IntN(40) {
			c.prompt = append(c.prompt, int32(3+rng.IntN(m.Config.VocabSize-3)))
		}
		switch i % 5 {
		case 1:
			c.adapters = []Adapter{shared}
		case 2:
			c.adapters = []Adapter{newLowRank(m, 1+i%7, 0.5, []Site{SiteQ, SiteV, SiteDown}, seed+uint64(i))}
		case 3:
			c.adapters = []Adapter{newLowRank(m, 8, 1, []Site{SiteK, SiteO, SiteGate}, seed+uint64(i)),
				newLowRank(m, 2, 2, []Site{SiteUp}, seed+100+uint64(i))}
		case 4:
			c.adapters = []Adapter{shared}
		}
		cases = append(cases, c)
	}
	return cases
}

// TestBatchMatchesAlone: every sequence of a mixed batch (different prompt
// lengths, no adapter, a shared one, its own of various ranks and sites, two
// at once with scales), joining as others leave, with chunked prefill on
// and off, draws the same tokens from the same logits (to float32 rounding)
// as it does alone.
func TestBatchMatchesAlone(t *testing.T) {
	shape := Shape{Name: "gqa", Arch: "llama", Dim: 64, Layers: 2, Heads: 8, KVHeads: 2, FFNDim: 96, Vocab: 320, Context: 128}
	for _, typ := range []quant.Type{quant.F32, quant.Q8_0} {
		m := writeModel(t, shape, typ, 5)
		for _, o := range []BatchOptions{
			{MaxSeqs: 5, StepTokens: 32, ChunkTokens: 7},
			{MaxSeqs: 32, StepTokens: 256},
			{MaxSeqs: 1, StepTokens: 64},
		} {
			t.Run(fmt.Sprintf("%s/seqs%d-step%d-chunk%d", typ, o.MaxSeqs, o.StepTokens, o.ChunkTokens), func(t *testing.T) {
				cases := batchCases(m, 17, 9)
				for _, c := range cases {
					c.alone(t, m, KVF32)
				}
				runBatch(t, m, o, cases, logitTolerance(typ))
			})
		}
	}
}

// runBatch runs the cases through one batch and compares each with its run
// alone.
func runBatch(t *testing.T, m *Model, o BatchOptions, cases []*seqCase, tol float64) {
	t.Helper()
	b, err := m.NewBatch(o)
	if err != nil {
		t.Fatal(err)
	}
	seqs := make([]*Sequence, len(cases))
	got := make([][][]float32, len(cases))
	for i, c := range cases {
		i := i
		seqs[i] = &Sequence{Prompt: c.prompt, Adapters: c.adapters, MaxTokens: c.maxTokens,
			Sampler:  sample.New(sample.Params{Temperature: 0}, m.Config.VocabSize),
			OnLogits: func(l []float32) { got[i] = append(got[i], append([]float32(nil), l...)) }}
		if err := b.Add(seqs[i]); err != nil {
			t.Fatal(err)
		}
	}
	for steps := 0; b.Step() > 0; steps++ {
		if steps > 10000 {
			t.Fatal("the batch does not finish")
		}
	}
	for i, c := range cases {
		s := seqs[i]
		select {
		case <-s.Done():
		default:
			t.Fatalf("sequence %d is not done", i)
		}
		// The drawn tokens agree up to the first draw whose two best logits
		// alone are closer than the logits may differ (a tie the allowed
		// error can break, which only the 8-bit tolerance allows); from
		// there the sequences have different inputs.
		same := commonLen(s.Generated, c.generated)
		tied := same < len(c.logits) && topGap(c.logits[same]) <= 2*tol*logitScale(c.logits[same])
		if same < max(len(s.Generated), len(c.generated)) && !tied {
			t.Fatalf("sequence %d (prompt %d, %d adapters): batch generated %v, alone %v", i, len(c.prompt), len(c.adapters), s.Generated, c.generated)
		}
		if !tied && len(got[i]) != len(c.logits) {
			t.Fatalf("sequence %d: %d draws in the batch, %d alone", i, len(got[i]), len(c.logits))
		}
		for k := range min(len(c.logits), len(got[i]), same+1) {
			if d := maxRelDiff(got[i][k], c.logits[k]); d > tol {
				t.Fatalf("sequence %d, draw %d: logits differ by %.2g of their scale", i, k, d)
			}
		}
	}
}

// logitTolerance is how far a row's logits in a batch may be from the same
// row's alone: float32 rounding for F32 weights, and for quantised ones at a
// level that multiplies batches as integers (each row then gets the bits it
// gets alone: the test model's matrices are whole interleaved groups). At
// other levels a single row (a sequence generating alone) is quantised to
// 8 bits and dotted as integers, as llama.cpp does, while several rows go
// through the float tiles: the difference is that 8-bit rounding, and the
// drawn tokens must still agree.
func logitTolerance(typ quant.Type) float64 {
	if typ == quant.F32 || kernels.HasIntegerBatches(typ) {
		return 1e-5
	}
	return 3e-2
}

func commonLen(a, b []int32) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// topGap is the difference between the two largest logits.
func topGap(l []float32) float64 {
	a, b := math.Inf(-1), math.Inf(-1)
	for _, x := range l {
		if v := float64(x); v > a {
			a, b = v, a
		} else if v > b {
			b = v
		}
	}
	return a - b
}

// logitScale is the largest |logit|, at least 1: what maxRelDiff divides by.
func logitScale(l []float32) float64 {
	s := 1.0
	for _, x := range l {
		s = max(s, math.Abs(float64(x)))
	}
	return s
}

// maxRelDiff is the largest |a−b| relative to the largest |b| (at least 1).
func maxRelDiff(a, b []float32) float64 {
	scale, d := 1.0, 0.0
	for i := range b {
		scale = max(scale, math.Abs(float64(b[i])))
		d = max(d, math.Abs(float64(a[i])-float64(b[i])))
	}
	return d / scale
}

// TestBatchF16Cache: with caches in halves, a batch's sequences draw what
// they draw alone with a cache in halves.
func TestBatchF16Cache(t *testing.T) {
	shape := Shape{Name: "gqa", Arch: "llama", Dim: 64, Layers: 2, Heads: 8, KVHeads: 2, FFNDim: 96, Vocab: 320, Context: 128}
	m := writeModel(t, shape, quant.F32, 5)
	cases := batchCases(m, 12, 4)
	for _, c := range cases {
		c.alone(t, m, KVF16)
	}
	runBatch(t, m, BatchOptions{MaxSeqs: 5, StepTokens: 32, ChunkTokens: 7, KV: KVF16}, cases, 1e-5)
}

// TestBatchEmbeddedModel: on the embedded model, stories told in a batch
// (several copies of one prompt among others) are those told alone, ending
// at the model's end of text where it ends them.
func TestBatchEmbeddedModel(t *testing.T) {
	m := loadDefault(t)
	var cases []*seqCase
	for i, text := range []string{"Once upon a time", "Lily had a red ball.", "Once upon a time", "The dog ran", "Tom"} {
		c := &seqCase{prompt: m.Tokenizer.Encode(text, true, false), maxTokens: 40 + 30*i}
		if i == 2 {
			c.adapters = []Adapter{newLowRank(m, 3, 1, []Site{SiteGate, SiteDown}, 4)}
		}
		c.alone(t, m, KVF32)
		cases = append(cases, c)
	}
	runBatch(t, m, BatchOptions{MaxSeqs: 3, StepTokens: 16, ChunkTokens: 4}, cases, 1e-5)
}

// steps runs b until it is idle, at most limit steps.
func steps(t *testing.T, b *Batch, limit int) {
	t.Helper()
	for n := 0; b.Step() > 0; n++ {
		if n == limit {
			t.Fatalf("not idle after %d steps", limit)
		}
	}
}

func greedy(m *Model) *sample.Sampler {
	return sample.New(sample.Params{Temperature: 0}, m.Config.VocabSize)
}

// TestBatchCancelAndPromptChunks: a long prompt joining mid-run is fed in
// chunks while the generating sequences keep producing a token every step;
// a cancelled sequence stops at the next step and frees its slot.
func TestBatchCancelAndPromptChunks(t *testing.T) {
	m := writeModel(t, Shape{Name: "s", Arch: "llama", Dim: 32, Layers: 2, Heads: 4, KVHeads: 2, FFNDim: 48, Vocab: 300, Context: 256}, quant.F32, 3)
	b, err := m.NewBatch(BatchOptions{MaxSeqs: 4, StepTokens: 20, ChunkTokens: 16})
	if err != nil {
		t.Fatal(err)
	}
	var streams []*Sequence
	for i := range 3 {
		s := &Sequence{Prompt: []int32{int32(5 + i), 9, 11}, MaxTokens: 60, Sampler: greedy(m)}
		if err := b.Add(s); err != nil {
			t.Fatal(err)
		}
		streams = append(streams, s)
	}
	b.Step() // prompts
	long := &Sequence{Prompt: make([]int32, 100), MaxTokens: 5, Sampler: greedy(m)}
	for i := range long.Prompt {
		long.Prompt[i] = int32(3 + i%150)
	}
	if err := b.Add(long); err != nil {
		t.Fatal(err)
	}
	for step := 0; len(long.Generated) == 0; step++ {
		before := make([]int, len(streams))
		for i, s := range streams {
			before[i] = len(s.Generated)
		}
		b.Step()
		for i, s := range streams {
			if len(s.Generated) != before[i]+1 {
				t.Fatalf("step %d of the long prompt: stream %d went from %d to %d tokens", step, i, before[i], len(s.Generated))
			}
		}
		if step > 100/(20-3)+1 {
			t.Fatalf("the long prompt is not fed after %d steps", step)
		}
	}
	streams[1].Cancel()
	b.Step()
	select {
	case <-streams[1].Done():
	default:
		t.Fatal("a cancelled sequence is still running after a step")
	}
	if streams[1].Reason != StopCaller || b.Active() != 3 {
		t.Fatalf("cancelled: reason %v, %d active", streams[1].Reason, b.Active())
	}
	steps(t, b, 200)
	for _, s := range []*Sequence{streams[0], streams[2], long} {
		if s.Reason != StopLimit || len(s.Generated) != s.MaxTokens {
			t.Fatalf("a sequence ended with %v after %d of %d tokens", s.Reason, len(s.Generated), s.MaxTokens)
		}
	}
}

// TestBatchKVBudget: sequences wait for cache memory and run as it frees;
// the pool never holds more than its budget; what can never fit is refused.
func TestBatchKVBudget(t *testing.T) {
	m := writeModel(t, Shape{Name: "s", Arch: "llama", Dim: 32, Layers: 2, Heads: 4, KVHeads: 2, FFNDim: 48, Vocab: 300, Context: 512}, quant.F32, 3)
	perCache := int64(kvQuantum) * 2 * 16 * 2 * 4 // positions × layers × KVDim × K and V × float32
	b, err := m.NewBatch(BatchOptions{MaxSeqs: 8, StepTokens: 64, KVBytes: 3 * perCache / 2})
	if err != nil {
		t.Fatal(err)
	}
	var seqs []*Sequence
	for i := range 5 {
		s := &Sequence{Prompt: []int32{int32(3 + i), 4}, MaxTokens: 20, Sampler: greedy(m)}
		if err := b.Add(s); err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, s)
	}
	for n := 0; b.Step() > 0; n++ {
		if b.Active() > 1 || b.kv.held > b.kv.budget {
			t.Fatalf("step %d: %d active, %d bytes held of %d", n, b.Active(), b.kv.held, b.kv.budget)
		}
		if n > 500 {
			t.Fatal("not idle")
		}
	}
	for i, s := range seqs {
		if len(s.Generated) != 20 {
			t.Fatalf("sequence %d generated %d tokens", i, len(s.Generated))
		}
	}
	for _, bad := range []*Sequence{
		{Prompt: make([]int32, 300), MaxTokens: 10, Sampler: greedy(m)}, // a cache of 512 positions: over the budget of one and a half of 256
		{Prompt: make([]int32, 513), Sampler: greedy(m)},                // longer than the context
		{Prompt: nil, Sampler: greedy(m)},
		{Prompt: []int32{1, 500}, Sampler: greedy(m)}, // outside the vocabulary
	} {
		if err := b.Add(bad); err == nil {
			t.Errorf("a sequence of %d prompt tokens was accepted", len(bad.Prompt))
		}
	}
}

// TestBatchStepDoesNotAllocate: once every sequence is generating, a step
// allocates nothing, adapters included.
func TestBatchStepDoesNotAllocate(t *testing.T) {
	for _, typ := range []quant.Type{quant.F32, quant.Q8_0} {
		m := writeModel(t, Shape{Name: "a", Arch: "qwen2", Dim: 128, Layers: 2, Heads: 4, KVHeads: 2, FFNDim: 256, Vocab: 300, Context: 512, Tied: true}, typ, 1)
		b, err := m.NewBatch(BatchOptions{MaxSeqs: 6, StepTokens: 64})
		if err != nil {
			t.Fatal(err)
		}
		ad := newLowRank(m, 4, 1, []Site{SiteQ, SiteGate, SiteDown}, 2)
		for i := range 6 {
			s := &Sequence{Prompt: []int32{int32(3 + i), 7, 9}, MaxTokens: 400,
				Sampler: sample.New(sample.Params{Temperature: 0.8, TopK: 40, TopP: 0.95, Seed: uint64(i)}, m.Config.VocabSize)}
			if i%2 == 0 {
				s.Adapters = []Adapter{ad}
			}
			if err := b.Add(s); err != nil {
				t.Fatal(err)
			}
		}
		b.Step()
		b.Step()
		if allocs := testing.AllocsPerRun(50, func() { b.Step() }); allocs != 0 {
			t.Fatalf("%s: a batch step allocates %.1f times", typ, allocs)
		}
	}
}

// TestBatchBoundsStepsWhileGenerating: while replies stream, a step runs at
// most GeneratingStepTokens rows, prompts getting what the streams leave
// (at least a quarter of it); with no stream running a prompt takes the
// whole StepTokens.
func TestBatchBoundsStepsWhileGenerating(t *testing.T) {
	m := writeModel(t, Shape{Name: "s", Arch: "llama", Dim: 32, Layers: 2, Heads: 4, KVHeads: 2, FFNDim: 48, Vocab: 300, Context: 256}, quant.F32, 3)
	long := func() *Sequence {
		s := &Sequence{Prompt: make([]int32, 150), MaxTokens: 2, Sampler: greedy(m)}
		for i := range s.Prompt {
			s.Prompt[i] = int32(3 + i%150)
		}
		return s
	}
	rowsOfStep := func(b *Batch) int {
		before := b.Profile.Rows
		b.Step()
		return b.Profile.Rows - before
	}
	for _, c := range []struct{ streams, generating, wantRows int }{
		{3, 12, 12},  // 3 stream rows + 9 prompt rows
		{10, 12, 13}, // 10 stream rows + a quarter of 12 for the prompt
	} {
		b, err := m.NewBatch(BatchOptions{MaxSeqs: c.streams + 1, StepTokens: 64, GeneratingStepTokens: c.generating, Profile: true})
		if err != nil {
			t.Fatal(err)
		}
		for i := range c.streams {
			if err := b.Add(&Sequence{Prompt: []int32{int32(5 + i), 9}, MaxTokens: 100, Sampler: greedy(m)}); err != nil {
				t.Fatal(err)
			}
		}
		b.Step() // the streams' prompts
		if err := b.Add(long()); err != nil {
			t.Fatal(err)
		}
		for step := range 5 {
			if got := rowsOfStep(b); got != c.wantRows {
				t.Fatalf("%d streams, generating step %d: step %d ran %d rows, want %d", c.streams, c.generating, step, got, c.wantRows)
			}
		}
		b.CancelAll()
		steps(t, b, 10)
	}
	b, err := m.NewBatch(BatchOptions{MaxSeqs: 2, StepTokens: 64, GeneratingStepTokens: 12, Profile: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Add(long()); err != nil {
		t.Fatal(err)
	}
	if got := rowsOfStep(b); got != 64 {
		t.Fatalf("a prompt with no stream running: %d rows in a step, want all 64", got)
	}
}
