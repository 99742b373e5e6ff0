package userdata

import (
	"github.com/milp-lite/milp-lite/nn/chat"

	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// MaLP provenance and grouping.
const (
	MaLPSource  = "MaLP medical dialogues (MatthewKKai/MaLP @ f66239f)"
	MaLPLicence = "MIT; Zhang et al., arXiv 2309.11696"

	// MaLPSessionsPerUser is how many consecutive sessions form one user.
	MaLPSessionsPerUser = 10
	// malpMinTail is the smallest trailing group kept as a user of its own;
	// a smaller tail joins the previous user so every user can be split into
	// train, val and test (Split needs 3 conversations).
	malpMinTail = 3
)

// ImportMaLP reads a MaLP dialogue file (a JSON list of sessions, each a list
// of {"<round>": {"User": "...", "Assistant": "..."}}) and returns users of
// MaLPSessionsPerUser sessions each; see ImportMaLPGrouped. source labels the
// file (e.g. "dialogues2") and becomes part of the user IDs.
func ImportMaLP(r io.Reader, source string) ([]User, error) {
	return ImportMaLPGrouped(r, source, MaLPSessionsPerUser)
}

// ImportMaLPGrouped is ImportMaLP with perUser sessions per user.
//
// Who the user is: in MaLP the "User" side is a patient and the "Assistant"
// side the doctor, and the doctor's replies are what is personalised. So
// "User" strings become user messages and "Assistant" strings assistant
// messages, the assistant being the personalised side as everywhere in this
// package. Each session was generated from a different patient profile
// (dialogue_generation.py draws one profile per session), so the data has no
// patient with several sessions, and a user of one six-round session could
// not be split into train/val/test. A user here is therefore a cohort: perUser
// consecutive sessions of one file (each file is topic-homogeneous:
// dialogues2 is gastro-intestinal, dialogues_3 cardiovascular), i.e. one
// doctor assistant personalised to the patients of one clinic stream. A tail
// shorter than 3 sessions joins the previous user. IDs are
// "malp-<source>-<nnn>" (source lowercased, other characters than [a-z0-9]
// turned into '-'). MaLP ships no persona sentences for these files, so
// Persona is empty.
//
// Message order follows the generator: in rounds 0..n−2 the assistant spoke
// before the user (round 0 is the doctor's greeting, then the patient's
// opening); in the last round the patient speaks first and the doctor
// answers. Strings lose surrounding whitespace, a leading "Patient:",
// "Doctor:", "User:" or "Assistant:" label and one pair of wrapping double
// quotes; empty strings are dropped. Errors name the line and column of a
// JSON error, or the session and round of a malformed record.
func ImportMaLPGrouped(r io.Reader, source string, perUser int) ([]User, error) {
	if perUser < 1 {
		return nil, fmt.Errorf("userdata: malp %s: sessions per user must be ≥ 1, got %d", source, perUser)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("userdata: malp %s: %w", source, err)
	}
	var sessions [][]map[string]*malpRound
	if err := json.Unmarshal(data, &sessions); err != nil {
		return nil, fmt.Errorf("userdata: malp %s: %s", source, jsonErrorPosition(data, err))
	}
	if len(sessions) == 0 {
		return nil, fmt.Errorf("userdata: malp %s: no sessions", source)
	}
	convs := make([]Conversation, len(sessions))
	for i, s := range sessions {
		c, err := malpConversation(s)
		if err != nil {
			return nil, fmt.Errorf("userdata: malp %s: session %d %w", source, i, err)
		}
		convs[i] = c
	}
	return groupSessions(convs, source, perUser), nil
}

type malpRound struct {
	User      *string `json:"User"`
	Assistant *string `json:"Assistant"`
}

func malpConversation(rounds []map[string]*malpRound) (Conversation, error) {
	var conv Conversation
	for j, entry := range rounds {
		if len(entry) != 1 {
			return Conversation{}, fmt.Errorf("round %d: want one {\"<round>\": {...}} entry, got %d keys", j, len(entry))
		}
		var rd *malpRound
		for _, v := range entry {
			rd = v
		}
		if rd == nil || rd.User == nil || rd.Assistant == nil {
			return Conversation{}, fmt.Errorf("round %d: missing \"User\" or \"Assistant\"", j)
		}
		user, assistant := cleanMaLP(*rd.User), cleanMaLP(*rd.Assistant)
		if j < len(rounds)-1 {
			conv.Add(chat.RoleAssistant, assistant)
			conv.Add(chat.RoleUser, user)
		} else {
			conv.Add(chat.RoleUser, user)
			conv.Add(chat.RoleAssistant, assistant)
		}
	}
	if len(conv.Messages) == 0 {
		return Conversation{}, fmt.Errorf("has no non-empty messages")
	}
	return conv, nil
}

var malpLabel = regexp.MustCompile(`^(?i)(patient|doctor|user|assistant)\s*:\s*`)

// cleanMaLP strips the generator's wrapping: whitespace, a speaker label and
// one pair of surrounding double quotes (in either order of label and quote).
func cleanMaLP(s string) string {
	s = strings.TrimSpace(s)
	s = malpLabel.ReplaceAllString(s, "")
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = strings.TrimSpace(s[1 : len(s)-1])
		s = malpLabel.ReplaceAllString(s, "")
	}
	return strings.TrimSpace(s)
}

func groupSessions(convs []Conversation, source string, perUser int) []User {
	var users []User
	for start := 0; start < len(convs); start += perUser {
		end := min(start+perUser, len(convs))
		if n := len(users); n > 0 && end-start < malpMinTail {
			users[n-1].Conversations = append(users[n-1].Conversations, convs[start:end]...)
			break
		}
		users = append(users, User{
			ID:            fmt.Sprintf("malp-%s-%03d", idPart(source), len(users)),
			Source:        MaLPSource + " " + source,
			Licence:       MaLPLicence,
			Conversations: append([]Conversation(nil), convs[start:end]...),
		})
	}
	return users
}

// idPart makes a label safe for a file name: lowercase [a-z0-9], other runs → '-'.
func idPart(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimRight(b.String(), "-")
	if out == "" {
		return "data"
	}
	return out
}

// jsonErrorPosition rewrites a json error with a line:column position.
func jsonErrorPosition(data []byte, err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := lineCol(data, syn.Offset)
		return fmt.Sprintf("line %d, column %d: %v", line, col, err)
	case errors.As(err, &typ):
		line, col := lineCol(data, typ.Offset)
		return fmt.Sprintf("line %d, column %d: %v", line, col, err)
	}
	return err.Error()
}

// lineCol converts a byte offset to 1-based line and column.
func lineCol(data []byte, off int64) (line, col int) {
	off = max(0, min(off, int64(len(data))))
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}
