package userdata

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/milp-lite/milp-lite/nn/chat"
)

// One three-round session: round 0 greeting then opening, round 1 reply then
// answer, last round patient first then doctor. Labels and quotes vary as in
// the real files; one string is empty.
const malpSession = `[{"0": {"Assistant": "\"Hello, how can I help?\"", "User": "Patient: \"My stomach hurts.\""}},
 {"1": {"Assistant": "Doctor: Since when?", "User": "\"Two days.\""}},
 {"2": {"Assistant": "  \"Please see a gastroenterologist.\" ", "User": ""}}]`

func malpFile(sessions int) string {
	parts := make([]string, sessions)
	for i := range parts {
		parts[i] = malpSession
	}
	return "[" + strings.Join(parts, ",\n") + "]"
}

func TestImportMaLPMessages(t *testing.T) {
	users, err := ImportMaLP(strings.NewReader(malpFile(1)), "dialogues2")
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 1 || users[0].ID != "malp-dialogues2-000" || len(users[0].Conversations) != 1 {
		t.Fatalf("users = %+v", users)
	}
	want := []chat.Message{
		{Role: chat.RoleAssistant, Content: "Hello, how can I help?"},
		{Role: chat.RoleUser, Content: "My stomach hurts."},
		{Role: chat.RoleAssistant, Content: "Since when?"},
		{Role: chat.RoleUser, Content: "Two days."},
		// last round: patient (empty, dropped) then doctor
		{Role: chat.RoleAssistant, Content: "Please see a gastroenterologist."},
	}
	if got := users[0].Conversations[0].Messages; !reflect.DeepEqual(got, want) {
		t.Errorf("messages =\n%+v\nwant\n%+v", got, want)
	}
	if users[0].Persona != nil || users[0].Licence != MaLPLicence {
		t.Errorf("persona %q licence %q", users[0].Persona, users[0].Licence)
	}
}

func TestImportMaLPGrouping(t *testing.T) {
	cases := []struct {
		sessions int
		sizes    []int
	}{
		{25, []int{10, 10, 5}},
		{22, []int{10, 12}}, // tail of 2 < 3 joins the previous user
		{23, []int{10, 10, 3}},
		{2, []int{2}}, // a lone short group stays
	}
	for _, c := range cases {
		users, err := ImportMaLP(strings.NewReader(malpFile(c.sessions)), "Dialogues 3!")
		if err != nil {
			t.Fatal(err)
		}
		var sizes []int
		for i, u := range users {
			sizes = append(sizes, len(u.Conversations))
			if want := fmt.Sprintf("malp-dialogues-3-%03d", i); u.ID != want {
				t.Errorf("id %s, want %s", u.ID, want)
			}
		}
		if !reflect.DeepEqual(sizes, c.sizes) {
			t.Errorf("%d sessions → sizes %v, want %v", c.sessions, sizes, c.sizes)
		}
	}
	if _, err := ImportMaLPGrouped(strings.NewReader(malpFile(1)), "x", 0); err == nil {
		t.Error("0 sessions per user accepted")
	}
}

func TestImportMaLPErrors(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"syntax", "[\n [{\"0\": {\"User\": \"a\",\n \"Assistant\": }}]]", "line 3, column"},
		{"type", "[\n [{\"0\": {\"User\": 5, \"Assistant\": \"b\"}}]]", "line 2"},
		{"missing field", `[[{"0": {"User": "a"}}]]`, `session 0 round 0: missing "User" or "Assistant"`},
		{"two keys", `[[{"0": {"User": "a", "Assistant": "b"}, "1": {"User": "a", "Assistant": "b"}}]]`, "session 0 round 0"},
		{"empty session", `[[{"0": {"User": "", "Assistant": "\"\""}}]]`, "session 0 has no non-empty messages"},
		{"no sessions", `[]`, "no sessions"},
		{"not a list", `{"a": 1}`, "line 1"},
	}
	for _, c := range cases {
		_, err := ImportMaLP(strings.NewReader(c.in), "f")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to mention %q", c.name, err, c.want)
		}
	}
}

func TestImportMaLPRealFiles(t *testing.T) {
	for _, c := range []struct {
		file, source string
		sessions     int
	}{
		{"malp_dialogues2_cleaned.json", "dialogues2", 149},
		{"malp_dialogues_3_cleaned.json", "dialogues_3", 555},
	} {
		f, err := os.Open(dataFile(t, c.file))
		if err != nil {
			t.Fatal(err)
		}
		users, err := ImportMaLP(f, c.source)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, u := range users {
			total += len(u.Conversations)
			for _, conv := range u.Conversations {
				for _, m := range conv.Messages {
					if m.Content == "" || strings.HasPrefix(m.Content, `"`) && strings.HasSuffix(m.Content, `"`) ||
						strings.HasPrefix(m.Content, "Doctor:") || strings.HasPrefix(m.Content, "Patient:") {
						t.Fatalf("%s %s: uncleaned message %q", c.file, u.ID, m.Content)
					}
				}
				if len(EvalPairs(conv)) == 0 {
					t.Errorf("%s %s: conversation without a doctor reply", c.file, u.ID)
				}
			}
		}
		if total != c.sessions || len(users) != c.sessions/MaLPSessionsPerUser+boolInt(c.sessions%MaLPSessionsPerUser >= malpMinTail) {
			t.Errorf("%s: %d users, %d sessions", c.file, len(users), total)
		}
		t.Logf("%s: %d users, %d sessions", c.file, len(users), total)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
