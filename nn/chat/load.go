package chat

import "errors"

// trialConversations are rendered by Load: a first message and a short
// exchange, with and without the generation prompt. They hold no system
// message, which some templates (Gemma's) refuse.
var trialConversations = [][]Message{
	{{Role: RoleUser, Content: "Hello"}},
	{{Role: RoleUser, Content: "Hello"}, {Role: RoleAssistant, Content: "Hi there"}, {Role: RoleUser, Content: "Who are you?"}},
}

// Load parses a model's chat template and renders trial conversations with
// it, so that a template that cannot be used is found when the model is
// loaded rather than at its first reply. It fails on a syntax error and on
// a template that exceeds its Limits (a *LimitError); callers then use
// Plain, as for a model without a template. A template that refuses the
// trial conversations with raise_exception, or fails on them otherwise, is
// still returned: real conversations may suit it, and its errors are
// reported when they happen.
func Load(src, bosToken, eosToken string) (*Template, error) {
	t, err := Parse(src)
	if err != nil {
		return nil, err
	}
	for _, msgs := range trialConversations {
		for _, addGenerationPrompt := range []bool{false, true} {
			_, err := t.Render(msgs, addGenerationPrompt, bosToken, eosToken)
			if limit := (*LimitError)(nil); errors.As(err, &limit) {
				return nil, err
			}
		}
	}
	return t, nil
}
