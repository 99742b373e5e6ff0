package userdata

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/milp-lite/milp-lite/nn/chat"
)

func weight(w int) *int { return &w }

// TestImportOpenAIFull: every feature of OpenAI's chat fine-tuning format
// in testdata/openai_full.jsonl (weights, names, text parts, the developer
// role, tool calls in both the current and the older function form) is
// read into stored roles, tool traffic skipped and counted, and survives a
// save and a load.
func TestImportOpenAIFull(t *testing.T) {
	f, err := os.Open("testdata/openai_full.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	u, skipped, err := ImportOpenAI(f, "openai_full.jsonl", "marv")
	if err != nil {
		t.Fatal(err)
	}
	if c, _, err := DecodeConversation([]byte(`{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"a","weight":1.0}]}`)); err != nil || *c.Messages[1].Weight != 1 {
		t.Errorf("weight 1.0: %v", err)
	}
	if skipped != 4 {
		t.Errorf("skipped %d tool messages, want 4 (two calls, two answers)", skipped)
	}
	want := []Conversation{
		{Messages: []chat.Message{
			{Role: "system", Content: "Marv is a factual chatbot that is also sarcastic."},
			{Role: "user", Content: "What's the capital of France?"},
			{Role: "assistant", Content: "Paris", Weight: weight(0)},
			{Role: "user", Content: "Can you be more sarcastic?"},
			{Role: "assistant", Content: "Paris, as if everyone doesn't know that already.", Weight: weight(1)},
		}},
		{Messages: []chat.Message{
			{Role: "system", Content: "Be brief."},
			{Role: "user", Content: "Who wrote 'Romeo and Juliet'?", Name: "ann"},
			{Role: "assistant", Content: "Oh, just some guy named William Shakespeare.", Name: "marv"},
		}},
		{Messages: []chat.Message{
			{Role: "user", Content: "What is the weather in San Francisco?"},
			{Role: "assistant", Content: "It is 21 degrees celsius in San Francisco, CA"},
		}},
		{Messages: []chat.Message{
			{Role: "user", Content: "And in Paris?"},
			{Role: "assistant", Content: "18.5 degrees, practically tropical."},
		}},
	}
	if !reflect.DeepEqual(u.Conversations, want) {
		t.Fatalf("conversations\n%+v\nwant\n%+v", u.Conversations, want)
	}
	dir := t.TempDir()
	if err := Save(dir, []User{u}); err != nil {
		t.Fatal(err)
	}
	back, err := LoadUser(dir, "marv")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Conversations, want) || back.Source != "openai_full.jsonl" {
		t.Fatalf("loaded back\n%+v\nwant\n%+v", back, want)
	}
	stored, _ := os.ReadFile(filepath.Join(dir, "marv.jsonl"))
	if !strings.Contains(string(stored), `"content":"Paris","weight":0}`) || strings.Contains(string(stored), "tool") {
		t.Errorf("stored file:\n%s", stored)
	}
	// A weighted-0 reply is context, not an evaluation target.
	pairs := EvalPairs(want[0])
	if len(pairs) != 1 || pairs[0].Reply.Content != want[0].Messages[4].Content {
		t.Errorf("eval pairs %+v, want only the weighted reply", pairs)
	}
}

// TestDecodeConversationRefuses: what OpenAI's format does not allow, or
// milp-lite cannot train on, is one error saying what.
func TestDecodeConversationRefuses(t *testing.T) {
	for _, c := range []struct{ name, line, want string }{
		{"image part", `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]},{"role":"assistant","content":"a"}]}`, `message 0: content part 0: type "image_url" is not supported (text only)`},
		{"part key", `{"messages":[{"role":"user","content":[{"type":"text","text":"a","x":1}]}]}`, `content part 0: json: unknown field "x"`},
		{"image type", `{"messages":[{"role":"user","content":[{"type":"image_url"}]},{"role":"assistant","content":"a"}]}`, `type "image_url" is not supported (text only)`},
		{"content number", `{"messages":[{"role":"user","content":3}]}`, "content: want a string or an array of text parts"},
		{"weight on user", `{"messages":[{"role":"user","content":"hi","weight":0}]}`, "only assistant messages take a weight"},
		{"weight 2", `{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"a","weight":2}]}`, "weight 2: want 0"},
		{"weight 0.5", `{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"a","weight":0.5}]}`, "weight 0.5: want 0"},
		{"weight text", `{"messages":[{"role":"assistant","content":"a","weight":"0"}]}`, "weight"},
		{"unknown key", `{"messages":[{"role":"user","content":"hi","mood":"sad"}]}`, `unknown field "mood"`},
		{"unknown role", `{"messages":[{"role":"robot","content":"hi"}]}`, `role "robot"`},
		{"tool_call_id on user", `{"messages":[{"role":"user","content":"hi","tool_call_id":"x"}]}`, "tool_call_id on a user message"},
		{"only tools", `{"messages":[{"role":"tool","content":"21"}]}`, "no messages (after skipping 1 tool messages)"},
	} {
		_, _, err := DecodeConversation([]byte(c.line))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	_, _, err := ImportOpenAI(strings.NewReader("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}\n{\"messages\":[{\"role\":\"user\",\"content\":[1]}]}\n"), "f.jsonl", "u")
	if err == nil || !strings.HasPrefix(err.Error(), "f.jsonl:2: ") {
		t.Errorf("error %v, want it to name f.jsonl:2", err)
	}
	if _, _, err := ImportOpenAI(strings.NewReader("\n"), "f.jsonl", "u"); err == nil || !strings.Contains(err.Error(), "no conversations") {
		t.Errorf("empty file: %v", err)
	}
	if _, _, err := ImportOpenAI(strings.NewReader("{}"), "f.jsonl", "../u"); err == nil || !strings.Contains(err.Error(), "invalid user id") {
		t.Errorf("bad id: %v", err)
	}
}
