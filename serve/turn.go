package serve

import (
	"context"
	"time"

	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/memory"
	"github.com/milp-lite/milp-lite/milp"
	"github.com/milp-lite/milp-lite/nn/chat"
	"github.com/milp-lite/milp-lite/nn/sample"
)

// userTurn is one request's view of a user's memories: their adapter (as
// it was when the request started) and the memories retrieved for it.
type userTurn struct {
	s        *Server
	user     string // "": the base model, no memories
	adapter  *lora.Adapter
	version  int
	memories []memory.Turn
	release  func()
}

// openTurn takes one of the user's concurrent-request slots and their
// current adapter. The caller calls release.
func (s *Server) openTurn(user string) (*userTurn, error) {
	if s.engine.load() >= s.opts.MaxQueue {
		return nil, tooMany("the server is at its limit of requests in flight; retry shortly", 1)
	}
	t := &userTurn{s: s, user: user, release: func() {}}
	if user == "" {
		return t, nil
	}
	if err := milp.CheckUserID(user); err != nil {
		return nil, badRequest("user", "%v", err)
	}
	ctx := context.Background() // the store's calls are short; a request's end cancels its generation
	if ok, err := s.data.UserExists(ctx, user); err != nil {
		return nil, err
	} else if !ok {
		return nil, notFound("no user %q (POST /v1/users creates one)", user)
	}
	release, ok := s.limits.acquire(user)
	if !ok {
		return nil, tooMany("this user already has the most requests in flight allowed; retry when one finishes", 1)
	}
	t.release = release
	var err error
	if t.adapter, t.version, err = s.adapters.get(ctx, user); err != nil {
		release()
		return nil, err
	}
	return t, nil
}

// gen is a generation answered with the turn's adapter.
func (t *userTurn) gen(prompt []int32, params sample.Params, maxTokens int, stops []string) genRequest {
	g := genRequest{prompt: prompt, params: params, maxTokens: maxTokens, stops: stops}
	if t.adapter != nil { // a nil *lora.Adapter would make a non-nil nn.Adapter
		g.adapter = t.adapter
	}
	return g
}

// retrieve finds the k exchanges of short-term memory most relevant to query.
func (t *userTurn) retrieve(query string, k int) {
	if t.user == "" || k == 0 {
		return
	}
	turns, err := t.s.data.ShortTerm(context.Background(), t.user)
	if err != nil {
		t.s.log.Warn("short-term memory unreadable", "user", t.user, "err", err)
		return
	}
	t.memories = memory.RetrieveFrom(turns, query, k)
}

// info is the completion's milp object.
func (t *userTurn) info() milpInfo {
	mems := make([]chat.Message, len(t.memories))
	for i, m := range t.memories {
		mems[i] = m.Message
	}
	return milpInfo{User: t.user, AdapterVersion: t.version, Memories: mems}
}

// remember adds the exchange to the user's short-term memory.
func (t *userTurn) remember(userText, reply string) {
	if t.user == "" {
		return
	}
	now := time.Now().UTC()
	if err := t.s.data.AppendShortTerm(context.Background(), t.user, memory.NewTurn(now, chat.RoleUser, userText), memory.NewTurn(now, chat.RoleAssistant, reply)); err != nil {
		t.s.log.Error("short-term memory not written", "user", t.user, "err", err)
	}
}
