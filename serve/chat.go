package serve

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/milp-lite/milp-lite/memory"
	"github.com/milp-lite/milp-lite/nn/chat"
	"github.com/milp-lite/milp-lite/nn/sample"
)

// handleChat is POST /v1/chat/completions: the conversation answered with
// the speaking user's adapter and their short-term memories retrieved for
// its last message, and the exchange then added to their short-term memory,
// as `milp-lite chat --user` does.
func (s *Server) handleChat(w http.ResponseWriter, r *http.Request, c caller) error {
	var req chatRequest
	if err := decodeBody(w, r, s.opts.MaxBodyBytes, &req); err != nil {
		return err
	}
	msgs, aerr := chatMessages(req.Messages, s.opts.MaxMessages)
	if aerr != nil {
		return aerr
	}
	params, turn, err := s.begin(c, req.generationFields, req.Tools)
	if err != nil {
		return err
	}
	defer turn.release()
	user := turn.user
	last := msgs[len(msgs)-1].Content
	turn.retrieve(last, s.opts.MemoryK)
	prompt, err := s.prompter.chatPrompt(msgs, memory.FormatContext(turn.memories))
	if err != nil {
		return err
	}
	maxTokens, err := s.replyTokens(len(prompt), req.MaxCompletionTokens, req.MaxTokens)
	if err != nil {
		return err
	}
	g := turn.gen(prompt, params, maxTokens, req.Stop)
	g.plainLine = s.prompter.plain()
	id := newID("chatcmpl-")
	info := turn.info()
	w.Header().Set("X-Milp-Adapter-Version", fmt.Sprint(info.AdapterVersion))
	// The exchange is remembered before the client hears the reply has
	// ended: an answered request is never lost, even to a kill right after.
	finished := func(res genResult) {
		s.record(r, user, info.AdapterVersion, len(prompt), res.completionTokens)
		turn.remember(last, res.text)
	}
	if req.Stream {
		head := chatCompletion{ID: id, Object: "chat.completion.chunk", Created: time.Now().Unix(), Model: s.opts.ModelName, Milp: &info}
		return streamReply(s, w, r.Context(), g, head, req.StreamOptions, chatDelta, finished)
	}
	res, err := s.generate(r.Context(), g, func(string) error { return nil })
	if err != nil {
		return err
	}
	finished(res)
	u := newUsage(len(prompt), res.completionTokens)
	writeJSON(w, http.StatusOK, chatCompletion{ID: id, Object: "chat.completion", Created: time.Now().Unix(), Model: s.opts.ModelName,
		Choices: []chatChoice{{Message: &chat.Message{Role: chat.RoleAssistant, Content: res.text}, FinishReason: &res.finish}},
		Usage:   u, Milp: &info})
	return nil
}

// chatDelta is a chat stream's choice: the first names the assistant's
// role, the others carry text, the last its finish reason.
func chatDelta(text string, first bool, finish *string) chatChoice {
	d := &delta{Content: text}
	if first {
		d.Role = chat.RoleAssistant
	}
	return chatChoice{Delta: d, FinishReason: finish}
}

// begin checks what chat and completion requests share (n, tools,
// sampling, stop strings) and opens the speaking user's turn, which the
// caller releases.
func (s *Server) begin(c caller, f generationFields, tools json.RawMessage) (sample.Params, *userTurn, error) {
	if err := checkChoices(f.N, tools); err != nil {
		return sample.Params{}, nil, err
	}
	params, err := s.sampling(f.Temperature, f.TopP, f.Seed)
	if err != nil {
		return params, nil, err
	}
	if len(f.Stop) > 4 {
		return params, nil, badRequest("stop", "at most 4 stop sequences, got %d", len(f.Stop))
	}
	user, aerr := c.speaker(f.User)
	if aerr != nil {
		return params, nil, aerr
	}
	turn, err := s.openTurn(user)
	return params, turn, err
}

// checkChoices refuses what would change the answer if ignored.
func checkChoices(n *int, tools json.RawMessage) *apiError {
	if n != nil && *n != 1 {
		return badRequest("n", "only n = 1 is supported, got %d", *n)
	}
	if len(tools) > 0 && string(tools) != "null" && string(tools) != "[]" {
		return badRequest("tools", "tools are not supported")
	}
	return nil
}

// sampling reads temperature (0 to 2, default 1), top_p (0 to 1, default 1)
// and seed (default: Options.Seeds, else the clock).
func (s *Server) sampling(temperature, topP *float64, seed *int64) (sample.Params, error) {
	p := sample.Params{Temperature: 1, TopP: 1, RepeatPenalty: 1, Seed: uint64(time.Now().UnixNano())}
	if s.opts.Seeds != nil {
		p.Seed = s.opts.Seeds()
	}
	if temperature != nil {
		if !(*temperature >= 0 && *temperature <= 2) {
			return p, badRequest("temperature", "temperature must be 0 to 2, got %v", *temperature)
		}
		p.Temperature = float32(*temperature)
	}
	if topP != nil {
		if !(*topP > 0 && *topP <= 1) || math.IsNaN(*topP) {
			return p, badRequest("top_p", "top_p must be in (0, 1], got %v", *topP)
		}
		p.TopP = float32(*topP)
	}
	if seed != nil {
		p.Seed = uint64(*seed)
	}
	return p, nil
}

// replyTokens is the reply's token budget: the request's max_completion_tokens
// (or max_tokens), else the server's default, within the server's limit and
// what the context leaves after the prompt. A prompt that leaves no room is
// refused.
func (s *Server) replyTokens(promptTokens int, fields ...*int) (int, error) {
	n := s.opts.DefaultMaxTokens
	for _, f := range fields {
		if f != nil {
			if *f < 1 {
				return 0, badRequest("max_tokens", "max_tokens must be at least 1, got %d", *f)
			}
			n = *f
			break
		}
	}
	room := s.opts.Batch.Ctx - promptTokens
	if room < 1 {
		return 0, &apiError{Status: http.StatusBadRequest, Type: "invalid_request_error", Code: "context_length_exceeded", Param: "messages",
			Message: fmt.Sprintf("the prompt is %d tokens, which leaves no room for a reply in the context of %d", promptTokens, s.opts.Batch.Ctx)}
	}
	return min(n, s.opts.MaxTokens, room), nil
}
