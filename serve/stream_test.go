package serve

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
)

// sseEvent is one streamed event of either endpoint, read loosely.
type sseEvent struct {
	Object  string `json:"object"`
	Choices []struct {
		Text  *string `json:"text"`
		Delta *struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *usage    `json:"usage"`
	Milp  *milpInfo `json:"milp"`
}

// readEvents posts body to path and reads the stream's events up to and
// including [DONE], failing on anything after it.
func readEvents(t *testing.T, url, path, body string) []sseEvent {
	t.Helper()
	resp, err := http.Post(url+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("%s: %d %q", path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var events []sseEvent
	sc := bufio.NewScanner(resp.Body)
	done := false
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		if done {
			t.Fatalf("%s: %q after [DONE]", path, line)
		}
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			t.Fatalf("%s: %q is not a data line", path, line)
		}
		if data == "[DONE]" {
			done = true
			continue
		}
		var e sseEvent
		if err := json.Unmarshal([]byte(data), &e); err != nil {
			t.Fatalf("%s: %q: %v", path, data, err)
		}
		events = append(events, e)
	}
	if !done {
		t.Fatalf("%s: no [DONE]", path)
	}
	return events
}

// TestStreamsShareOneSequence: chat and completion streams send the same
// sequence: the milp object first and only there, text pieces, the finish
// reason, the usage when asked, [DONE]; and the pieces add up to the reply
// the same request gets whole.
func TestStreamsShareOneSequence(t *testing.T) {
	ts := startServer(t, "", nil)
	for _, c := range []struct{ path, req, object string }{
		{"/v1/chat/completions", `"messages": [{"role": "user", "content": "Once upon a time"}]`, "chat.completion.chunk"},
		{"/v1/completions", `"prompt": "Once upon a time"`, "text_completion"},
	} {
		whole := `{` + c.req + `, "max_tokens": 10, "temperature": 0}`
		var out struct {
			Choices []struct {
				Text    string `json:"text"`
				Message struct{ Content string }
			}
			Usage usage
		}
		if code := ts.call(t, "POST", c.path, "", whole, &out); code != 200 {
			t.Fatalf("%s: %d", c.path, code)
		}
		want := out.Choices[0].Text + out.Choices[0].Message.Content
		events := readEvents(t, ts.url, c.path, `{`+c.req+`, "max_tokens": 10, "temperature": 0, "stream": true, "stream_options": {"include_usage": true}}`)
		if len(events) < 4 {
			t.Fatalf("%s: %d events", c.path, len(events))
		}
		var text strings.Builder
		last := len(events) - 1
		for i, e := range events {
			if e.Object != c.object || (e.Milp != nil) != (i == 0) {
				t.Fatalf("%s: event %d: object %q, milp %v", c.path, i, e.Object, e.Milp)
			}
			if i == last {
				if len(e.Choices) != 0 || e.Usage == nil || *e.Usage != out.Usage {
					t.Fatalf("%s: the usage event %+v, the whole reply's %+v", c.path, e, out.Usage)
				}
				break
			}
			if len(e.Choices) != 1 || e.Usage != nil || (e.Choices[0].FinishReason != nil) != (i == last-1) {
				t.Fatalf("%s: event %d: %+v", c.path, i, e)
			}
			ch := e.Choices[0]
			if ch.Delta != nil {
				if (ch.Delta.Role == "assistant") != (i == 0) {
					t.Fatalf("%s: event %d has role %q", c.path, i, ch.Delta.Role)
				}
				text.WriteString(ch.Delta.Content)
			} else {
				text.WriteString(*ch.Text)
			}
		}
		if text.String() != want || *events[last-1].Choices[0].FinishReason != "length" {
			t.Fatalf("%s: streamed %q, whole %q", c.path, text.String(), want)
		}
	}
}

// TestOpenAIClientStreamsCompletions: the official client reads a
// completion stream.
func TestOpenAIClientStreamsCompletions(t *testing.T) {
	ts := startServer(t, "", nil)
	c := ts.client("")
	stream := c.Completions.NewStreaming(context.Background(), openai.CompletionNewParams{Model: "stories260K",
		Prompt: openai.CompletionNewParamsPromptUnion{OfString: openai.String("Once upon a time")}, MaxTokens: openai.Int(8), Temperature: openai.Float(0)})
	var text strings.Builder
	finish := ""
	for stream.Next() {
		for _, c := range stream.Current().Choices {
			text.WriteString(c.Text)
			if c.FinishReason != "" {
				finish = string(c.FinishReason)
			}
		}
	}
	if err := stream.Err(); err != nil || text.Len() == 0 || finish != "length" {
		t.Fatalf("stream %q, finish %q, err %v", text.String(), finish, err)
	}
}
