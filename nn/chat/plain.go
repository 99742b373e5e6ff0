package chat

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Plain renders a conversation for models that ship no chat template, and is
// the format used for chat training data. Each message becomes one line,
//
//	"System: " + content + "\n"     for role system
//	"User: " + content + "\n"       for role user
//	"Assistant: " + content + "\n"  for role assistant
//
// and any other role r is written as r with its first letter upper-cased
// ("tool" -> "Tool: ..."). Content is copied verbatim (no trimming; embedded
// newlines stay). With addGenerationPrompt the text ends in "Assistant:" with
// no trailing space or newline, so the model's first token supplies the
// space, exactly as it does after "Assistant:" in the training lines.
func Plain(msgs []Message, addGenerationPrompt bool) string {
	var sb strings.Builder
	for _, m := range msgs {
		sb.WriteString(plainRole(m.Role))
		sb.WriteString(": ")
		sb.WriteString(m.Content)
		sb.WriteByte('\n')
	}
	if addGenerationPrompt {
		sb.WriteString("Assistant:")
	}
	return sb.String()
}

func plainRole(role string) string {
	switch role {
	case "system":
		return "System"
	case "user":
		return "User"
	case "assistant":
		return "Assistant"
	case "":
		return "Unknown"
	}
	r, size := utf8.DecodeRuneInString(role)
	return string(unicode.ToUpper(r)) + role[size:]
}
