package train

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/milp-lite/milp-lite/nn/chat"
	"github.com/milp-lite/milp-lite/userdata"
)

// TestTokenizeMarksAssistantSpans: with the plain format, the tokens marked
// for loss decode to exactly the assistant replies with their line ends,
// and nothing of the user's lines.
func TestTokenizeMarksAssistantSpans(t *testing.T) {
	m := defaultModel(t)
	r, err := NewRenderer(m)
	if err != nil {
		t.Fatal(err)
	}
	c := userdata.Conversation{Messages: []chat.Message{
		{Role: "user", Content: "Where is the cat?"},
		{Role: "assistant", Content: "The cat is in the garden."},
		{Role: "user", Content: "And the dog?"},
		{Role: "assistant", Content: "Asleep."},
	}}
	ex, err := r.Tokenize(c)
	if err != nil {
		t.Fatal(err)
	}
	var learned, rest []int32
	for i, tok := range ex.Tokens {
		if ex.Loss[i] {
			learned = append(learned, tok)
		} else {
			rest = append(rest, tok)
		}
	}
	got := m.Tokenizer.Decode(learned)
	// Decode drops the space SentencePiece puts before the first piece.
	if strings.TrimPrefix(got, " ") != "The cat is in the garden.\n Asleep.\n" {
		t.Fatalf("learned text %q", got)
	}
	if r := m.Tokenizer.Decode(rest); !strings.Contains(r, "User: Where is the cat?") || strings.Contains(r, "garden") {
		t.Fatalf("unlearned text %q", r)
	}
}

// TestRendererLeavesOutHostileTemplate: a chat template that exceeds a
// rendering limit is left out (TemplateErr names the limit) and
// conversations are tokenised as for a model without one, the format a chat
// with that model falls back to.
func TestRendererLeavesOutHostileTemplate(t *testing.T) {
	plain, err := NewRenderer(defaultModel(t))
	if err != nil {
		t.Fatal(err)
	}
	m := defaultModel(t)
	m.ChatTemplate = `{% for i in range(1000000000) %}{% endfor %}`
	r, err := NewRenderer(m)
	var limit *chat.LimitError
	if err != nil || !errors.As(r.TemplateErr, &limit) || limit.Limit != "loop iterations" {
		t.Fatalf("NewRenderer: %v, template error %v; want the loop iterations limit", err, r.TemplateErr)
	}
	c := userdata.Conversation{Messages: []chat.Message{
		{Role: "user", Content: "Where is the cat?"},
		{Role: "assistant", Content: "In the garden."},
	}}
	want, err := plain.Tokenize(c)
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.Tokenize(c)
	if err != nil || !slices.Equal(got.Tokens, want.Tokens) || !slices.Equal(got.Loss, want.Loss) {
		t.Fatalf("tokens %v (%v), want %v as without a template", got.Tokens, err, want.Tokens)
	}
}

func TestPackCutsAndPacks(t *testing.T) {
	mk := func(n int, from int32) Example {
		ex := Example{Tokens: make([]int32, n), Loss: make([]bool, n)}
		for i := range ex.Tokens {
			ex.Tokens[i] = from + int32(i)
			ex.Loss[i] = true
		}
		return ex
	}
	seqs := Pack([]Example{mk(3, 0), mk(4, 100), mk(20, 200)}, 8)
	// 3+4 tokens share a sequence; 20 tokens become windows of ≤ 9 tokens
	// overlapping by one: predictions 19 = 8 + 8 + 3.
	if len(seqs) != 4 || len(seqs[0].Tokens) != 7 {
		t.Fatalf("%d sequences, first of %d tokens", len(seqs), len(seqs[0].Tokens))
	}
	total := 0
	for _, s := range seqs[1:] {
		if len(s.Tokens) > 9 {
			t.Fatalf("a sequence of %d tokens for ctx 8", len(s.Tokens))
		}
		total += s.Targets()
	}
	if total != 19 || seqs[2].Tokens[0] != 208 {
		t.Fatalf("windows predict %d tokens (want 19), second starts at %d (want 208)", total, seqs[2].Tokens[0])
	}
}

// TestTokenizeLeavesOutWeightZero: an assistant message weighted 0 (OpenAI's
// fine-tuning weight) is rendered as context but none of its tokens count in
// the loss; the same conversation unweighted learns both replies.
func TestTokenizeLeavesOutWeightZero(t *testing.T) {
	m := defaultModel(t)
	r, err := NewRenderer(m)
	if err != nil {
		t.Fatal(err)
	}
	zero := 0
	c := userdata.Conversation{Messages: []chat.Message{
		{Role: "user", Content: "Where is the cat?"},
		{Role: "assistant", Content: "The cat is in the garden.", Weight: &zero},
		{Role: "user", Content: "And the dog?"},
		{Role: "assistant", Content: "Asleep."},
	}}
	ex, err := r.Tokenize(c)
	if err != nil {
		t.Fatal(err)
	}
	var learned []int32
	for i, tok := range ex.Tokens {
		if ex.Loss[i] {
			learned = append(learned, tok)
		}
	}
	if got := strings.TrimPrefix(m.Tokenizer.Decode(learned), " "); got != "Asleep.\n" {
		t.Fatalf("learned text %q, want only the weighted reply", got)
	}
	if all := m.Tokenizer.Decode(ex.Tokens); !strings.Contains(all, "garden") {
		t.Fatalf("the weight-0 reply is missing from the context: %q", all)
	}
}
