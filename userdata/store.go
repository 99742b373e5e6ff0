package userdata

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/milp-lite/milp-lite/internal/atomicfile"
	"github.com/milp-lite/milp-lite/internal/jsonl"
)

// FileExt is the extension of a user file: <dir>/<id>.jsonl.
const FileExt = ".jsonl"

// validID: letters, digits, '.', '_', '-', not starting with '.', so an ID is
// always a plain file name (no separators, no "..", no hidden temp names).
var validID = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]*$`)

// ValidID reports whether id can name a user file.
func ValidID(id string) bool { return validID.MatchString(id) }

// profileRecord is the first line of a user file.
type profileRecord struct {
	User    string   `json:"user"`
	Persona []string `json:"persona"`
	Source  string   `json:"source"`
	Licence string   `json:"licence"`
}

// Save writes one <id>.jsonl per user into dir (created if needed). Each file
// is written to a temporary file in dir, fsynced and renamed over the target,
// so a reader never sees a half-written user. Files of users not in users are
// left alone. Invalid or duplicate IDs and invalid messages are errors.
func Save(dir string, users []User) error {
	seen := map[string]bool{}
	for _, u := range users {
		if !ValidID(u.ID) {
			return fmt.Errorf("userdata: save: invalid user id %q", u.ID)
		}
		if seen[u.ID] {
			return fmt.Errorf("userdata: save: duplicate user id %q", u.ID)
		}
		seen[u.ID] = true
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("userdata: save: %w", err)
	}
	for _, u := range users {
		data, err := encodeUser(u)
		if err != nil {
			return err
		}
		if err := atomicfile.WriteFile(filepath.Join(dir, u.ID+FileExt), data); err != nil {
			return err
		}
	}
	return nil
}

// Encode is a user as the bytes of their <id>.jsonl file, for stores that
// keep it elsewhere than in a folder.
func Encode(u User) ([]byte, error) { return encodeUser(u) }

// Decode reads a user from the bytes of their file; name says where they
// came from in errors.
func Decode(data []byte, name, id string) (User, error) {
	return parseUserFile(bytes.NewReader(data), name, id)
}

func encodeUser(u User) ([]byte, error) {
	var buf bytes.Buffer
	persona := u.Persona
	if persona == nil {
		persona = []string{} // "persona": [] rather than null
	}
	line, err := json.Marshal(profileRecord{User: u.ID, Persona: persona, Source: u.Source, Licence: u.Licence})
	if err != nil {
		return nil, fmt.Errorf("userdata: save %s: %w", u.ID, err)
	}
	buf.Write(line)
	buf.WriteByte('\n')
	for i, c := range u.Conversations {
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("userdata: save %s: conversation %d: %w", u.ID, i, err)
		}
		line, err := json.Marshal(c)
		if err != nil {
			return nil, fmt.Errorf("userdata: save %s: %w", u.ID, err)
		}
		buf.Write(line)
		buf.WriteByte('\n')
	}
	return buf.Bytes(), nil
}

// Load reads every <id>.jsonl in dir (hidden files, such as temp files of an
// interrupted Save, are ignored), users sorted by ID.
func Load(dir string) ([]User, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("userdata: load: %w", err)
	}
	var users []User
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || strings.HasPrefix(name, ".") || !strings.HasSuffix(name, FileExt) {
			continue
		}
		u, err := LoadUser(dir, strings.TrimSuffix(name, FileExt))
		if err != nil {
			return nil, err
		}
		users = append(users, u)
	}
	sort.Slice(users, func(i, j int) bool { return users[i].ID < users[j].ID })
	return users, nil
}

// LoadUser reads <dir>/<id>.jsonl. A malformed line is an error naming the
// file and the 1-based line number.
func LoadUser(dir, id string) (User, error) {
	if !ValidID(id) {
		return User{}, fmt.Errorf("userdata: load: invalid user id %q", id)
	}
	path := filepath.Join(dir, id+FileExt)
	f, err := os.Open(path)
	if err != nil {
		return User{}, fmt.Errorf("userdata: load: %w", err)
	}
	defer f.Close()
	return parseUserFile(f, path, id)
}

func parseUserFile(r io.Reader, path, id string) (User, error) {
	var u User
	haveProfile := false
	err := jsonl.Read(r, path, func(_ int, line []byte) error {
		if !haveProfile {
			haveProfile = true
			return parseProfile(line, id, &u)
		}
		c, err := ParseConversation(line)
		u.Conversations = append(u.Conversations, c)
		return err
	})
	if err != nil {
		return User{}, fmt.Errorf("userdata: %w", err)
	}
	if !haveProfile {
		return User{}, fmt.Errorf("userdata: %s: empty file, want a profile line", path)
	}
	return u, nil
}

func parseProfile(line []byte, id string, u *User) error {
	var p profileRecord
	if err := jsonl.Decode(line, &p); err != nil {
		return fmt.Errorf("profile: %v", err)
	}
	if p.User != id {
		return fmt.Errorf("profile: user %q does not match file name %q", p.User, id)
	}
	u.ID, u.Persona, u.Source, u.Licence = p.User, p.Persona, p.Source, p.Licence
	if len(u.Persona) == 0 {
		u.Persona = nil // Save writes nil as []; load it back as nil
	}
	return nil
}

// ParseConversation reads one line of the conversations format (a user
// file's conversation lines, a training file's lines), which is OpenAI's
// chat fine-tuning format: strict JSON, valid roles, something said, tool
// traffic left out (see DecodeConversation).
func ParseConversation(line []byte) (Conversation, error) {
	c, _, err := DecodeConversation(line)
	return c, err
}

// ReadConversations reads a file of conversations, one a line in the format
// of a user file's conversation lines (no profile line): the training data
// of `milp-lite lora train`. A malformed line is an error naming the file
// and line; a file with no conversation is an error too.
func ReadConversations(path string) ([]Conversation, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var convs []Conversation
	err = jsonl.Read(f, path, func(_ int, line []byte) error {
		c, err := ParseConversation(line)
		convs = append(convs, c)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(convs) == 0 {
		return nil, fmt.Errorf("%s: no conversations", path)
	}
	return convs, nil
}
