package memory

import (
	"strings"
	"testing"
	"time"
)

var clinic = []Turn{
	NewTurn(at(0), "assistant", "Hello, how can I help you today?"),
	NewTurn(at(1), "user", "What should I eat with my stomach ulcer?"),
	NewTurn(at(2), "assistant", "Avoid spicy and acidic foods, and alcohol."),
	NewTurn(at(3), "user", "My knee hurts when I go running."),
	NewTurn(at(4), "assistant", "Rest the knee and put ice on it."),
	NewTurn(at(5), "user", "Can you recommend a good book?"),
	NewTurn(at(6), "assistant", "Try a novel you enjoy."),
}

func TestSplitExchanges(t *testing.T) {
	ex := splitExchanges(clinic)
	if len(ex) != 4 || len(ex[0]) != 1 || len(ex[1]) != 2 || ex[2][0].Content != clinic[3].Content {
		t.Fatalf("exchanges = %+v", ex)
	}
	if splitExchanges(nil) != nil {
		t.Error("no turns should give no exchanges")
	}
}

func TestRetrieveRanksRightExchangeFirst(t *testing.T) {
	// "knee" occurs only in the running exchange; "ice" only in its reply.
	got := RetrieveFrom(clinic, "ice for my sore knee?", 2)
	if len(got) != 2 || got[0] != clinic[3] || got[1] != clinic[4] {
		t.Fatalf("got %+v, want the knee exchange only", got)
	}
	// "spicy food" → the ulcer exchange, turns in order.
	got = RetrieveFrom(clinic, "is spicy food ok", 1)
	if len(got) != 2 || got[0] != clinic[1] || got[1] != clinic[2] {
		t.Fatalf("got %+v, want the ulcer exchange", got)
	}
	// Two matching exchanges, best first: "knee" twice in one, "book" once.
	got = RetrieveFrom(clinic, "knee book", 3)
	if len(got) != 4 || got[0] != clinic[3] || got[2] != clinic[5] {
		t.Fatalf("got %+v, want knee exchange then book exchange", got)
	}
	// Only stop words → nothing.
	if got := RetrieveFrom(clinic, "what can you do for me", 3); len(got) != 0 {
		t.Errorf("stop-word query retrieved %+v", got)
	}
}

func TestStoreRetrieve(t *testing.T) {
	s, _ := Open(t.TempDir(), "u1")
	if err := s.Append(clinic...); err != nil {
		t.Fatal(err)
	}
	got, err := s.Retrieve("knee", 1)
	if err != nil || len(got) != 2 || got[0].Content != clinic[3].Content {
		t.Fatalf("Retrieve = %+v, %v", got, err)
	}
}

func TestFormatContext(t *testing.T) {
	if FormatContext(nil) != "" {
		t.Error("no turns should format to the empty string")
	}
	got := FormatContext([]Turn{
		NewTurn(time.Time{}, "user", "My knee\nhurts."),
		NewTurn(time.Time{}, "assistant", "  Rest it. "),
		NewTurn(time.Time{}, "system", "note"),
	})
	want := "Relevant earlier conversation:\nUser: My knee hurts.\nAssistant: Rest it.\nSystem: note\n"
	if got != want {
		t.Errorf("FormatContext =\n%q\nwant\n%q", got, want)
	}
	if strings.Count(got, "\n") != 4 {
		t.Error("a message newline leaked into the prompt")
	}
}
