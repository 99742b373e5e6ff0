package userdata

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/milp-lite/milp-lite/nn/chat"
)

func sampleUsers() []User {
	return []User{
		{ID: "spc-0000aaaa", Persona: []string{"I like cats."}, Source: "s", Licence: "l",
			Conversations: []Conversation{
				{Messages: []chat.Message{{Role: chat.RoleUser, Content: "Hi \"there\"\nfriend"}, {Role: chat.RoleAssistant, Content: "Hello ü"}}},
				{Messages: []chat.Message{{Role: chat.RoleSystem, Content: "be kind"}, {Role: chat.RoleUser, Content: "x"}, {Role: chat.RoleAssistant, Content: "y"}}},
			}},
		{ID: "malp-d-000", Conversations: []Conversation{{Messages: []chat.Message{{Role: chat.RoleAssistant, Content: "Hello"}}}}},
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "spc")
	users := sampleUsers()
	if err := Save(dir, users); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Load sorts by ID.
	want := []User{users[1], users[0]}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
	}
	one, err := LoadUser(dir, "spc-0000aaaa")
	if err != nil || !reflect.DeepEqual(one, users[0]) {
		t.Fatalf("LoadUser = %+v, %v", one, err)
	}
	// The documented layout: profile line first, then one conversation a line.
	raw, _ := os.ReadFile(filepath.Join(dir, "spc-0000aaaa.jsonl"))
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	if len(lines) != 3 ||
		lines[0] != `{"user":"spc-0000aaaa","persona":["I like cats."],"source":"s","licence":"l"}` ||
		!strings.HasPrefix(lines[2], `{"messages":[{"role":"system","content":"be kind"}`) {
		t.Errorf("file layout:\n%s", raw)
	}
	// Saving again replaces the file and leaves no temp files.
	users[0].Conversations = users[0].Conversations[:1]
	if err := Save(dir, users); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("dir has %d entries, want 2", len(entries))
	}
	if u, _ := LoadUser(dir, "spc-0000aaaa"); len(u.Conversations) != 1 {
		t.Errorf("re-save not visible: %d conversations", len(u.Conversations))
	}
}

func TestSaveRejects(t *testing.T) {
	dir := t.TempDir()
	bad := [][]User{
		{{ID: "../evil"}},
		{{ID: ""}},
		{{ID: ".hidden"}},
		{{ID: "a"}, {ID: "a"}},
		{{ID: "a", Conversations: []Conversation{{}}}},
		{{ID: "a", Conversations: []Conversation{{Messages: []chat.Message{{Role: "bot", Content: "x"}}}}}},
	}
	for _, us := range bad {
		if err := Save(dir, us); err == nil {
			t.Errorf("Save(%+v) accepted", us)
		}
	}
}

func TestLoadMalformedNamesFileAndLine(t *testing.T) {
	profile := `{"user":"u1","persona":[],"source":"","licence":""}`
	conv := `{"messages":[{"role":"user","content":"hi"}]}`
	cases := []struct{ name, content, want string }{
		{"bad json", profile + "\n" + conv + "\n{\"messages\": [\n", "u1.jsonl:3:"},
		{"bad role", profile + "\n\n" + `{"messages":[{"role":"bot","content":"x"}]}` + "\n", "u1.jsonl:3:"},
		{"unknown key", profile + "\n" + `{"msgs":[]}` + "\n", "u1.jsonl:2:"},
		{"no messages", profile + "\n" + `{"messages":[]}` + "\n", "u1.jsonl:2:"},
		{"profile id", `{"user":"u2"}` + "\n", "u1.jsonl:1:"},
		{"profile not first", conv + "\n", "u1.jsonl:1:"},
		{"two values", profile + "\n" + conv + conv + "\n", "u1.jsonl:2:"},
		{"empty", "\n\n", "empty file"},
		{"empty messages", profile + "\n" + conv + "\n" + `{"messages":[{"role":"user","content":""},{"role":"assistant","content":" \n"}]}` + "\n", "u1.jsonl:3: conversation has only empty messages"},
		{"duplicate messages", profile + "\n" + `{"messages":[{"role":"user","content":"a"}],"messages":[{"role":"user","content":"b"}]}` + "\n", `u1.jsonl:2: conversation: duplicate key "messages"`},
		{"junk after", profile + "\n" + conv + " junk\n", "u1.jsonl:2: conversation: unexpected text after the JSON value"},
		{"two on a line", profile + "\n" + conv + " " + conv + "\n", "u1.jsonl:2: conversation: unexpected text after the JSON value"},
	}
	for _, c := range cases {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "u1.jsonl"), []byte(c.content), 0o644)
		_, err := Load(dir)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
	if _, err := LoadUser(t.TempDir(), "../x"); err == nil {
		t.Error("LoadUser accepted an unsafe id")
	}
	if _, err := LoadUser(t.TempDir(), "missing"); err == nil {
		t.Error("LoadUser of a missing user succeeded")
	}
}

