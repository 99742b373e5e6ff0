package chat

import "testing"

func TestPlain(t *testing.T) {
	got := Plain(conversation, true)
	want := "System: You are a helpful assistant\nUser: Hello\nAssistant:    Hi there   \nUser: Who are you\nAssistant:"
	if got != want {
		t.Errorf("Plain with prompt\n got: %q\nwant: %q", got, want)
	}
	got = Plain([]Message{{Role: "user", Content: "a\nb"}, {Role: "assistant", Content: "c"}, {Role: "tool", Content: "d"}}, false)
	want = "User: a\nb\nAssistant: c\nTool: d\n"
	if got != want {
		t.Errorf("Plain without prompt\n got: %q\nwant: %q", got, want)
	}
	if got := Plain(nil, true); got != "Assistant:" {
		t.Errorf("Plain(nil, true) = %q", got)
	}
	if got := Plain(nil, false); got != "" {
		t.Errorf("Plain(nil, false) = %q", got)
	}
}
