package userdata

import (
	"reflect"
	"testing"
)

func TestTurns(t *testing.T) {
	c := Conversation{Messages: []Message{
		{RoleAssistant, "Hi!"}, // opens the conversation: skipped
		{RoleSystem, "note"},
		{RoleUser, "Hello"},
		{RoleAssistant, "How are you?"},
		{RoleUser, "Fine"},
		{RoleAssistant, "Good."},
	}}
	got := Turns(c)
	if len(got) != 2 {
		t.Fatalf("got %d turns, want 2", len(got))
	}
	if !reflect.DeepEqual(got[0].Context, c.Messages[:3]) || got[0].Reply != c.Messages[3] {
		t.Errorf("turn 0 = %+v", got[0])
	}
	if !reflect.DeepEqual(got[1].Context, c.Messages[:5]) || got[1].Reply != c.Messages[5] {
		t.Errorf("turn 1 = %+v", got[1])
	}
	// Appending to a context must not overwrite the conversation.
	_ = append(got[0].Context, Message{RoleUser, "injected"})
	if c.Messages[3].Content != "How are you?" {
		t.Error("appending to a context changed the conversation")
	}
	if len(Turns(Conversation{})) != 0 || len(Turns(Conversation{Messages: []Message{{RoleUser, "x"}}})) != 0 {
		t.Error("turns without an assistant reply")
	}
}
