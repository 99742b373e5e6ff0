package memory

import (
	"strings"

	"github.com/milp-lite/milp-lite/nn/chat"
)

// ContextHeader introduces retrieved memories in the prompt.
const ContextHeader = "Relevant earlier conversation:\n"

// FormatContext renders retrieved turns for the prompt in chat.Plain's
// format, one line per turn:
//
//	Relevant earlier conversation:
//	User: <content>
//	Assistant: <content>
//
// Runs of whitespace, newlines included, inside a message become one space,
// so that a turn cannot fake another speaker's line. No turns give "", so
// callers can concatenate unconditionally.
func FormatContext(turns []Turn) string {
	if len(turns) == 0 {
		return ""
	}
	lines := make([]chat.Message, len(turns))
	for i, t := range turns {
		lines[i] = chat.Message{Role: t.Role, Content: strings.Join(strings.Fields(t.Content), " ")}
	}
	return ContextHeader + chat.Plain(lines, false)
}
