package memory

import (
	"fmt"
	"time"
)

// Turn is one message of the short-term store.
type Turn struct {
	Time    time.Time `json:"time"`
	Role    string    `json:"role"` // "user", "assistant" or "system"
	Content string    `json:"content"`
}

// validRole reports whether role is one of the chat roles the store accepts.
func validRole(role string) bool {
	return role == "user" || role == "assistant" || role == "system"
}

func (t Turn) validate() error {
	if !validRole(t.Role) {
		return fmt.Errorf("role %q is not user, assistant or system", t.Role)
	}
	return nil
}
