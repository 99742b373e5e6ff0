package milp

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/milp-lite/milp-lite/nn/chat"
	"github.com/milp-lite/milp-lite/userdata"
)

func TestUserIDsCannotTakeStoreNames(t *testing.T) {
	for _, id := range []string{"spc-216baf81", "u1", "user.name", "users-2", "my_users"} {
		if err := CheckUserID(id); err != nil {
			t.Errorf("CheckUserID(%q): %v", id, err)
		}
	}
	st := Store{Root: t.TempDir()}
	for _, id := range []string{"", "users", "Users", "USERS", ".hidden", "../x", "a/b"} {
		if err := CheckUserID(id); err == nil {
			t.Errorf("CheckUserID(%q) accepted it", id)
		}
		if _, err := st.ShortTerm(id); err == nil {
			t.Errorf("ShortTerm(%q) opened a store", id)
		}
		if l, err := st.LockUser(id); err == nil {
			l.Unlock()
			t.Errorf("LockUser(%q) locked", id)
		}
	}
	if _, err := os.Stat(filepath.Join(st.UsersDir(), "users.lock")); !os.IsNotExist(err) {
		t.Errorf("a refused ID left a file in the histories folder: %v", err)
	}
}

// TestStoreHistoryNeverDropsStored re-runs the main job's history step over
// a stored history that holds a consolidated conversation no input has.
func TestStoreHistoryNeverDropsStored(t *testing.T) {
	st := Store{Root: t.TempDir()}
	u := sampleUser(t, 0)
	consolidated := userdata.Conversation{}
	consolidated.Add(chat.RoleUser, "I bought a red bicycle yesterday.")
	consolidated.Add(chat.RoleAssistant, "What colour is it?")
	stored := u
	stored.Conversations = append(slices.Clone(u.Conversations[:3]), consolidated)
	if err := userdata.Save(st.UsersDir(), []userdata.User{stored}); err != nil {
		t.Fatal(err)
	}

	merged, added, err := storeHistory(st, u)
	if err != nil {
		t.Fatal(err)
	}
	if added != len(u.Conversations)-3 || len(merged.Conversations) != len(u.Conversations)+1 {
		t.Fatalf("added %d, history of %d; want %d added, %d in all", added, len(merged.Conversations), len(u.Conversations)-3, len(u.Conversations)+1)
	}
	back, err := userdata.LoadUser(st.UsersDir(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.EqualFunc(back.Conversations, merged.Conversations, func(a, b userdata.Conversation) bool {
		return conversationKey(a) == conversationKey(b)
	}) || conversationKey(back.Conversations[3]) != conversationKey(consolidated) {
		t.Fatal("the stored history is not the merged one, with the consolidated conversation kept in place")
	}

	path := filepath.Join(st.UsersDir(), u.ID+userdata.FileExt)
	before, _ := os.ReadFile(path)
	if _, added, err := storeHistory(st, u); err != nil || added != 0 {
		t.Fatalf("second run: added %d, %v", added, err)
	}
	other := u
	other.Persona = []string{"I am someone else."}
	if _, _, err := storeHistory(st, other); err == nil || !strings.Contains(err.Error(), "another persona") {
		t.Fatalf("another persona: %v", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Fatal("a run with nothing new, or a refused one, rewrote the history")
	}

	os.WriteFile(path, append(before, "{broken\n"...), 0o644)
	if _, _, err := storeHistory(st, u); err == nil || !strings.Contains(err.Error(), "left as it is") {
		t.Fatalf("unreadable history: %v", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before)+"{broken\n" {
		t.Fatal("an unreadable history was replaced")
	}
}
