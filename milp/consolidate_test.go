package milp

import (
	"os"
	"testing"
	"time"

	"github.com/milp-lite/milp-lite/memory"
	"github.com/milp-lite/milp-lite/nn/chat"
	"github.com/milp-lite/milp-lite/userdata"
)

// TestConsolidateFinishesAnInterruptedMove sets up the store as a
// consolidation leaves it when killed after recording its move, before and
// after saving the history: a rerun moves the turns into the history
// exactly once and empties short-term memory.
func TestConsolidateFinishesAnInterruptedMove(t *testing.T) {
	m := defaultModel(t)
	for _, savedBeforeKill := range []bool{false, true} {
		st := Store{Root: t.TempDir()}
		u := sampleUser(t, 0)
		u.Conversations = u.Conversations[:2]
		if err := userdata.Save(st.UsersDir(), []userdata.User{u}); err != nil {
			t.Fatal(err)
		}
		short, _ := st.ShortTerm(u.ID)
		said := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
		short.Append(memory.NewTurn(said, chat.RoleUser, "I bought a red bicycle."), memory.NewTurn(said, chat.RoleAssistant, "Nice."))
		turns, _ := short.Load()
		os.MkdirAll(st.UserDir(u.ID), 0o755)
		if err := WriteJSON(st.PendingPath(u.ID), pendingMove{Before: 2, Turns: 2, Digest: turnsDigest(turns)}); err != nil {
			t.Fatal(err)
		}
		if savedBeforeKill {
			saved := u
			saved.Conversations = append(saved.Conversations[:2:2], ConversationOf(turns))
			userdata.Save(st.UsersDir(), []userdata.User{saved})
		}
		// A chat after the kill: it waits for the next consolidation.
		short.Append(memory.NewTurn(said.Add(time.Minute), chat.RoleUser, "It is fast."))

		res, err := Consolidate(m, st, u.ID, smallRecipe)
		if err != nil {
			t.Fatal(err)
		}
		back, _ := userdata.LoadUser(st.UsersDir(), u.ID)
		if res.Turns != 2 || len(back.Conversations) != 3 || conversationKey(back.Conversations[2]) != conversationKey(ConversationOf(turns)) {
			t.Fatalf("saved before the kill %v: moved %d turns, history of %d conversations", savedBeforeKill, res.Turns, len(back.Conversations))
		}
		if left, _ := short.Load(); len(left) != 1 || left[0].Content != "It is fast." {
			t.Fatalf("saved before the kill %v: short-term memory holds %+v", savedBeforeKill, left)
		}
		if _, err := os.Stat(st.PendingPath(u.ID)); !os.IsNotExist(err) {
			t.Fatalf("the finished move's record stays: %v", err)
		}
	}
}
