package userdata

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/milp-lite/milp-lite/nn/chat"
)

// Three rows, three persona holders:
//
//	A: "I like cats / I am a nurse / I live in Ohio" (row 1, User 1) and the
//	   same three facts reordered plus "I drive a truck" (row 2, User 2):
//	   3 of 3 shared → one user.
//	B: "I love pizza / I have two sons" (row 1, User 2; row 3, User 1 with
//	   extra spaces and no final period).
//	C: "I am a nurse / I play golf / I hate rain" (row 2, User 1; row 3,
//	   User 2): shares only "I am a nurse" with A (1 of 3) → separate.
const spcSample = `user 1 personas,user 2 personas,Best Generated Conversation
"I like cats.
I am a nurse.
I live in Ohio.","I love pizza.
I have two sons.","User 1: Hi!
User 2: Hello, I love pizza.
User 1: I like cats.

User 2: Nice.
User 2: Do you?
[They laugh]"
"I am a nurse.
I play golf.
I hate rain.","I live in ohio.
I like cats.
I am a nurse.
I drive a truck.","User 1: Golf today?
*User 2:* Sure, after my shift.
it ends at five
User 1: Great."
"  I love  pizza
I have two sons.","I am a nurse.
I play golf.
I hate rain.","User 1: Pizza?
User 2: Yes!"
`

func TestImportSPCGrouping(t *testing.T) {
	users, err := ImportSPC(strings.NewReader(spcSample))
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 3 {
		t.Fatalf("got %d users, want 3 (A, B, C)", len(users))
	}
	a, b, c := users[0], users[1], users[2]
	wantPersonaA := []string{"I like cats.", "I am a nurse.", "I live in Ohio.", "I drive a truck."}
	if !reflect.DeepEqual(a.Persona, wantPersonaA) {
		t.Errorf("A persona = %q, want %q", a.Persona, wantPersonaA)
	}
	if !reflect.DeepEqual(b.Persona, []string{"I love pizza.", "I have two sons."}) {
		t.Errorf("B persona = %q", b.Persona)
	}
	if len(c.Persona) != 3 || c.Persona[1] != "I play golf." {
		t.Errorf("C persona = %q", c.Persona)
	}
	for _, u := range users {
		if len(u.Conversations) != 2 {
			t.Errorf("%s has %d conversations, want 2", u.ID, len(u.Conversations))
		}
		if u.Source != SPCSource || u.Licence != SPCLicence {
			t.Errorf("%s: provenance not set", u.ID)
		}
	}
	// A, row 1: A is User 1 → User 1 lines are the assistant's; User 2's two
	// consecutive lines merge; the stage direction is dropped.
	want := []chat.Message{
		{Role: chat.RoleAssistant, Content: "Hi!"},
		{Role: chat.RoleUser, Content: "Hello, I love pizza."},
		{Role: chat.RoleAssistant, Content: "I like cats."},
		{Role: chat.RoleUser, Content: "Nice.\nDo you?"},
	}
	if got := a.Conversations[0].Messages; !reflect.DeepEqual(got, want) {
		t.Errorf("A conversation 1 = %+v, want %+v", got, want)
	}
	// A, row 2: A is User 2; the markdown speaker and the continuation line.
	want = []chat.Message{
		{Role: chat.RoleUser, Content: "Golf today?"},
		{Role: chat.RoleAssistant, Content: "Sure, after my shift.\nit ends at five"},
		{Role: chat.RoleUser, Content: "Great."},
	}
	if got := a.Conversations[1].Messages; !reflect.DeepEqual(got, want) {
		t.Errorf("A conversation 2 = %+v, want %+v", got, want)
	}
	// The same row seen from B's side is the mirror image.
	if got := b.Conversations[0].Messages[0]; got != (chat.Message{Role: chat.RoleUser, Content: "Hi!"}) {
		t.Errorf("B conversation 1 starts %+v", got)
	}
	// ID: "spc-" + 8 hex of SHA-256 over the sorted normalised union.
	sum := sha256.Sum256([]byte("i have two sons\ni love pizza"))
	if want := "spc-" + hex.EncodeToString(sum[:4]); b.ID != want {
		t.Errorf("B id = %s, want %s", b.ID, want)
	}
}

func TestImportSPCIDsIndependentOfRowOrder(t *testing.T) {
	lines := strings.SplitN(spcSample, "\n", 2)
	// Reorder: the third record (starts with `"  I love`) first.
	body := lines[1]
	i := strings.Index(body, "\"  I love")
	reordered := lines[0] + "\n" + body[i:] + body[:i]
	u1, err1 := ImportSPC(strings.NewReader(spcSample))
	u2, err2 := ImportSPC(strings.NewReader(reordered))
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	ids := func(us []User) map[string]int {
		m := map[string]int{}
		for _, u := range us {
			m[u.ID] = len(u.Conversations)
		}
		return m
	}
	if !reflect.DeepEqual(ids(u1), ids(u2)) {
		t.Errorf("ids changed with row order: %v vs %v", ids(u1), ids(u2))
	}
}

