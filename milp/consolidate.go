package milp

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/milp-lite/milp-lite/memory"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/nn/chat"
	"github.com/milp-lite/milp-lite/train"
	"github.com/milp-lite/milp-lite/userdata"
)

// Consolidated says what a consolidation did.
type Consolidated struct {
	Turns         int       // short-term turns moved into the history
	Conversations int       // the history's size afterwards
	Placement     Placement // where the memory was trained
	TrainLoss     float64
	Warnings      []string // damaged short-term lines set aside (see memory.Damage)
}

// Consolidate moves a user's short-term memory into long-term memory, as
// MaLP's memory coordination does: the turns in the short-term store join the
// user's history as one conversation, the adapter is retrained on the whole
// history (at the placement of the user's last search, or the fixed LoRA's
// when there was none), and exactly the turns it read are removed from the
// short-term store; those chats appended meanwhile stay for the next
// consolidation. It holds the user's lock (Store.LockUser) throughout. Each
// step writes atomically, history first, and the move is recorded until it
// is complete (see pendingMove), so a rerun after an interruption finishes
// it: no turn is lost, and none reaches the history twice.
func Consolidate(m *nn.Model, st Store, id string, r train.Recipe) (*Consolidated, error) {
	short, err := st.ShortTerm(id)
	if err != nil {
		return nil, err
	}
	lock, err := st.LockUser(id)
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	var warnings []string
	short.OnDamage = func(d memory.Damage) { warnings = append(warnings, d.String()) }
	turns, err := short.Load()
	if err != nil {
		return nil, err
	}
	u, err := userdata.LoadUser(st.UsersDir(), id)
	if errors.Is(err, fs.ErrNotExist) {
		u, err = userdata.User{ID: id}, nil
	}
	if err != nil {
		return nil, err
	}
	if len(turns) == 0 && len(u.Conversations) == 0 {
		return nil, fmt.Errorf("user %s has no history and nothing in short-term memory (%s)", id, short.Path())
	}
	if u, turns, err = moveIntoHistory(st, u, turns); err != nil {
		return nil, err
	}
	p, err := LastPlacement(st, id)
	if err != nil {
		p = FixedPlacement(m.Config.Layers)
	}
	h, err := PrepareHistory(m, u.Conversations, r.TrainCtx)
	if err != nil {
		return nil, fmt.Errorf("user %s: %w", id, err)
	}
	adapter, loss, err := Fit(m, h, p, r)
	if err != nil {
		return nil, err
	}
	if err := adapter.Save(st.AdapterPath(id)); err != nil {
		return nil, err
	}
	if err := short.RemoveFirst(turns); err != nil {
		return nil, err
	}
	if err := os.Remove(st.PendingPath(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return &Consolidated{Turns: len(turns), Conversations: len(u.Conversations), Placement: p, TrainLoss: loss, Warnings: warnings}, nil
}

// ConversationOf turns stored turns into one conversation, merging a
// speaker's consecutive messages so roles alternate as chat formats expect.
// System notes are not part of what the user said or was answered.
func ConversationOf(turns []memory.Turn) userdata.Conversation {
	var c userdata.Conversation
	for _, t := range turns {
		if t.Role == chat.RoleUser || t.Role == chat.RoleAssistant {
			c.Add(t.Role, t.Content)
		}
	}
	return c
}
