package chat

import "testing"

// TestTemplateSeesName: a message's name reaches the template as
// message.name (as OpenAI's `name` does), and a message without one has
// no name key at all.
func TestTemplateSeesName(t *testing.T) {
	tpl, err := Parse(`{% for m in messages %}{{ m.role }}{% if m.name is defined %}({{ m.name }}){% endif %}:{{ m.content }};{% endfor %}`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tpl.Render([]Message{{Role: "user", Content: "hi", Name: "ann"}, {Role: "assistant", Content: "yo"}}, false, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if got != "user(ann):hi;assistant:yo;" {
		t.Fatalf("rendered %q", got)
	}
}
