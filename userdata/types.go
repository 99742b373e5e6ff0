package userdata

import "fmt"

// Chat roles of a Message.
const (
	RoleUser      = "user"
	RoleAssistant = "assistant" // always the persona holder / personalised side
	RoleSystem    = "system"
)

// Message is one chat message in the fine-tuning "messages" format.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Conversation is one dialogue, messages in order.
type Conversation struct {
	Messages []Message `json:"messages"`
}

// User is one person whose replies are personalised, with their history.
type User struct {
	ID            string
	Persona       []string // persona sentences; may be empty (see ImportMaLP)
	Source        string   // dataset the history comes from
	Licence       string   // licence and attribution of that dataset
	Conversations []Conversation
}

func validRole(role string) bool {
	return role == RoleUser || role == RoleAssistant || role == RoleSystem
}

// validate checks that a conversation can be stored and trained on.
func (c Conversation) validate() error {
	if len(c.Messages) == 0 {
		return fmt.Errorf("conversation has no messages")
	}
	for i, m := range c.Messages {
		if !validRole(m.Role) {
			return fmt.Errorf("message %d: role %q is not user, assistant or system", i, m.Role)
		}
	}
	return nil
}

// appendMerged adds a message, joining it to the previous one with a newline
// when both have the same role: chat templates expect speakers to alternate,
// and two lines in a row from one speaker are one turn.
func appendMerged(msgs []Message, role, content string) []Message {
	if content == "" {
		return msgs
	}
	if n := len(msgs); n > 0 && msgs[n-1].Role == role {
		msgs[n-1].Content += "\n" + content
		return msgs
	}
	return append(msgs, Message{Role: role, Content: content})
}
