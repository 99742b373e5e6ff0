package memory

import "strings"

// ContextHeader introduces retrieved memories in the prompt.
const ContextHeader = "Relevant earlier conversation:\n"

// FormatContext renders retrieved turns for the prompt:
//
//	Relevant earlier conversation:
//	User: <content>
//	Assistant: <content>
//
// one line per turn (runs of whitespace, including newlines, inside a message
// become one space so a turn cannot fake another speaker's line), roles
// written User / Assistant / System. No turns give "" so callers can
// concatenate unconditionally.
func FormatContext(turns []Turn) string {
	if len(turns) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(ContextHeader)
	for _, t := range turns {
		b.WriteString(speaker(t.Role))
		b.WriteString(": ")
		b.WriteString(strings.Join(strings.Fields(t.Content), " "))
		b.WriteByte('\n')
	}
	return b.String()
}

func speaker(role string) string {
	switch role {
	case "user":
		return "User"
	case "assistant":
		return "Assistant"
	case "system":
		return "System"
	}
	return role
}
