package userdata

// Turn is one evaluation example: the messages before an assistant reply and
// the reply itself.
type Turn struct {
	Context []Message
	Reply   Message
}

// Turns returns one Turn per assistant message that has at least one user
// message before it, with all preceding messages (any role) as context, in
// conversation order. An assistant message that opens a conversation (a
// greeting before the other side has said anything) is skipped: there is
// nothing to reply to, so it does not measure personalised replying.
// Context slices share the conversation's storage with capacity clipped, so
// appending to a context never overwrites the conversation.
func Turns(c Conversation) []Turn {
	var out []Turn
	seenUser := false
	for i, m := range c.Messages {
		switch {
		case m.Role == RoleUser:
			seenUser = true
		case m.Role == RoleAssistant && seenUser:
			out = append(out, Turn{Context: c.Messages[:i:i], Reply: m})
		}
	}
	return out
}
