package nn

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/milp-lite/milp-lite/kernels"
	"github.com/milp-lite/milp-lite/nn/sample"
	"github.com/milp-lite/milp-lite/nn/tokenizer"
)

// Batch advances many independent sequences together, each with its own KV
// cache, position, sampler and adapters: one Step runs every active
// sequence's next token (decode) or a chunk of its prompt (prefill) through
// one forward pass, so each weight is read once per step for all of them
// (continuous batching). Sequences join (Add) and leave between steps.
//
// Step must be called from one goroutine at a time; Add and Sequence.Cancel
// may be called from any.
type Batch struct {
	activations
	m    *Model
	opts BatchOptions
	kv   *kvPool

	mu      sync.Mutex
	waiting []*Sequence

	active []*Sequence
	plan   stepPlan
	pace   stepPace

	outX, outN []float32 // the final hidden states of the rows that sample, and their norms
	logits     []float32 // their logits, one row of VocabSize each
	attnOne    []kernels.AttentionArgs
	attnChunk  kernels.AttentionArgs
	lora       loraTask
	Profile    BatchProfile
}

// BatchOptions bound a Batch.
type BatchOptions struct {
	MaxSeqs     int // sequences active at once (default 16)
	StepTokens  int // token rows one step runs at most (default 256)
	ChunkTokens int // prompt tokens one sequence feeds in one step at most (default StepTokens)
	// GeneratingStepTokens bounds a step's rows while any sequence is
	// generating (default DefaultGeneratingStep): a step's time is every
	// stream's gap between two tokens, so prompts arriving then are fed in
	// pieces that lengthen it by a bounded amount; with no stream running,
	// prompts take StepTokens. Without StepTime, prompts always get at
	// least a quarter of it, so a full batch of streams does not starve a
	// newcomer (with StepTime, at least minPacedPromptRows).
	GeneratingStepTokens int
	// StepTime, when set, is the target duration of the steps that read
	// prompts while any sequence is generating: the prompts' rows follow
	// the measured step times (a feedback loop, batch_pace.go), at least a
	// few so newcomers keep moving, within GeneratingStepTokens. It bounds
	// the streams' gaps between tokens where a row count cannot: a step's
	// time also grows with the caches attended over.
	StepTime time.Duration
	Ctx      int    // a sequence's context (0: the model's)
	KVBytes  int64  // the KV caches' budget (0: MaxSeqs full contexts)
	KV       KVType // how the caches store keys and values
	Profile  bool   // time the steps' parts into Batch.Profile
}

// BatchProfile is where a Batch's steps went, with BatchOptions.Profile.
type BatchProfile struct {
	Steps, Rows        int           // steps run, and token rows over all of them
	Step, LoRA, Attend time.Duration // all of the steps; their LoRA terms; their attention
}

// Sequence is one generation in a Batch. Set the exported inputs, Add it,
// and read the results once Done is closed.
type Sequence struct {
	Prompt    []int32         // at least one token
	Adapters  []Adapter       // none: the base model
	Sampler   *sample.Sampler // how its tokens are drawn
	MaxTokens int             // tokens generated at most
	// Emit receives the generated text as it forms whole UTF-8 characters,
	// on the goroutine running Step; returning false stops the sequence.
	Emit func(text string) bool
	// OnLogits, when set, sees the logits each token is drawn from (before
	// the sampler's penalties), on the goroutine running Step.
	OnLogits func(logits []float32)

	Generated []int32    // the tokens generated, without an end-of-generation token
	Reason    StopReason // why it stopped

	kv     *kvCache
	tokens []int32 // the prompt and the tokens generated: tokens[:pos] are in the cache
	pos    int
	dec    *tokenizer.StreamDecoder
	cancel atomic.Bool
	done   chan struct{}
}

// Cancel stops the sequence at the next step (Reason StopCaller).
func (s *Sequence) Cancel() { s.cancel.Store(true) }

// Done is closed when the sequence has stopped.
func (s *Sequence) Done() <-chan struct{} { return s.done }

// DefaultGeneratingStep is BatchOptions.GeneratingStepTokens' default: half
// the default step, the compromise measured between streams' inter-token
// latency and the time new prompts wait (docs/performance.md).
const DefaultGeneratingStep = 128

