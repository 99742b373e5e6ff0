package chat

import (
	"github.com/nikolalohinski/gonja/v2/exec"
)

// messageList is the value templates see as `messages`. It is a plain slice
// (so gonja iterates, slices and measures it natively) that also implements
// gonja's ItemGetter to give Python semantics to negative indexes:
// gonja v2.9.1 rejects messages[-1] on a one-element list.
type messageList []any

// GetItem implements exec.ItemGetter.
func (l messageList) GetItem(key any) (*exec.Value, bool) {
	i, ok := key.(int)
	if !ok {
		return exec.AsValue(nil), false
	}
	if i < 0 {
		i += len(l)
	}
	if i < 0 || i >= len(l) {
		return exec.AsValue(nil), false
	}
	return exec.ToValue(l[i]), true
}

// toMessageList converts messages into Jinja dicts. exec.Dict keeps key
// order (role, then content) so `message | tojson` matches Python's output.
func toMessageList(msgs []Message) messageList {
	out := make(messageList, len(msgs))
	for i, m := range msgs {
		d := exec.Dict{Pairs: []*exec.Pair{
			{Key: exec.AsValue("role"), Value: exec.AsValue(m.Role)},
			{Key: exec.AsValue("content"), Value: exec.AsValue(m.Content)},
		}}
		if m.Name != "" {
			d.Pairs = append(d.Pairs, &exec.Pair{Key: exec.AsValue("name"), Value: exec.AsValue(m.Name)})
		}
		out[i] = d
	}
	return out
}
