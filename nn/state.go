package nn

import (
	"fmt"

	"github.com/milp-lite/milp-lite/kernels"
)

// DefaultBatch is how many prompt tokens one forward step processes together:
// a batch reads each weight once for all its tokens, and wider batches keep
// the GEMM tiles full.
const DefaultBatch = 256

// State is one sequence being processed: its KV cache, its position and the
// scratch buffers of the forward pass, all allocated once so that generating a
// token allocates nothing.
type State struct {
	activations     // for up to maxBatch tokens at a time
	Ctx         int // positions the cache holds
	Pos         int // tokens processed so far
	maxBatch    int
	tokens      []int32 // the Pos tokens in the cache, for prefix reuse and penalties

	kv      KVType
	kvCache // Ctx positions, in float32 or in halves

	positions      []int32   // the batch's positions
	logits         []float32 // the last token's logits
	allLogits      []float32 // every token's, grown on demand
	attn           kernels.AttentionArgs
	one            [1]int32 // the token being generated, without an allocation
	adapters       []Adapter
	adapterScratch []float32
}

// StateOptions are a State's choices beyond its context; the zero value is
// the default.
type StateOptions struct {
	KV KVType // how the KV cache is stored
}

// NewState prepares a sequence of at most ctx tokens (0: the model's own
// context) with the default options. A context longer than the model was
// trained for is refused rather than silently degraded.
func (m *Model) NewState(ctx int) (*State, error) { return m.NewStateWith(ctx, StateOptions{}) }

// NewStateWith is NewState with options.
func (m *Model) NewStateWith(ctx int, o StateOptions) (*State, error) {
	c := &m.Config
	if ctx <= 0 {
		ctx = c.ContextLen
	}
	if ctx > c.ContextLen {
		return nil, fmt.Errorf("context %d is longer than the model's %d", ctx, c.ContextLen)
	}
	b := min(DefaultBatch, ctx) // Forward never holds more than ctx tokens
	s := &State{activations: newActivations(m, b), Ctx: ctx, maxBatch: b, tokens: make([]int32, 0, ctx),
		positions: make([]int32, b), kv: o.KV}
	if !o.KV.valid() {
		return nil, fmt.Errorf("unknown KV cache type %d", o.KV)
	}
	s.kvCache = newKVCache(c, o.KV, ctx)
	s.logits = make([]float32, c.VocabSize)
	return s, nil
}

// Reset empties the sequence; the buffers are kept.
func (s *State) Reset() { s.Rewind(0) }

// Rewind forgets the tokens after position pos, so a conversation can reuse
// the cached prefix it shares with a new prompt instead of recomputing it.
func (s *State) Rewind(pos int) {
	if pos >= 0 && pos < s.Pos {
		s.Pos = pos
		s.tokens = s.tokens[:pos]
	}
}

// Tokens are the tokens in the cache, oldest first. The slice belongs to the
// State.
func (s *State) Tokens() []int32 { return s.tokens }

// Model is the model this sequence runs on.
func (s *State) Model() *Model { return s.m }

// KV is how the sequence's KV cache is stored.
func (s *State) KV() KVType { return s.kv }

// KVBytes is the size of the sequence's KV cache: every layer's keys and
// values for Ctx positions.
func (s *State) KVBytes() int64 {
	c := &s.m.Config
	return int64(s.Ctx) * s.kv.PositionBytes(c)
}

// makeRows returns layers slices of n zero values each.
func makeRows[T any](layers, n int) [][]T {
	rows := make([][]T, layers)
	for l := range rows {
		rows[l] = make([]T, n)
	}
	return rows
}