// NewBatch prepares a batch on m.
func (m *Model) NewBatch(o BatchOptions) (*Batch, error) {
	c := &m.Config
	if o.MaxSeqs <= 0 {
		o.MaxSeqs = 16
	}
	if o.StepTokens <= 0 {
		o.StepTokens = DefaultBatch
	}
	if o.ChunkTokens <= 0 || o.ChunkTokens > o.StepTokens {
		o.ChunkTokens = o.StepTokens
	}
	if o.GeneratingStepTokens <= 0 {
		o.GeneratingStepTokens = DefaultGeneratingStep
	}
	o.GeneratingStepTokens = min(o.GeneratingStepTokens, o.StepTokens)
	if o.Ctx <= 0 {
		o.Ctx = c.ContextLen
	}
	if o.Ctx > c.ContextLen {
		return nil, fmt.Errorf("context %d is longer than the model's %d", o.Ctx, c.ContextLen)
	}
	if o.StepTokens < o.MaxSeqs {
		return nil, fmt.Errorf("a step of %d tokens cannot advance %d sequences", o.StepTokens, o.MaxSeqs)
	}
	if !o.KV.valid() {
		return nil, fmt.Errorf("unknown KV cache type %d", o.KV)
	}
	b := &Batch{activations: newActivations(m, o.StepTokens), m: m, opts: o}
	b.kv = newKVPool(c, o.KV, o.KVBytes)
	if o.KVBytes <= 0 {
		b.kv.budget = int64(o.MaxSeqs) * b.kv.bytes(sizeClass(o.Ctx))
	}
	b.active = make([]*Sequence, 0, o.MaxSeqs)
	b.plan = newStepPlan(o.StepTokens, o.MaxSeqs)
	b.outX = make([]float32, o.MaxSeqs*c.Dim)
	b.outN = make([]float32, o.MaxSeqs*c.Dim)
	b.logits = make([]float32, o.MaxSeqs*c.VocabSize)
	b.attnOne = make([]kernels.AttentionArgs, 0, o.MaxSeqs)
	b.lora.init(kernels.Default().Size(), o.StepTokens, o.MaxSeqs)
	return b, nil
}

// Add queues a sequence; it joins at a step when a slot and its KV cache are
// free. A sequence that could never run (an empty or too long prompt, a
// cache over the whole budget) is an error.
func (b *Batch) Add(s *Sequence) error {
	c := &b.m.Config
	switch {
	case len(s.Prompt) == 0:
		return fmt.Errorf("a sequence needs at least one prompt token")
	case len(s.Prompt) > b.opts.Ctx:
		return fmt.Errorf("the prompt (%d tokens) does not fit the context of %d", len(s.Prompt), b.opts.Ctx)
	case s.Sampler == nil:
		return fmt.Errorf("a sequence needs a sampler")
	case s.MaxTokens < 0:
		return fmt.Errorf("max tokens %d is negative", s.MaxTokens)
	}
	for i, t := range s.Prompt {
		if t < 0 || int(t) >= c.VocabSize {
			return fmt.Errorf("token %d at index %d is outside the vocabulary of %d", t, i, c.VocabSize)
		}
	}
	if err := b.kv.fits(s.positions(b.opts.Ctx)); err != nil {
		return err
	}
	s.tokens = append(make([]int32, 0, s.positions(b.opts.Ctx)), s.Prompt...)
	s.pos, s.Generated, s.done = 0, s.Generated[:0], make(chan struct{})
	s.dec = b.m.Tokenizer.NewStreamDecoder()
	b.mu.Lock()
	b.waiting = append(b.waiting, s)
	b.mu.Unlock()
	return nil
}

// positions is how many cache positions the sequence can need: its prompt
// and every token it may generate, within the context.
func (s *Sequence) positions(ctx int) int { return min(len(s.Prompt)+s.MaxTokens, ctx) }

// Idle reports whether no sequence is running or waiting.
func (b *Batch) Idle() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.active) == 0 && len(b.waiting) == 0
}

// Active is how many sequences are running.
func (b *Batch) Active() int { return len(b.active) }

// StepRows is how many token rows the last step ran.
func (b *Batch) StepRows() int { return b.plan.rows }

// CancelAll cancels every running and waiting sequence (a server shutting
// down): they stop at the next step.
func (b *Batch) CancelAll() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, s := range b.waiting {
		s.Cancel()
	}
	for _, s := range b.active {
		s.Cancel()
	}
}
