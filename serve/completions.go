package serve

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// handleCompletions is POST /v1/completions: raw text continued with the
// speaking user's adapter (no retrieval: there is no conversation to
// remember).
func (s *Server) handleCompletions(w http.ResponseWriter, r *http.Request, c caller) error {
	var req completionRequest
	if err := decodeBody(w, r, s.opts.MaxBodyBytes, &req); err != nil {
		return err
	}
	var text string
	if err := json.Unmarshal(req.Prompt, &text); err != nil {
		var list []string
		if err := json.Unmarshal(req.Prompt, &list); err != nil || len(list) != 1 {
			return badRequest("prompt", "prompt must be a string (or an array of one string)")
		}
		text = list[0]
	}
	if text == "" {
		return badRequest("prompt", "prompt is empty")
	}
	if req.Echo {
		return badRequest("echo", "echo is not supported")
	}
	params, turn, err := s.begin(c, req.generationFields, nil)
	if err != nil {
		return err
	}
	defer turn.release()
	user := turn.user
	prompt := s.prompter.textPrompt(text)
	maxTokens, err := s.replyTokens(len(prompt), req.MaxTokens)
	if err != nil {
		return err
	}
	g := turn.gen(prompt, params, maxTokens, req.Stop)
	id := newID("cmpl-")
	info := turn.info()
	w.Header().Set("X-Milp-Adapter-Version", fmt.Sprint(info.AdapterVersion))
	created := time.Now().Unix()
	if !req.Stream {
		res, err := s.generate(r.Context(), g, func(string) error { return nil })
		if err != nil {
			return err
		}
		s.record(r, user, info.AdapterVersion, len(prompt), res.completionTokens)
		writeJSON(w, http.StatusOK, textCompletion{ID: id, Object: "text_completion", Created: created, Model: s.opts.ModelName,
			Choices: []textChoice{{Text: res.text, FinishReason: &res.finish}}, Milp: &info,
			Usage: newUsage(len(prompt), res.completionTokens)})
		return nil
	}
	sse := newEventStream(w)
	chunk := func(text string, finish *string) textCompletion {
		return textCompletion{ID: id, Object: "text_completion", Created: created, Model: s.opts.ModelName,
			Choices: []textChoice{{Text: text, FinishReason: finish}}}
	}
	first := chunk("", nil)
	first.Milp = &info
	if err := sse.send(first); err != nil {
		return err
	}
	res, err := s.generate(r.Context(), g, func(t string) error { return sse.send(chunk(t, nil)) })
	if err != nil {
		return err
	}
	s.record(r, user, info.AdapterVersion, len(prompt), res.completionTokens)
	if err := sse.send(chunk("", &res.finish)); err != nil {
		return err
	}
	if req.StreamOptions != nil && req.StreamOptions.IncludeUsage {
		u := textCompletion{ID: id, Object: "text_completion", Created: created, Model: s.opts.ModelName, Choices: []textChoice{},
			Usage: newUsage(len(prompt), res.completionTokens)}
		if err := sse.send(u); err != nil {
			return err
		}
	}
	return sse.done()
}

// handleModels is GET /v1/models: the one model this server runs.
func (s *Server) handleModels(w http.ResponseWriter, r *http.Request, c caller) error {
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": []map[string]any{{
		"id": s.opts.ModelName, "object": "model", "created": s.started.Unix(), "owned_by": "milp-lite",
	}}})
	return nil
}
