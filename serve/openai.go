package serve

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/milp-lite/milp-lite/nn/chat"
)

// The request and response shapes of OpenAI's API that the server speaks.

// chatRequest is POST /v1/chat/completions. Fields a client may send that
// the server does not use are accepted and ignored, as OpenAI's API does
// with defaults; the ones that would change the answer if ignored (n > 1,
// tools) are refused.
type chatRequest struct {
	generationFields
	Messages            []inMessage     `json:"messages"`
	MaxCompletionTokens *int            `json:"max_completion_tokens"`
	Tools               json.RawMessage `json:"tools"`
}

// generationFields are the fields chat and completion requests share.
type generationFields struct {
	Model         string         `json:"model"`
	Stream        bool           `json:"stream"`
	StreamOptions *streamOptions `json:"stream_options"`
	MaxTokens     *int           `json:"max_tokens"`
	Temperature   *float64       `json:"temperature"`
	TopP          *float64       `json:"top_p"`
	Seed          *int64         `json:"seed"`
	Stop          stopList       `json:"stop"`
	User          string         `json:"user"`
	N             *int           `json:"n"`
}

// completionRequest is POST /v1/completions.
type completionRequest struct {
	generationFields
	Prompt json.RawMessage `json:"prompt"`
	Echo   bool            `json:"echo"`
}

type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

// inMessage is a message as clients send it: content as a string or as an
// array of parts, of which text parts are read.
type inMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
	Name    string          `json:"name"`
}

// stopList is "stop": a string or an array of strings.
type stopList []string

func (s *stopList) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*s = nil
		return nil
	}
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = stopList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("stop must be a string or an array of strings")
	}
	*s = many
	return nil
}

// text is the message's content as text.
func (m inMessage) text(i int) (string, *apiError) {
	c := bytes.TrimSpace(m.Content)
	if len(c) == 0 || bytes.Equal(c, []byte("null")) {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(c, &s); err == nil {
		return s, nil
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(c, &parts); err != nil {
		return "", badRequest(fmt.Sprintf("messages[%d].content", i), "content must be a string or an array of content parts")
	}
	var b strings.Builder
	for k, p := range parts {
		if p.Type != "text" {
			return "", badRequest(fmt.Sprintf("messages[%d].content[%d].type", i, k), "content parts of type %q are not supported (text only)", cut(p.Type, 40))
		}
		b.WriteString(p.Text)
	}
	return b.String(), nil
}

// decodeBody reads a JSON request body of at most limit bytes into v.
func decodeBody(w http.ResponseWriter, r *http.Request, limit int64, v any) *apiError {
	body := http.MaxBytesReader(w, r.Body, limit)
	dec := json.NewDecoder(body)
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &apiError{Status: http.StatusRequestEntityTooLarge, Type: "invalid_request_error",
				Message: fmt.Sprintf("the request body is over the limit of %d bytes", limit)}
		}
		return badRequest("", "the request body is not valid JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("", "the request body has more than one JSON value")
	}
	return nil
}

// chatMessages converts and checks the request's messages.
func chatMessages(in []inMessage, maxMessages int) ([]chat.Message, *apiError) {
	if len(in) == 0 {
		return nil, badRequest("messages", "messages must hold at least one message")
	}
	if len(in) > maxMessages {
		return nil, badRequest("messages", "%d messages are over the limit of %d", len(in), maxMessages)
	}
	out := make([]chat.Message, len(in))
	for i, m := range in {
		role := m.Role
		if role == "developer" { // OpenAI's newer name for the system role
			role = chat.RoleSystem
		}
		if !chat.ValidRole(role) {
			return nil, badRequest(fmt.Sprintf("messages[%d].role", i), "role %q is not system, developer, user or assistant", cut(m.Role, 40))
		}
		text, err := m.text(i)
		if err != nil {
			return nil, err
		}
		out[i] = chat.Message{Role: role, Content: text}
	}
	if out[len(out)-1].Role != chat.RoleUser {
		return nil, badRequest("messages", "the last message must be the user's")
	}
	return out, nil
}

// cut shortens untrusted text quoted in a message.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Responses.

type usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

func newUsage(prompt, completion int) *usage {
	return &usage{PromptTokens: prompt, CompletionTokens: completion, TotalTokens: prompt + completion}
}

// milpInfo says which memories answered: the adapter's version (0: none)
// and the short-term memories retrieved into the prompt.
type milpInfo struct {
	User           string         `json:"user,omitempty"`
	AdapterVersion int            `json:"adapter_version"`
	Memories       []chat.Message `json:"memories"`
}

// completion is a reply, whole or one event of a stream, with the choices
// of its kind: chatChoice or textChoice.
type completion[C any] struct {
	ID      string    `json:"id"`
	Object  string    `json:"object"`
	Created int64     `json:"created"`
	Model   string    `json:"model"`
	Choices []C       `json:"choices"`
	Usage   *usage    `json:"usage,omitempty"`
	Milp    *milpInfo `json:"milp,omitempty"`
}

type chatCompletion = completion[chatChoice]

type chatChoice struct {
	Index        int           `json:"index"`
	Message      *chat.Message `json:"message,omitempty"`
	Delta        *delta        `json:"delta,omitempty"`
	FinishReason *string       `json:"finish_reason"`
}

type delta struct {
	Role    string `json:"role,omitempty"`
	Content string `json:"content,omitempty"`
}

type textCompletion = completion[textChoice]

type textChoice struct {
	Index        int     `json:"index"`
	Text         string  `json:"text"`
	FinishReason *string `json:"finish_reason"`
}
