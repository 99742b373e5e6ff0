package memory

import (
	"time"

	"github.com/milp-lite/milp-lite/nn/chat"
)

// Turn is one message of the short-term store with the time it was said.
// On disk: {"role":"user","content":"My knee hurts.","time":"2024-05-01T10:00:00Z"}.
type Turn struct {
	chat.Message
	Time time.Time `json:"time"`
}

// NewTurn is a turn of role saying content at t.
func NewTurn(t time.Time, role, content string) Turn {
	return Turn{Message: chat.Message{Role: role, Content: content}, Time: t}
}
