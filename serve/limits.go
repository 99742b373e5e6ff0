package serve

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
)

// userSlots bounds each user's requests in flight.
type userSlots struct {
	max  int
	mu   sync.Mutex
	used map[string]int
}

// acquire takes one of user's slots; ok is false when all are taken.
func (u *userSlots) acquire(user string) (release func(), ok bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.used[user] >= u.max {
		return nil, false
	}
	u.used[user]++
	var once sync.Once
	return func() {
		once.Do(func() {
			u.mu.Lock()
			defer u.mu.Unlock()
			if u.used[user]--; u.used[user] == 0 {
				delete(u.used, user)
			}
		})
	}, true
}

// newID is a random identifier with a prefix, as OpenAI's are.
func newID(prefix string) string {
	var b [12]byte
	rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

func filepathMkdir(dir string) error { return os.MkdirAll(dir, 0o755) }
