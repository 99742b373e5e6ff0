package serve

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// caller is who sent a request: the admin, a user by their key, or anybody
// on a key-less loopback server (trusted as the admin is, as a local
// llama-server is).
type caller struct {
	admin bool
	user  string // the key's user ("" for the admin and key-less callers)
}

// authenticate reads "Authorization: Bearer KEY". Without a key it is an
// anonymous caller, allowed only on a key-less server.
func (s *Server) authenticate(r *http.Request) (caller, *apiError) {
	h := r.Header.Get("Authorization")
	if h == "" {
		if s.keyless() {
			return caller{admin: true}, nil
		}
		return caller{}, unauthorized("no API key: send Authorization: Bearer KEY")
	}
	key, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || key == "" || len(key) > 256 {
		return caller{}, unauthorized("malformed Authorization header: want Bearer KEY")
	}
	if s.adminKey != "" && subtle.ConstantTimeCompare([]byte(key), []byte(s.adminKey)) == 1 {
		return caller{admin: true}, nil
	}
	user, ok, err := keyUser(r.Context(), s.data, key)
	if err != nil {
		s.log.Error("key lookup failed", "err", err)
		return caller{}, &apiError{Status: http.StatusServiceUnavailable, Type: "server_error", Message: "the key store cannot be reached; retry shortly", RetryAfter: 1}
	}
	if ok {
		return caller{user: user}, nil
	}
	return caller{}, unauthorized("the API key is not valid")
}

// keyless reports whether the server runs without keys: no admin key. It
// then listens on loopback only (see Options.Addr).
func (s *Server) keyless() bool { return s.adminKey == "" }

// mayAct reports whether c may act for user id: the admin, or the user.
func (c caller) mayAct(id string) bool { return c.admin || c.user == id }

// speaker is the user a completion request answers as: a user key's own
// user (a "user" field naming another is refused), or for the admin and
// key-less callers the "user" field ("": the base model, no memories).
func (c caller) speaker(field string) (string, *apiError) {
	if c.admin {
		return field, nil
	}
	if field != "" && field != c.user {
		return "", forbidden("this key belongs to another user than " + cut(field, 64))
	}
	return c.user, nil
}
