package chat

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/loaders"
	"github.com/nikolalohinski/gonja/v2/parser"
)

// templateName is the single in-memory file the template is loaded from.
// Includes of any other name fail, which keeps templates off the file system.
const templateName = "/chat_template"

// Template is a compiled chat template. Render may be called from several
// goroutines; calls are serialised because gonja does not document its
// templates as safe for concurrent execution (and the guards share one
// budget).
type Template struct {
	// Now is the clock strftime_now reads; nil means time.Now. Tests set it
	// so templates that print today's date (Llama 3.x) render reproducibly.
	Now func() time.Time
	// Limits bound each render; Parse sets DefaultLimits.
	Limits Limits

	mu     sync.Mutex
	tpl    *exec.Template
	guards *guards
}

// Parse compiles a Jinja chat template. A syntax error is reported with its
// line, column and the offending token; a source above DefaultLimits' size
// or nesting is a *LimitError.
func Parse(src string) (t *Template, err error) {
	defer func() {
		if r := recover(); r != nil {
			t, err = nil, fmt.Errorf("chat: parse template: engine panic: %v", r)
		}
	}()
	if err := checkSource(src, DefaultLimits); err != nil {
		return nil, err
	}
	loader, err := loaders.NewMemoryLoader(map[string]string{templateName: src})
	if err != nil {
		return nil, fmt.Errorf("chat: parse template: %w", err)
	}
	g := &guards{}
	tpl, err := exec.NewTemplate(templateName, newConfig(), loader, newEnvironment(g))
	if err != nil {
		var syn *parser.SyntaxError
		if errors.As(err, &syn) {
			// gonja's own message quotes the whole template source; the syntax
			// error alone is what names the problem.
			return nil, fmt.Errorf("chat: template syntax error: %s", shorten(syn.Error()))
		}
		return nil, fmt.Errorf("chat: parse template: %s", shorten(err.Error()))
	}
	// The published templates' trees are at most 16 levels deep.
	if g.ops, err = instrument(tpl.Root(), 4*DefaultLimits.Nesting); err != nil {
		return nil, err
	}
	return &Template{Limits: DefaultLimits, tpl: tpl, guards: g}, nil
}

// RaiseError is returned by Render when the template calls
// raise_exception(msg); Message is msg.
type RaiseError struct{ Message string }

func (e *RaiseError) Error() string { return "chat: template raised: " + e.Message }

// Render renders msgs into the model's prompt text. When addGenerationPrompt
// is true templates append the assistant header so the model answers next.
// bosToken and eosToken are the vocabulary's BOS and EOS strings.
func (t *Template) Render(msgs []Message, addGenerationPrompt bool, bosToken, eosToken string) (string, error) {
	input := 0
	for _, m := range msgs {
		input += len(m.Role) + len(m.Content)
	}
	return t.render(input, map[string]any{
		"messages":              toMessageList(msgs),
		"add_generation_prompt": addGenerationPrompt,
		"bos_token":             bosToken,
		"eos_token":             eosToken,
	})
}

// render executes the template with vars plus the functions every HF chat
// template may call. Tests use it to pass variables Render does not expose
// (tools, tool_calls) to exercise templates' tool branches.
// input is the size of the conversation's text, which scales the output
// size limit.
func (t *Template) render(input int, vars map[string]any) (out string, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := newBudget(t.Limits, input)
	t.guards.b = b
	defer func() {
		if r := recover(); r != nil {
			out, err = "", fmt.Errorf("chat: render template: engine panic: %v", r)
		}
		if b.err != nil {
			out, err = "", b.err
		}
	}()

	// raise_exception is bound per call so its message reaches this Render
	// however many layers of wrapping gonja adds to the error.
	var raised *RaiseError
	raise := func(_ *exec.Evaluator, args *exec.VarArgs) (*exec.Value, error) {
		msg := ""
		if len(args.Args) > 0 {
			msg = args.Args[0].String()
		}
		raised = &RaiseError{Message: msg}
		return nil, raised
	}
	now := t.Now
	if now == nil {
		now = time.Now
	}
	strftimeNow := func(_ *exec.Evaluator, args *exec.VarArgs) (*exec.Value, error) {
		if len(args.Args) != 1 || !args.Args[0].IsString() {
			return nil, errors.New("strftime_now expects one format string")
		}
		text := strftime(now(), args.Args[0].String())
		return exec.AsValue(text), b.build(len(text), "the result of strftime_now")
	}

	data := map[string]any{
		"raise_exception": raise,
		"strftime_now":    strftimeNow,
	}
	for _, set := range []map[string]any{t.guards.functions(), t.guards.globals(), vars} {
		for k, v := range set {
			data[k] = v
		}
	}
	ctx := exec.NewContext(data)
	var sb strings.Builder
	execErr := t.tpl.Execute(&countingWriter{w: &sb, b: b}, ctx)
	if raised != nil {
		return "", raised
	}
	if execErr != nil {
		return "", fmt.Errorf("chat: render template: %s", shorten(execErr.Error()))
	}
	return sb.String(), nil
}

// shorten keeps engine errors to one readable line: gonja sometimes embeds
// the whole template source in its messages.
func shorten(s string) string {
	s = strings.ReplaceAll(s, "\n", `\n`)
	const max = 400
	if len(s) > max {
		s = s[:max] + "..."
	}
	return s
}
