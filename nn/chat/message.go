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
}

// ValidRole reports whether role is one of system, user and assistant.
func ValidRole(role string) bool {
	return role == RoleSystem || role == RoleUser || role == RoleAssistant
}

// Validate checks that the message has one of the stored roles.
func (m Message) Validate() error {
	if !ValidRole(m.Role) {
		return fmt.Errorf("role %q is not user, assistant or system", m.Role)
	}
	return nil
}
