package userdata

import (
	"fmt"
	"strings"

	"github.com/milp-lite/milp-lite/nn/chat"
)

// Conversation is one dialogue, messages in order, in the chat fine-tuning
// format: {"messages": [{"role": "user", "content": "..."}, ...]}.
type Conversation struct {
	Messages []chat.Message `json:"messages"`
}

// User is one person whose replies are personalised, with their history.
type User struct {
	ID            string
	Persona       []string // persona sentences; may be empty (see ImportMaLP)
	Source        string   // dataset the history comes from
	Licence       string   // licence and attribution of that dataset
	Conversations []Conversation
}

// Validate checks that a conversation can be stored and trained on.
func (c Conversation) Validate() error {
	if len(c.Messages) == 0 {
		return fmt.Errorf("conversation has no messages")
	}
	said := false
	for i, m := range c.Messages {
		if err := m.Validate(); err != nil {
			return fmt.Errorf("message %d: %w", i, err)
		}
		said = said || strings.TrimSpace(m.Content) != ""
	}
	if !said {
		// Nothing to learn from or to retrieve: a broken export, not a chat.
		return fmt.Errorf("conversation has only empty messages")
	}
	return nil
}

// Add appends a message, joining it to the last one with a newline when both
// have the same role: chat templates expect speakers to alternate, and two
// lines in a row from one speaker are one turn. Empty content adds nothing.
func (c *Conversation) Add(role, content string) {
	if content == "" {
		return
	}
	if n := len(c.Messages); n > 0 && c.Messages[n-1].Role == role {
		c.Messages[n-1].Content += "\n" + content
		return
	}
	c.Messages = append(c.Messages, chat.Message{Role: role, Content: content})
}
