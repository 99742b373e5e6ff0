package serve

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/milp-lite/milp-lite/internal/atomicfile"
)

// keyPrefix starts every user key, so a key pasted in the wrong place is
// recognisable (and secret scanners can find it).
const keyPrefix = "milp-"

// keyRecord is one user key as stored: its SHA-256, never the key.
type keyRecord struct {
	Hash    string    `json:"sha256"`
	User    string    `json:"user"`
	Created time.Time `json:"created"`
}

// keyStore holds the users' API keys, hashed, in <store>/keys.json.
type keyStore struct {
	path string
	mu   sync.Mutex
	keys []keyRecord
}

// keysPath is where a store keeps its users' key hashes.
func keysPath(root string) string { return filepath.Join(root, "keys.json") }

func loadKeys(root string) (*keyStore, error) {
	ks := &keyStore{path: keysPath(root)}
	data, err := os.ReadFile(ks.path)
	if errors.Is(err, fs.ErrNotExist) {
		return ks, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, &ks.keys); err != nil {
		return nil, fmt.Errorf("%s: %w", ks.path, err)
	}
	return ks, nil
}

func hashKey(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:])
}

// NewKey makes a key for user, stores its hash and returns the key: the only
// time it is ever seen.
func (ks *keyStore) NewKey(user string) (string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	key := keyPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	ks.mu.Lock()
	defer ks.mu.Unlock()
	keys := append(ks.keys[:len(ks.keys):len(ks.keys)], keyRecord{Hash: hashKey(key), User: user, Created: time.Now().UTC()})
	if err := ks.save(keys); err != nil {
		return "", err
	}
	ks.keys = keys
	return key, nil
}

// User is the user a key belongs to; ok is false for an unknown key.
func (ks *keyStore) User(key string) (string, bool) {
	if !strings.HasPrefix(key, keyPrefix) {
		return "", false
	}
	h := hashKey(key)
	ks.mu.Lock()
	defer ks.mu.Unlock()
	for _, k := range ks.keys {
		if k.Hash == h {
			return k.User, true
		}
	}
	return "", false
}

// Any reports whether any user has a key.
func (ks *keyStore) Any() bool {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	return len(ks.keys) > 0
}

// RemoveUser drops every key of user.
func (ks *keyStore) RemoveUser(user string) error {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	var keep []keyRecord
	for _, k := range ks.keys {
		if k.User != user {
			keep = append(keep, k)
		}
	}
	if len(keep) == len(ks.keys) {
		return nil
	}
	if err := ks.save(keep); err != nil {
		return err
	}
	ks.keys = keep
	return nil
}

func (ks *keyStore) save(keys []keyRecord) error {
	if keys == nil {
		keys = []keyRecord{}
	}
	data, err := json.MarshalIndent(keys, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(ks.path, append(data, '\n'))
}

// AddKey makes a key for user in the store at root, for the command line
// (`milp-lite users add-key`), and returns it.
func AddKey(root, user string) (string, error) {
	ks, err := loadKeys(root)
	if err != nil {
		return "", err
	}
	return ks.NewKey(user)
}
