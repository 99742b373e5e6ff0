package userdata

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/milp-lite/milp-lite/internal/jsonl"
	"github.com/milp-lite/milp-lite/nn/chat"
)

// OpenAI's chat fine-tuning format, in full: a line is
// {"messages": [...], "tools": [...], "parallel_tool_calls": …, "functions": […]}
// and a message {"role", "content", "name", "weight", "tool_calls",
// "tool_call_id", "function_call"}, its content a string, null, or an array
// of {"type": "text", "text": …} parts.
//
// Tool traffic is skipped and counted, not kept: an assistant message that
// calls a tool (tool_calls, or the older function_call) and the tool's or
// function's answer. milp-lite personalises how a user's assistant talks;
// a tool call is machine output in a tool's schema, not their voice, the
// models it runs (and their plain User:/Assistant: fallback) mostly have
// no tool syntax to render it in, and every stored history keeps to the
// system, user and assistant roles the memory, evaluation and chat use.
// The tool definitions ("tools", "functions") are accepted and dropped
// with them.

// openAIConversation is a line as OpenAI's fine-tuning takes it.
type openAIConversation struct {
	Messages []openAIMessage `json:"messages"`
	// Definitions for the tool calls, which are skipped.
	Tools             json.RawMessage `json:"tools"`
	Functions         json.RawMessage `json:"functions"`
	ParallelToolCalls json.RawMessage `json:"parallel_tool_calls"`
}

type openAIMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"` // string, null or text parts
	Name    string          `json:"name"`
	Weight  *float64        `json:"weight"` // 0 or 1; 1.0 as some writers put it

	ToolCalls    json.RawMessage `json:"tool_calls"`
	ToolCallID   string          `json:"tool_call_id"`
	FunctionCall json.RawMessage `json:"function_call"`
}

// contentPart is one element of a content array.
type contentPart struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// present reports whether a raw field was given and is not null.
func present(raw json.RawMessage) bool {
	return len(raw) > 0 && string(raw) != "null"
}

// toolTraffic reports whether m is a tool call or a tool's answer.
func (m openAIMessage) toolTraffic() bool {
	return m.Role == "tool" || m.Role == "function" || present(m.ToolCalls) || present(m.FunctionCall)
}

// text is the message's content as one string: text parts are joined as
// OpenAI joins them, with nothing between.
func (m openAIMessage) text() (string, error) {
	if !present(m.Content) {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(m.Content, &s); err == nil {
		return s, nil
	}
	var parts []json.RawMessage
	if err := json.Unmarshal(m.Content, &parts); err != nil {
		return "", fmt.Errorf("content: want a string or an array of text parts")
	}
	var b strings.Builder
	for k, raw := range parts {
		var p contentPart
		// The type first, so an image part is refused as one.
		if json.Unmarshal(raw, &p) == nil && p.Type != "text" {
			return "", fmt.Errorf("content part %d: type %q is not supported (text only)", k, cutText(p.Type, 40))
		}
		if err := jsonl.Decode(raw, &p); err != nil {
			return "", fmt.Errorf("content part %d: %v", k, err)
		}
		b.WriteString(p.Text)
	}
	return b.String(), nil
}

// DecodeConversation reads one line of OpenAI's chat fine-tuning format
// (strict JSON, see jsonl.Decode) into a conversation of system, user and
// assistant messages (the role "developer" read as "system"), and says how
// many messages of tool traffic it skipped.
func DecodeConversation(line []byte) (c Conversation, skippedTool int, err error) {
	var oc openAIConversation
	if err := jsonl.Decode(line, &oc); err != nil {
		return c, 0, fmt.Errorf("conversation: %v", err)
	}
	for i, m := range oc.Messages {
		if m.toolTraffic() {
			skippedTool++
			continue
		}
		if m.ToolCallID != "" {
			return c, skippedTool, fmt.Errorf("message %d: tool_call_id on a %s message", i, cutText(m.Role, 40))
		}
		text, err := m.text()
		if err != nil {
			return c, skippedTool, fmt.Errorf("message %d: %v", i, err)
		}
		role := m.Role
		if role == "developer" { // OpenAI's newer name for the system role
			role = chat.RoleSystem
		}
		var weight *int
		if m.Weight != nil {
			if *m.Weight != 0 && *m.Weight != 1 {
				return c, skippedTool, fmt.Errorf("message %d: weight %g: want 0 (not trained on) or 1", i, *m.Weight)
			}
			w := int(*m.Weight)
			weight = &w
		}
		c.Messages = append(c.Messages, chat.Message{Role: role, Content: text, Name: m.Name, Weight: weight})
	}
	if err := c.Validate(); err != nil {
		if skippedTool > 0 {
			err = fmt.Errorf("%w (after skipping %d tool messages)", err, skippedTool)
		}
		return c, skippedTool, err
	}
	return c, skippedTool, nil
}

// ImportOpenAI reads a file of OpenAI's chat fine-tuning format as the
// history of one user, id; name is the file's name, for errors and the
// user's Source. It returns how many tool messages it skipped.
func ImportOpenAI(r io.Reader, name, id string) (User, int, error) {
	if !ValidID(id) {
		return User{}, 0, fmt.Errorf("%s: invalid user id %q (letters, digits, '.', '_', '-', not starting with '.')", name, id)
	}
	u := User{ID: id, Source: name}
	skipped := 0
	err := jsonl.Read(r, name, func(_ int, line []byte) error {
		c, n, err := DecodeConversation(line)
		skipped += n
		u.Conversations = append(u.Conversations, c)
		return err
	})
	if err != nil {
		return User{}, skipped, err
	}
	if len(u.Conversations) == 0 {
		return User{}, skipped, fmt.Errorf("%s: no conversations", name)
	}
	return u, skipped, nil
}

// cutText shortens untrusted text quoted in an error.
func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
