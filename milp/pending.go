package milp

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/milp-lite/milp-lite/memory"
	"github.com/milp-lite/milp-lite/userdata"
)

// pendingMove is written before a consolidation adds short-term turns to
// the history and removed once they have left short-term memory. The two
// files cannot change in one step, so a rerun after an interruption reads
// it to tell whether the history already holds those turns: they are added
// exactly once.
type pendingMove struct {
	Before int    `json:"history_before"` // the history's conversations before the move
	Turns  int    `json:"turns"`          // the short-term turns moved, from the first
	Digest string `json:"turns_sha256"`   // of those turns, times included
}

func turnsDigest(turns []memory.Turn) string {
	b, _ := json.Marshal(turns)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// readPendingMove returns the interrupted move of user id whose turns still
// open short-term memory, or nil: no move, or one that finished all but
// removing its record.
func readPendingMove(st Store, id string, turns []memory.Turn) (*pendingMove, error) {
	data, err := os.ReadFile(st.PendingPath(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var p pendingMove
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("%s: %w (remove it if no consolidation of %s is running)", st.PendingPath(id), err, id)
	}
	if p.Turns < 1 || p.Turns > len(turns) || turnsDigest(turns[:p.Turns]) != p.Digest {
		return nil, nil
	}
	return &p, nil
}

// moveIntoHistory adds turns to u's history as one conversation and saves
// it, unless an interrupted consolidation of the same turns already did. It
// returns the history and the turns moved, which are those of an
// interrupted move when there is one (the rest wait for the next).
func moveIntoHistory(st Store, u userdata.User, turns []memory.Turn) (userdata.User, []memory.Turn, error) {
	p, err := readPendingMove(st, u.ID, turns)
	if err != nil {
		return u, nil, err
	}
	if p != nil {
		turns = turns[:p.Turns]
	}
	conv := ConversationOf(turns)
	if len(conv.Messages) == 0 {
		return u, turns, nil
	}
	if p != nil && len(u.Conversations) > p.Before && conversationKey(u.Conversations[p.Before]) == conversationKey(conv) {
		return u, turns, nil // saved before the interruption
	}
	p = &pendingMove{Before: len(u.Conversations), Turns: len(turns), Digest: turnsDigest(turns)}
	if err := os.MkdirAll(st.UserDir(u.ID), 0o755); err != nil {
		return u, nil, err
	}
	if err := WriteJSON(st.PendingPath(u.ID), p); err != nil {
		return u, nil, err
	}
	u.Conversations = append(u.Conversations, conv)
	return u, turns, userdata.Save(st.UsersDir(), []userdata.User{u})
}
