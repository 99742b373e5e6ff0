package nn

import (
	"errors"
	"strings"
	"testing"

	"github.com/milp-lite/milp-lite/nn/chat"
	"github.com/milp-lite/milp-lite/nn/sample"
	"github.com/milp-lite/milp-lite/quant"
)

// withTemplate is a small synthetic model carrying template, as a GGUF's
// tokenizer.chat_template would give it.
func withTemplate(t *testing.T, template string) *Model {
	t.Helper()
	m := writeModel(t, Shape{Name: "chat", Arch: "qwen2", Dim: 64, Layers: 2, Heads: 4, KVHeads: 2, FFNDim: 96, Vocab: 300, Context: 256, Tied: true}, quant.F32, 5)
	m.ChatTemplate = template
	return m
}

// TestHostileTemplateSession: a template that exceeds a rendering limit, or
// does not parse, leaves the session without a template (TemplateErr says
// why) and the session chats in chat.Plain lines as for a model without one.
func TestHostileTemplateSession(t *testing.T) {
	cases := []struct{ name, template, limit string }{
		{"huge loop", `{% for i in range(1000000000) %}{% endfor %}`, "loop iterations"},
		{"huge string", `{{ 'a' * 100000000 }}`, "output size"},
		{"self-calling macro", `{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}`, "recursion depth"},
		{"syntax error", `{% for %}`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := withTemplate(t, c.template)
			sess, err := NewSession(m, 0, sample.Params{}, "", 4)
			if err != nil {
				t.Fatal(err)
			}
			if sess.Template != nil || sess.TemplateErr == nil {
				t.Fatalf("template kept (%v), error %v", sess.Template != nil, sess.TemplateErr)
			}
			var limit *chat.LimitError
			if c.limit != "" && (!errors.As(sess.TemplateErr, &limit) || limit.Limit != c.limit) {
				t.Fatalf("error %v, want the %q limit", sess.TemplateErr, c.limit)
			}
			sess.PlainChat = true
			if _, _, err := sess.Send("hi", nil); err != nil {
				t.Fatal(err)
			}
			// As in TestTemplateSession, spaces decode as "▁" here.
			seen := strings.ReplaceAll(m.Tokenizer.Decode(sess.State.Tokens()), "▁", " ")
			if want := chat.Plain([]chat.Message{{Role: "user", Content: "hi"}}, true); !strings.HasPrefix(strings.TrimPrefix(seen, " "), want) {
				t.Fatalf("the model saw %q, want it to start with %q", seen, want)
			}
		})
	}
}
