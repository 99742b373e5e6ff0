package train

import (
	"fmt"
	"strings"

	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/nn/chat"
	"github.com/milp-lite/milp-lite/userdata"
)

// Example is a tokenised conversation: Loss[i] says token i is part of an
// assistant reply (including the turn's closing text), the tokens the model
// learns to produce.
type Example struct {
	Tokens []int32
	Loss   []bool
}

// Renderer turns conversations into a model's token stream: with the model's
// chat template, or chat.Plain's "User:"/"Assistant:" lines without one.
type Renderer struct {
	m    *nn.Model
	tmpl *chat.Template
	// TemplateErr says why the model's chat template is not used (see
	// nn.ChatTemplate); the conversations are then rendered as chat.Plain
	// lines, the format a chat with that model falls back to as well.
	TemplateErr error
}

// NewRenderer prepares the model's chat template, leaving out one that
// cannot be used (see TemplateErr).
func NewRenderer(m *nn.Model) (*Renderer, error) {
	t, err := nn.ChatTemplate(m)
	return &Renderer{m: m, tmpl: t, TemplateErr: err}, nil
}

func (r *Renderer) encode(msgs []chat.Message, addGen bool) ([]int32, error) {
	tok := r.m.Tokenizer
	var text string
	if r.tmpl == nil {
		text = chat.Plain(msgs, addGen)
	} else {
		var err error
		if text, err = r.tmpl.Render(msgs, addGen, tok.TokenText(tok.BOS()), tok.TokenText(tok.EOS())); err != nil {
			return nil, fmt.Errorf("chat template: %w", err)
		}
	}
	addBOS := r.tmpl == nil || !strings.HasPrefix(text, tok.TokenText(tok.BOS()))
	return tok.Encode(text, addBOS, true), nil
}

// Tokenize renders a conversation and marks the assistant replies (but
// those weighted 0, which stay context only). Each
// reply's token range is found by rendering prefix by prefix: it starts
// where the conversation up to it plus the assistant header ends and stops
// where the conversation including it ends.
func (r *Renderer) Tokenize(c userdata.Conversation) (Example, error) {
	full, err := r.encode(c.Messages, false)
	if err != nil {
		return Example{}, err
	}
	ex := Example{Tokens: full, Loss: make([]bool, len(full))}
	for k, m := range c.Messages {
		if !m.Trained() { // not the assistant's, or weighted 0
			continue
		}
		before, err := r.encode(c.Messages[:k], true)
		if err != nil {
			return Example{}, err
		}
		through, err := r.encode(c.Messages[:k+1], false)
		if err != nil {
			return Example{}, err
		}
		for i := commonPrefix(before, full); i < min(commonPrefix(through, full), len(full)); i++ {
			ex.Loss[i] = true
		}
	}
	return ex, nil
}

// commonPrefix is how many leading tokens a and b share: tokenisation across
// a boundary may differ, and only the shared part can be trusted to align.
func commonPrefix(a, b []int32) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// Sequence is a training sequence: inputs Tokens[:n-1] predict Tokens[1:],
// and target i counts when Loss[i+1].
type Sequence struct {
	Tokens []int32
	Loss   []bool
}

// Targets is how many of the sequence's predictions count.
func (s Sequence) Targets() int {
	n := 0
	for _, l := range s.Loss[1:] {
		if l {
			n++
		}
	}
	return n
}

// Pack fits examples into sequences of at most ctx inputs (ctx+1 tokens):
// consecutive examples share a sequence while they fit, and an example
// longer than that is cut into windows that overlap by one token, so each
// of its tokens is predicted exactly once. Sequences with nothing to learn
// are dropped.
func Pack(examples []Example, ctx int) []Sequence {
	var out []Sequence
	var cur Sequence
	flush := func() {
		if len(cur.Tokens) > 1 && cur.Targets() > 0 {
			out = append(out, cur)
		}
		cur = Sequence{}
	}
	for _, ex := range examples {
		if len(cur.Tokens)+len(ex.Tokens) > ctx+1 {
			flush()
		}
		if len(ex.Tokens) <= ctx+1 {
			cur.Tokens = append(cur.Tokens, ex.Tokens...)
			cur.Loss = append(cur.Loss, ex.Loss...)
			continue
		}
		for start := 0; start < len(ex.Tokens)-1; start += ctx {
			end := min(start+ctx+1, len(ex.Tokens))
			cur = Sequence{Tokens: append([]int32(nil), ex.Tokens[start:end]...), Loss: append([]bool(nil), ex.Loss[start:end]...)}
			cur.Loss[0] = false // already predicted by the previous window
			if start == 0 {
				cur.Loss[0] = ex.Loss[0]
			}
			flush()
		}
	}
	flush()
	return out
}

// Prepare tokenises conversations for m and packs them into sequences of at
// most ctx inputs.
func Prepare(m *nn.Model, convs []userdata.Conversation, ctx int) ([]Sequence, error) {
	r, err := NewRenderer(m)
	if err != nil {
		return nil, err
	}
	exs := make([]Example, 0, len(convs))
	for _, c := range convs {
		ex, err := r.Tokenize(c)
		if err != nil {
			return nil, err
		}
		exs = append(exs, ex)
	}
	return Pack(exs, ctx), nil
}
