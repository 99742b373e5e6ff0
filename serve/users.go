package serve

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/internal/jsonl"
	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/milp"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/store"
	"github.com/milp-lite/milp-lite/userdata"
)

// userID reads and checks the {id} of a /v1/users/{id} path, and that the
// caller may act for that user (the admin or the user's own key).
func (s *Server) userID(r *http.Request, c caller, ownAllowed bool) (string, error) {
	id := r.PathValue("id")
	if err := milp.CheckUserID(id); err != nil {
		return "", badRequest("id", "%v", err)
	}
	if !c.admin && !(ownAllowed && c.user == id) {
		return "", forbidden("this key may not act for user " + cut(id, 64))
	}
	return id, nil
}

// existing errors with 404 when the user does not exist.
func (s *Server) existing(r *http.Request, id string) error {
	ok, err := s.data.UserExists(r.Context(), id)
	if err == nil && !ok {
		return notFound("no user %q", id)
	}
	return err
}

// handleCreateUser is POST /v1/users {"id": ...}: the user's account and a
// key, returned once.
func (s *Server) handleCreateUser(w http.ResponseWriter, r *http.Request, c caller) error {
	if !c.admin {
		return forbidden("creating users takes the admin key")
	}
	var req struct {
		ID string `json:"id"`
	}
	if err := decodeBody(w, r, 4096, &req); err != nil {
		return err
	}
	if err := milp.CheckUserID(req.ID); err != nil {
		return badRequest("id", "%v", err)
	}
	if err := s.data.CreateUser(r.Context(), req.ID); errors.Is(err, store.ErrExists) {
		return &apiError{Status: http.StatusConflict, Type: "invalid_request_error", Code: "user_exists", Message: fmt.Sprintf("user %q exists", req.ID)}
	} else if err != nil {
		return err
	}
	key, err := NewKey(r.Context(), s.data, req.ID)
	if err != nil {
		return err
	}
	s.log.Info("user created", "user", req.ID)
	writeJSON(w, http.StatusCreated, map[string]string{"id": req.ID, "api_key": key})
	return nil
}

// handleNewKey is POST /v1/users/{id}/keys: another key for the user.
func (s *Server) handleNewKey(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := s.userID(r, c, false)
	if err != nil {
		return err
	}
	if err := s.existing(r, id); err != nil {
		return err
	}
	key, err := NewKey(r.Context(), s.data, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]string{"id": id, "api_key": key})
	return nil
}

// userReport is GET /v1/users/{id}.
type userReport struct {
	ID                   string          `json:"id"`
	HistoryConversations int             `json:"history_conversations"`
	ShortTermExchanges   int             `json:"short_term_exchanges"`
	AdapterVersion       int             `json:"adapter_version"`
	AdapterSource        string          `json:"adapter_source,omitempty"`
	Placement            *milp.Placement `json:"placement,omitempty"`
	LastReport           json.RawMessage `json:"last_report,omitempty"`
}

