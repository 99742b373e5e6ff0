package userdata

import (
	"reflect"
	"testing"

	"github.com/milp-lite/milp-lite/nn/chat"
)

func TestEvalPairs(t *testing.T) {
	c := Conversation{Messages: []chat.Message{
		{Role: chat.RoleAssistant, Content: "Hi!"}, // opens the conversation: skipped
		{Role: chat.RoleSystem, Content: "note"},
		{Role: chat.RoleUser, Content: "Hello"},
		{Role: chat.RoleAssistant, Content: "How are you?"},
		{Role: chat.RoleUser, Content: "Fine"},
		{Role: chat.RoleAssistant, Content: "Good."},
	}}
	got := EvalPairs(c)
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
	_ = append(got[0].Context, chat.Message{Role: chat.RoleUser, Content: "injected"})
	if c.Messages[3].Content != "How are you?" {
		t.Error("appending to a context changed the conversation")
	}
	if len(EvalPairs(Conversation{})) != 0 || len(EvalPairs(Conversation{Messages: []chat.Message{{Role: chat.RoleUser, Content: "x"}}})) != 0 {
		t.Error("turns without an assistant reply")
	}
}
