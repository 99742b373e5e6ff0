package milp

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"

	"github.com/milp-lite/milp-lite/userdata"
)

// storeHistory brings the user's stored history up to date with u, the
// user as the main job was given them, and returns the history to train on.
// A store's history may hold what no input has (conversations consolidated
// from chats), so it is never replaced: u's conversations not already in it
// are added after its own, and a history that cannot be read, or that
// belongs to someone else (another persona), is an error that leaves it as
// it is. added counts the conversations added.
func storeHistory(st Store, u userdata.User) (merged userdata.User, added int, err error) {
	stored, err := userdata.LoadUser(st.UsersDir(), u.ID)
	if errors.Is(err, fs.ErrNotExist) {
		return u, len(u.Conversations), userdata.Save(st.UsersDir(), []userdata.User{u})
	}
	if err != nil {
		return u, 0, fmt.Errorf("user %s: the stored history cannot be read, so it is left as it is (repair or move it away): %w", u.ID, err)
	}
	if len(stored.Persona) > 0 && len(u.Persona) > 0 && !slices.Equal(stored.Persona, u.Persona) {
		return u, 0, fmt.Errorf("user %s: the stored history in %s has another persona than the user given; not mixing two people's histories (move it away, or use another --store)",
			u.ID, st.UsersDir())
	}
	changed := false
	if len(stored.Persona) == 0 && len(u.Persona) > 0 {
		stored.Persona, changed = u.Persona, true
	}
	if stored.Source == "" && stored.Licence == "" && (u.Source != "" || u.Licence != "") {
		stored.Source, stored.Licence, changed = u.Source, u.Licence, true
	}
	have := map[string]int{}
	for _, c := range stored.Conversations {
		have[conversationKey(c)]++
	}
	for _, c := range u.Conversations {
		if k := conversationKey(c); have[k] > 0 {
			have[k]-- // one stored copy answers one given copy
			continue
		}
		stored.Conversations = append(stored.Conversations, c)
		added++
	}
	if changed || added > 0 {
		err = userdata.Save(st.UsersDir(), []userdata.User{stored})
	}
	return stored, added, err
}

// conversationKey identifies a conversation by its messages.
func conversationKey(c userdata.Conversation) string {
	b, _ := json.Marshal(c.Messages)
	return string(b)
}
