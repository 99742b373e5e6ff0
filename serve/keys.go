package serve

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/milp-lite/milp-lite/store"
)

// keyPrefix starts every user key, so a key pasted in the wrong place is
// recognisable (and secret scanners can find it).
const keyPrefix = "milp-"

// HashKey is what a store keeps of a key: its SHA-256, never the key.
func HashKey(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:])
}

// NewKey makes a key for user, stores its hash and returns the key: the only
// time it is ever seen.
func NewKey(ctx context.Context, st store.Store, user string) (string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	key := keyPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return key, st.AddKey(ctx, user, HashKey(key))
}

// keyUser is the user a key belongs to; ok is false for an unknown key.
func keyUser(ctx context.Context, st store.Store, key string) (string, bool, error) {
	if !strings.HasPrefix(key, keyPrefix) {
		return "", false, nil
	}
	user, err := st.KeyUser(ctx, HashKey(key))
	if errors.Is(err, store.ErrNotFound) {
		return "", false, nil
	}
	return user, err == nil, err
}

// AddKey makes a key for user in the directory store at root, for the
// command line (`milp-lite users add-key`), and returns it.
func AddKey(root, user string) (string, error) {
	st, err := store.OpenDir(root)
	if err != nil {
		return "", err
	}
	return NewKey(context.Background(), st, user)
}
