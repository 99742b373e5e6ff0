package serve

import (
	"strings"

	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/nn/chat"
)

// prompter renders conversations as the model was trained to read them:
// its chat template, or chat.Plain's lines when it has none (the format
// milp-lite trains adapters on).
type prompter struct {
	m    *nn.Model
	tmpl *chat.Template
}

func (p *prompter) plain() bool { return p.tmpl == nil }

// chatPrompt is the tokens of msgs ready for the assistant's reply, with
// memory (retrieved earlier turns) as a leading system message.
func (p *prompter) chatPrompt(msgs []chat.Message, memory string) ([]int32, error) {
	if memory != "" {
		msgs = append([]chat.Message{{Role: chat.RoleSystem, Content: memory}}, msgs...)
	}
	tok := p.m.Tokenizer
	var text string
	if p.tmpl == nil {
		text = chat.Plain(msgs, true)
	} else {
		var err error
		if text, err = p.tmpl.Render(msgs, true, tok.TokenText(tok.BOS()), tok.TokenText(tok.EOS())); err != nil {
			return nil, badRequest("messages", "the model's chat template refused the conversation: %v", err)
		}
	}
	addBOS := p.tmpl == nil || !strings.HasPrefix(text, tok.TokenText(tok.BOS()))
	return tok.Encode(text, addBOS, true), nil
}

// textPrompt is a completion prompt's tokens.
func (p *prompter) textPrompt(text string) []int32 { return p.m.Tokenizer.Encode(text, true, false) }

// newPrompter uses the model's template when it renders within its limits
// (nn.ChatTemplate), else plain lines, saying why.
func newPrompter(m *nn.Model) (*prompter, error) {
	t, err := nn.ChatTemplate(m)
	return &prompter{m: m, tmpl: t}, err
}
