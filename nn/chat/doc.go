// Package chat turns a conversation into the prompt text a chat model was
// trained on.
//
// A GGUF model carries its prompt format as a Hugging Face Jinja template in
// the metadata key tokenizer.chat_template. Template renders those templates
// with a real Jinja engine (github.com/nikolalohinski/gonja/v2) rather than
// recognising well-known templates by string matching. Matching only works for
// templates someone has already catalogued, silently mis-formats any variant
// (a changed default system prompt, a trimmed role, a new special token), and
// cannot honour the template's own logic (raise_exception on bad role order,
// system-message folding, loop.first BOS handling). Executing the template
// gives exactly the bytes transformers' apply_chat_template gives, for
// templates nobody has seen yet as well.
//
// Rendering follows transformers: the template is compiled with
// trim_blocks=true and lstrip_blocks=true, and sees the variables messages,
// add_generation_prompt, bos_token and eos_token plus the functions
// raise_exception(msg) and strftime_now(fmt). tools and documents are left
// undefined, so "{% if tools %}" branches are skipped. The package adds what
// gonja lacks: raise_exception and strftime_now (template.go), a
// Python-compatible tojson, and Python negative indexing on messages.
//
// gonja v2.9.1 bugs worked around here: lstrip()/rstrip() without an
// argument failed and split()/rsplit() without a separator split on one space
// (strmethods.go); messages[-1] failed on a one-message list (messages.go);
// tojson was Go's compact, HTML-escaping encoder (tojson.go).
//
// Known gaps that remain (none affects the templates tested here): a string's
// negative index s[-len(s)] still fails in gonja; tojson of a Go map (as
// opposed to a Jinja dict literal or a message) sorts keys where Python keeps
// insertion order; {% include %}/{% import %} of other files fail, as a
// GGUF template has no other files; Render exposes no tools/documents
// (templates see them undefined), although the engine renders the Qwen2.5
// tools branch correctly when they are supplied (see tools_test.go).
//
// A template is code from the model file's author, so rendering is bounded
// (limits.go): wall-clock time, the size of the output and of any string it
// builds, the total text built, loop iterations, macro nesting, value
// nesting, and the source's size and nesting. gonja has no hooks for
// limits, so Parse rewrites the parsed syntax tree to call guards
// (instrument.go, guards.go) and wraps every filter, method and unbounded
// global function (guardedcalls.go, callsizes.go, globals.go). The guards
// stop the work itself, which a goroutine with a time-out could not, and
// refuse, before they are built, the strings and lists that would exhaust
// memory and the recursion that would overflow the Go stack (fatal, not a
// recoverable panic). Exceeding a limit is a *LimitError naming it. Load
// parses and trial-renders a model's template; callers use Plain when it
// fails, as for a model without a template.
// {% include %}, {% import %}, {% from %}, {% extends %}, {% block %},
// {% trans %}, recursive for loops and lipsum() are refused, and so is a
// source on which gonja's lexer would never end (lexertrap.go).
//
// Plain is the fallback for models without a template.
package chat
