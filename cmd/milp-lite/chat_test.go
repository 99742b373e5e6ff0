package main

import (
	"strings"
	"testing"

	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/models"
)

// TestChatHostileTemplate: a model whose chat template exceeds a rendering
// limit still loads and chats as a model without a template does, after one
// warning line that names the limit.
func TestChatHostileTemplate(t *testing.T) {
	f, err := gguf.Parse(models.Stories260K)
	if err != nil {
		t.Fatal(err)
	}
	b := f.Builder()
	b.Set("tokenizer.chat_template", gguf.Str(`{% for i in range(1000000000) %}{{ i }}{% endfor %}`))
	hostile := writeGGUF(t, "hostile.gguf", b)

	plain := run(t, "", "chat", "-p", "Once upon a time", "--temp", "0", "-n", "20")
	r := run(t, "", "chat", "--model", hostile, "-p", "Once upon a time", "--temp", "0", "-n", "20")
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	if r.code != 0 || len(lines) != 1 || !strings.HasPrefix(lines[0], "warning: ") ||
		!strings.Contains(lines[0], "loop iterations limit") {
		t.Fatalf("exit %d, stderr %q; want exit 0 and one warning naming the loop iterations limit", r.code, r.stderr)
	}
	if plain.code != 0 || r.stdout != plain.stdout {
		t.Fatalf("with the hostile template: %q; without a template: %q", r.stdout, plain.stdout)
	}
}
