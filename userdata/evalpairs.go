package userdata

import "github.com/milp-lite/milp-lite/nn/chat"

// EvalPair is one evaluation example: the messages before an assistant reply
// (the context the model answers) and the reply the user really gave.
type EvalPair struct {
	Context []chat.Message
	Reply   chat.Message
}

// EvalPairs returns one pair per assistant message that has at least one user
// message before it, with all preceding messages (any role) as context, in
// conversation order. An assistant message that opens a conversation (a
// greeting before the other side has said anything) is skipped: there is
// nothing to reply to, so it does not measure personalised replying. A reply
// weighted 0 (kept out of training) is context only here too.
// Context slices share the conversation's storage with capacity clipped, so
// appending to a context never overwrites the conversation.
func EvalPairs(c Conversation) []EvalPair {
	var out []EvalPair
	seenUser := false
	for i, m := range c.Messages {
		switch {
		case m.Role == chat.RoleUser:
			seenUser = true
		case m.Trained() && seenUser:
			out = append(out, EvalPair{Context: c.Messages[:i:i], Reply: m})
		}
	}
	return out
}