func TestLoadIgnoresTempAndOtherFiles(t *testing.T) {
	dir := t.TempDir()
	if err := Save(dir, sampleUsers()[:1]); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, ".spc-0000aaaa.jsonl.tmp-123"), []byte("garbage"), 0o644)
	os.WriteFile(filepath.Join(dir, "README.md"), []byte("notes"), 0o644)
	users, err := Load(dir)
	if err != nil || len(users) != 1 {
		t.Fatalf("Load = %d users, %v", len(users), err)
	}
}

func TestSampleUsers(t *testing.T) {
	users, err := Sample()
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 5 {
		t.Fatalf("%d sample users, want 5", len(users))
	}
	for _, u := range users {
		if len(u.Conversations) < 20 || len(u.Persona) == 0 || u.Licence == "" {
			t.Errorf("sample user %s: %d conversations, persona %v, licence %q", u.ID, len(u.Conversations), u.Persona, u.Licence)
		}
	}
}

func TestReadConversations(t *testing.T) {
	_, err := ReadConversations("testdata/bad_conversations.jsonl")
	if err == nil || !strings.HasPrefix(err.Error(), "testdata/bad_conversations.jsonl:2: ") {
		t.Fatalf("error %v, want it to start with testdata/bad_conversations.jsonl:2:", err)
	}
	convs, err := ReadConversations("../train/testdata/persona_construction_worker.jsonl")
	if err != nil || len(convs) != 18 {
		t.Fatalf("fixture: %d conversations, %v", len(convs), err)
	}
	empty := filepath.Join(t.TempDir(), "empty.jsonl")
	os.WriteFile(empty, []byte("\n\n"), 0o644)
	if _, err := ReadConversations(empty); err == nil || !strings.Contains(err.Error(), "no conversations") {
		t.Fatalf("empty file: %v", err)
	}
}

// TestReadConversationsRefusesBadLines: training data that would be half
// read or trained on nothing fails, naming the file and line.
func TestReadConversationsRefusesBadLines(t *testing.T) {
	good := `{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}]}`
	for _, c := range []struct{ name, line, want string }{
		{"junk after", good + " x", "unexpected text after the JSON value"},
		{"two objects", good + good, "unexpected text after the JSON value"},
		{"duplicate messages", `{"messages":[],"messages":[{"role":"user","content":"hi"}]}`, `duplicate key "messages"`},
		{"duplicate role", `{"messages":[{"role":"user","role":"assistant","content":"hi"}]}`, `duplicate key "role"`},
		{"all empty", `{"messages":[{"role":"user","content":""},{"role":"assistant","content":""}]}`, "only empty messages"},
	} {
		path := filepath.Join(t.TempDir(), "data.jsonl")
		os.WriteFile(path, []byte(good+"\n"+c.line+"\n"), 0o644)
		_, err := ReadConversations(path)
		if err == nil || !strings.HasPrefix(err.Error(), path+":2: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %s:2: … %s", c.name, err, path, c.want)
		}
	}
}
