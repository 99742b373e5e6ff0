package serve

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"

	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/internal/atomicfile"
	"github.com/milp-lite/milp-lite/internal/jsonl"
	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/milp"
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
func (s *Server) existing(id string) error {
	if _, err := os.Stat(s.store.UserDir(id)); errors.Is(err, fs.ErrNotExist) {
		return notFound("no user %q", id)
	} else if err != nil {
		return err
	}
	return nil
}

// handleCreateUser is POST /v1/users {"id": ...}: the user's folder and a
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
	s.userMu.Lock()
	defer s.userMu.Unlock()
	if _, err := os.Stat(s.store.UserDir(req.ID)); err == nil {
		return &apiError{Status: http.StatusConflict, Type: "invalid_request_error", Code: "user_exists", Message: fmt.Sprintf("user %q exists", req.ID)}
	}
	if err := os.MkdirAll(s.store.UserDir(req.ID), 0o755); err != nil {
		return err
	}
	key, err := s.keys.NewKey(req.ID)
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
	if err := s.existing(id); err != nil {
		return err
	}
	key, err := s.keys.NewKey(id)
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
	if err := s.existing(id); err != nil {
		return err
	}
	rep := userReport{ID: id}
	if u, err := userdata.LoadUser(s.store.UsersDir(), id); err == nil {
		rep.HistoryConversations = len(u.Conversations)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	short, err := s.store.ShortTerm(id)
	if err != nil {
		return err
	}
	turns, err := short.Load()
	if err != nil {
		return err
	}
	for _, t := range turns {
		if t.Role == "user" {
			rep.ShortTermExchanges++
		}
	}
	info, err := readAdapterInfo(s.store, id)
	if err != nil {
		return err
	}
	rep.AdapterVersion, rep.AdapterSource = info.Version, info.Source
	if p, err := milp.LastPlacement(s.store, id); err == nil {
		rep.Placement = &p
	}
	if data, err := os.ReadFile(s.store.ReportPath(id)); err == nil && json.Valid(data) {
		rep.LastReport = data
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
	if err := s.existing(id); err != nil {
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
	s.userMu.Lock()
	defer s.userMu.Unlock()
	u, err := userdata.LoadUser(s.store.UsersDir(), id)
	if errors.Is(err, fs.ErrNotExist) {
		u, err = userdata.User{ID: id}, nil
	}
	if err != nil {
		return err
	}
	u.Conversations = append(u.Conversations, convs...)
	if err := userdata.Save(s.store.UsersDir(), []userdata.User{u}); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"added": len(convs), "history_conversations": len(u.Conversations)})
	return nil
}

// handlePutAdapter is PUT /v1/users/{id}/adapter: a llama.cpp LoRA GGUF the
// user brings, checked against this model, installed as a new version.
func (s *Server) handlePutAdapter(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := s.userID(r, c, false)
	if err != nil {
		return err
	}
	if err := s.existing(id); err != nil {
		return err
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.MaxAdapterBytes))
	if err != nil {
		return &apiError{Status: http.StatusRequestEntityTooLarge, Type: "invalid_request_error",
			Message: fmt.Sprintf("the adapter is over the limit of %d bytes", s.opts.MaxAdapterBytes)}
	}
	f, err := gguf.Parse(data)
	if err != nil {
		return badRequest("body", "not a GGUF file: %v", err)
	}
	if _, err := lora.FromGGUF(f, s.model); err != nil {
		return badRequest("body", "not a LoRA adapter for this model: %v", err)
	}
	prev, err := readAdapterInfo(s.store, id)
	if err != nil {
		return err
	}
	version, err := installAdapter(s.store, id, prev.Version, "upload", func(path string) error { return atomicfile.WriteFile(path, data) })
	if err != nil {
		return err
	}
	s.adapters.drop(id)
	s.log.Info("adapter installed", "user", id, "version", version, "bytes", len(data))
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "adapter_version": version})
	return nil
}

// handleDeleteUser is DELETE /v1/users/{id}: every file of theirs goes (the
// right to be forgotten): history, memories, adapter, reports, journals,
// jobs and keys.
func (s *Server) handleDeleteUser(w http.ResponseWriter, r *http.Request, c caller) error {
	id, err := s.userID(r, c, false)
	if err != nil {
		return err
	}
	if err := s.existing(id); err != nil {
		return err
	}
	if s.jobs.busy(id) {
		return &apiError{Status: http.StatusConflict, Type: "invalid_request_error", Code: "job_running",
			Message: fmt.Sprintf("user %q has a job running; delete once it has finished", id)}
	}
	s.userMu.Lock()
	defer s.userMu.Unlock()
	if err := s.keys.RemoveUser(id); err != nil {
		return err
	}
	s.adapters.drop(id)
	if err := s.jobs.forget(id); err != nil {
		return err
	}
	for _, p := range []string{filepath.Join(s.store.UsersDir(), id+userdata.FileExt), filepath.Join(s.store.UsersDir(), id+".lock")} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if err := os.RemoveAll(s.store.UserDir(id)); err != nil {
		return err
	}
	s.log.Info("user deleted", "user", id)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleMe is GET /v1/me: who the key belongs to, for the chat page.
func (s *Server) handleMe(w http.ResponseWriter, r *http.Request, c caller) error {
	writeJSON(w, http.StatusOK, map[string]any{"user": c.user, "admin": c.admin, "keyless": s.keyless()})
	return nil
}
