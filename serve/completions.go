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
	head := textCompletion{ID: id, Object: "text_completion", Created: created, Model: s.opts.ModelName, Milp: &info}
	return streamReply(s, w, r.Context(), g, head, req.StreamOptions, textPiece,
		func(res genResult) { s.record(r, user, info.AdapterVersion, len(prompt), res.completionTokens) })
}

// textPiece is a completion stream's choice: text, and the last its finish
// reason.
func textPiece(text string, _ bool, finish *string) textChoice {
	return textChoice{Text: text, FinishReason: finish}
}

// handleModels is GET /v1/models: the one model this server runs.
func (s *Server) handleModels(w http.ResponseWriter, r *http.Request, c caller) error {
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": []map[string]any{{
		"id": s.opts.ModelName, "object": "model", "created": s.started.Unix(), "owned_by": "milp-lite",
	}}})
	return nil
}
