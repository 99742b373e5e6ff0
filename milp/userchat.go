package milp

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/memory"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/nn/chat"
	"github.com/milp-lite/milp-lite/nn/sample"
)

// UserChat is a conversation with a user's personalised model: their
// long-term memory (the adapter) is in the weights' path, the most relevant
// turns of their short-term memory are retrieved into the prompt for each
// message, and each exchange is appended to the short-term store.
type UserChat struct {
	Session    *nn.Session
	short      *memory.Store
	k          int
	HasAdapter bool

	// Warn, if set, is told of trouble that does not stop the chat: a
	// damaged tail of the short-term store, set aside.
	Warn func(msg string)
}

// OpenUserChat prepares a chat with user id from store st.
func OpenUserChat(m *nn.Model, st Store, id string, ctx int, params sample.Params, maxTokens, k int) (*UserChat, error) {
	short, err := st.ShortTerm(id)
	if err != nil {
		return nil, err
	}
	sess, err := nn.NewSession(m, ctx, params, "", maxTokens)
	if err != nil {
		return nil, err
	}
	sess.PlainChat, sess.TrimToFit = true, true
	uc := &UserChat{Session: sess, short: short, k: k}
	short.OnDamage = func(d memory.Damage) {
		if uc.Warn != nil {
			uc.Warn(d.String())
		}
	}
	switch a, err := lora.Load(st.AdapterPath(id), m); {
	case err == nil:
		sess.State.SetAdapters(a)
		uc.HasAdapter = true
	case errors.Is(err, fs.ErrNotExist):
		if _, serr := os.Stat(st.UserDir(id)); serr != nil {
			return nil, fmt.Errorf("no user %q in %s (run `milp-lite train` first, or check --store)", id, st.Root)
		}
	default:
		return nil, err
	}
	return uc, nil
}

// Send answers text, streaming the reply to emit, and remembers the exchange.
func (c *UserChat) Send(text string, emit func(string) bool) (string, error) {
	turns, err := c.short.Load()
	if err != nil {
		return "", err
	}
	c.Session.Memory = memory.FormatContext(memory.RetrieveFrom(turns, text, c.k))
	reply, _, err := c.Session.Send(text, emit)
	if err != nil {
		return reply, err
	}
	now := time.Now().UTC()
	return reply, c.short.Append(
		memory.NewTurn(now, chat.RoleUser, text),
		memory.NewTurn(now, chat.RoleAssistant, reply))
}

// Reset starts a new conversation; the memories stay.
func (c *UserChat) Reset() { c.Session.Reset() }