func TestImportSPCErrorsNameLine(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"empty", "", "empty input"},
		{"missing column", "user 1 personas,user 2 personas,Conversation\n", `no column "Best Generated Conversation"`},
		{"bad quote", "user 1 personas,user 2 personas,Best Generated Conversation\n\"a\",\"b\",\"User 1: x\"\n\"a\",b\"c,\"d\"\n", "line 3"},
		{"field count", "user 1 personas,user 2 personas,Best Generated Conversation\n\"a\",\"b\",\"User 1: hi\"\n\"a\",\"b\"\n", "line 3"},
		{"no turns", "user 1 personas,user 2 personas,Best Generated Conversation\n\"a\",\"b\",\"User 1: hi\"\n\"x\",\"y\",\"just text\"\n", "line 3"},
		{"empty persona", "user 1 personas,user 2 personas,Best Generated Conversation\n\"\",\"b\",\"User 1: hi\"\n", "line 2: empty persona"},
		{"header only", "user 1 personas,user 2 personas,Best Generated Conversation\n", "no conversations"},
	}
	for _, c := range cases {
		_, err := ImportSPC(strings.NewReader(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to mention %q", c.name, err, c.want)
		}
	}
}

// dataFile is a data set copied into the repository's testdata/data (see
// testdata/README.md for provenance and licences). It must be there: a test
// that skipped on a missing file could never fail.
func dataFile(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join("..", "testdata", "data", name)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return path
}

func TestImportSPCRealValidationSplit(t *testing.T) {
	f, err := os.Open(dataFile(t, "spc_valid.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	users, err := ImportSPC(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(users) < 100 || len(users) > 200 {
		t.Fatalf("%d users, want 100..200", len(users))
	}
	total := 0
	for _, u := range users {
		n := len(u.Conversations)
		total += n
		if n < 15 || n > 25 {
			t.Errorf("%s has %d conversations, want 15..25", u.ID, n)
		}
		if len(u.Persona) < 4 || !strings.HasPrefix(u.ID, "spc-") || len(u.ID) != 12 {
			t.Errorf("%s: persona %q", u.ID, u.Persona)
		}
		for _, c := range u.Conversations {
			if len(EvalPairs(c)) == 0 {
				t.Errorf("%s: a conversation with no assistant reply to a user", u.ID)
			}
		}
	}
	// 1,000 rows, two sides each, every side in exactly one user.
	if total != 2000 {
		t.Errorf("%d conversations in total, want 2000", total)
	}
	t.Logf("SPC: %d users, %d conversations", len(users), total)

	// The whole import survives Save/Load unchanged (Load sorts by ID).
	dir := t.TempDir()
	if err := Save(dir, users); err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]User{}
	for _, u := range loaded {
		byID[u.ID] = u
	}
	for _, u := range users {
		if !reflect.DeepEqual(byID[u.ID], u) {
			t.Fatalf("%s changed in a Save/Load round trip", u.ID)
		}
	}
}

// spcMalformed is spcSample with a malformed record after each good one: a
// conversation without speaker labels (line 12), an empty one (line 23), a
// row short of a field (line 29) and an empty persona (line 30).
var spcMalformed = strings.NewReplacer(
	"[They laugh]\"\n", "[They laugh]\"\n\"I like tea.\",\"I like coffee.\",\"Hello there, how are you?\nFine thanks.\"\n",
	"User 1: Great.\"\n", "User 1: Great.\"\n\"I like tea.\",\"I like coffee.\",\"\"\n",
	"User 2: Yes!\"\n", "User 2: Yes!\"\n\"I like tea.\",\"I like coffee.\"\n\"\",\"I like coffee.\",\"User 1: hi\"\n",
).Replace(spcSample)

// TestImportSPCSkipping: malformed records are each reported with their
// line and reason and left out, and the rest imports exactly as the clean
// file does; ImportSPC (--strict) still fails on the first.
func TestImportSPCSkipping(t *testing.T) {
	var skipped []SkippedRecord
	got, err := ImportSPCSkipping(strings.NewReader(spcMalformed), func(s SkippedRecord) { skipped = append(skipped, s) })
	if err != nil {
		t.Fatal(err)
	}
	want := []SkippedRecord{
		{Line: 12, Reason: `conversation has no "User 1:" / "User 2:" turns`},
		{Line: 23, Reason: "empty conversation"},
		{Line: 29, Reason: "2 fields, the header has 3"},
		{Line: 30, Reason: "empty persona"},
	}
	if !reflect.DeepEqual(skipped, want) {
		t.Errorf("skipped %+v\nwant %+v", skipped, want)
	}
	clean, err := ImportSPC(strings.NewReader(spcSample))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, clean) {
		t.Errorf("users differ from the clean file's")
	}
	if _, err := ImportSPC(strings.NewReader(spcMalformed)); err == nil || !strings.Contains(err.Error(), "record on line 12") {
		t.Errorf("strict: %v, want the first malformed record (line 12)", err)
	}
}
