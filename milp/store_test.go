package milp

import (
	"os"
	"path/filepath"
	"testing"
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
