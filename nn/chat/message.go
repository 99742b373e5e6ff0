package chat

import "fmt"

// The chat roles milp-lite stores and trains on. A template may be handed
// other roles (a tool's, say); they are passed to it unchanged.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant" // in a user's history: always the user being personalised
)

// Message is one message of a conversation: the one type for it in
// milp-lite, from a user's stored history to the prompt a template renders.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
	// Name tells apart participants of one role (OpenAI's `name`); templates
	// see it as message.name when it is set.
	Name string `json:"name,omitempty"`
	// Weight is OpenAI's fine-tuning weight of an assistant message: 0
	// leaves the message out of the training loss (it stays in the
	// context), nil or 1 trains on it.
	Weight *int `json:"weight,omitempty"`
}

// Trained reports whether training learns to produce m: an assistant
// message not weighted 0.
func (m Message) Trained() bool {
	return m.Role == RoleAssistant && (m.Weight == nil || *m.Weight != 0)
}

// ValidRole reports whether role is one of system, user and assistant.
func ValidRole(role string) bool {
	return role == RoleSystem || role == RoleUser || role == RoleAssistant
}

// Validate checks that the message has one of the stored roles, and a
// weight, if any, of 0 or 1 on an assistant message (as OpenAI's
// fine-tuning accepts).
func (m Message) Validate() error {
	if !ValidRole(m.Role) {
		return fmt.Errorf("role %q is not user, assistant or system", m.Role)
	}
	if m.Weight == nil {
		return nil
	}
	if m.Role != RoleAssistant {
		return fmt.Errorf("weight on a %s message: only assistant messages take a weight", m.Role)
	}
	if *m.Weight != 0 && *m.Weight != 1 {
		return fmt.Errorf("weight %d: want 0 (not trained on) or 1", *m.Weight)
	}
	return nil
}