func (s *Server) handleGetUser(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := s.userID(r, c, true)
	if err != nil {
		return err
	}
	if err := s.existing(r, id); err != nil {
		return err
	}
	ctx := r.Context()
	rep := userReport{ID: id}
	u, err := s.data.History(ctx, id)
	if err != nil {
		return err
	}
	rep.HistoryConversations = len(u.Conversations)
	turns, err := s.data.ShortTerm(ctx, id)
	if err != nil {
		return err
	}
	for _, t := range turns {
		if t.Role == "user" {
			rep.ShortTermExchanges++
		}
	}
	info, err := s.data.AdapterInfo(ctx, id)
	if err != nil {
		return err
	}
	rep.AdapterVersion, rep.AdapterSource = info.Version, info.Source
	if data, err := s.data.Report(ctx, id); err == nil && json.Valid(data) {
		rep.LastReport = data
		var last struct {
			Placement *milp.Placement `json:"placement"`
		}
		if json.Unmarshal(data, &last) == nil {
			rep.Placement = last.Placement
		}
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

// handleAddHistory is POST /v1/users/{id}/history: conversations in the
// userdata JSONL format, one a line, added to the user's history.
func (s *Server) handleAddHistory(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := s.userID(r, c, true)
	if err != nil {
		return err
	}
	if err := s.existing(r, id); err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.MaxHistoryBytes))
	if err != nil {
		return &apiError{Status: http.StatusRequestEntityTooLarge, Type: "invalid_request_error",
			Message: fmt.Sprintf("the history is over the limit of %d bytes", s.opts.MaxHistoryBytes)}
	}
	var convs []userdata.Conversation
	err = jsonl.Read(bytes.NewReader(body), "body", func(_ int, line []byte) error {
		conv, err := userdata.ParseConversation(line)
		convs = append(convs, conv)
		return err
	})
	if err != nil {
		return badRequest("body", "%v", err)
	}
	if len(convs) == 0 {
		return badRequest("body", "no conversations: send one JSON object a line, {\"messages\": [...]}")
	}
	n, err := s.data.AppendHistory(r.Context(), id, convs)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"added": len(convs), "history_conversations": n})
	return nil
}

// handlePutAdapter is PUT /v1/users/{id}/adapter: a llama.cpp LoRA GGUF the
// user brings, checked against this model, installed as a new version.
func (s *Server) handlePutAdapter(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := s.userID(r, c, false)
	if err != nil {
		return err
	}
	if err := s.existing(r, id); err != nil {
		return err
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.MaxAdapterBytes))
	if err != nil {
		return &apiError{Status: http.StatusRequestEntityTooLarge, Type: "invalid_request_error",
			Message: fmt.Sprintf("the adapter is over the limit of %d bytes", s.opts.MaxAdapterBytes)}
	}
	if _, err := parseAdapter(data, s.model); err != nil {
		return badRequest("body", "%v", err)
	}
	var info store.AdapterInfo
	for { // another upload or a job may install a version meanwhile: go after it
		prev, err := s.data.AdapterInfo(r.Context(), id)
		if err != nil {
			return err
		}
		info, err = s.data.PutAdapter(r.Context(), id, data, store.AdapterInfo{Source: "upload"}, prev.Version)
		if !errors.Is(err, store.ErrConflict) {
			if err != nil {
				return err
			}
			break
		}
	}
	s.adapters.drop(id)
	s.log.Info("adapter installed", "user", id, "version", info.Version, "bytes", len(data))
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "adapter_version": info.Version})
	return nil
}

// parseAdapter reads a LoRA GGUF for the model, saying which check failed.
func parseAdapter(data []byte, m *nn.Model) (*lora.Adapter, error) {
	f, err := gguf.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("not a GGUF file: %v", err)
	}
	a, err := lora.FromGGUF(f, m)
	if err != nil {
		return nil, fmt.Errorf("not a LoRA adapter for this model: %v", err)
	}
	return a, nil
}

// handleDeleteUser is DELETE /v1/users/{id}: everything of theirs goes (the
// right to be forgotten): history, memories, adapter, reports, journals,
// jobs and keys.
func (s *Server) handleDeleteUser(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := s.userID(r, c, false)
	if err != nil {
		return err
	}
	if err := s.existing(r, id); err != nil {
		return err
	}
	if busy, err := s.jobs.busy(r.Context(), id); err != nil {
		return err
	} else if busy {
		return &apiError{Status: http.StatusConflict, Type: "invalid_request_error", Code: "job_running",
			Message: fmt.Sprintf("user %q has a job running; delete once it has finished", id)}
	}
	if err := s.data.DeleteUser(r.Context(), id); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	s.adapters.drop(id)
	s.log.Info("user deleted", "user", id)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleMe is GET /v1/me: who the key belongs to, for the chat page.
func (s *Server) handleMe(w http.ResponseWriter, r *http.Request, c caller) error {
	writeJSON(w, http.StatusOK, map[string]any{"user": c.user, "admin": c.admin, "keyless": s.keyless()})
	return nil
}
