package chat

import (
	"testing"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// dict builds an ordered Jinja dict, as Python dict literals are ordered.
func dict(kv ...any) exec.Dict {
	d := exec.Dict{}
	for i := 0; i < len(kv); i += 2 {
		d.Pairs = append(d.Pairs, &exec.Pair{Key: exec.AsValue(kv[i]), Value: exec.AsValue(kv[i+1])})
	}
	return d
}

// TestQwenToolsBranch drives the tools branch of the Qwen2.5 template
// (tools list, an assistant tool call, a tool response), which Render's
// role/content messages cannot reach, through the internal render.
func TestQwenToolsBranch(t *testing.T) {
	tpl := loadTemplate(t, "qwen2.5-instruct.jinja")
	tools := []any{dict(
		"type", "function",
		"function", dict(
			"name", "get_weather",
			"description", "Get the weather",
			"parameters", dict(
				"type", "object",
				"properties", dict("location", dict("type", "string")),
				"required", []any{"location"},
			),
		),
	)}
	msgs := messageList{
		dict("role", "system", "content", "You are a helpful assistant"),
		dict("role", "user", "content", "Weather in Paris?"),
		dict("role", "assistant", "content", "", "tool_calls", []any{
			dict("type", "function", "function", dict("name", "get_weather", "arguments", dict("location", "Paris"))),
		}),
		dict("role", "tool", "content", `{"temp": 20}`),
	}
	got, err := tpl.render(0, map[string]any{
		"messages": msgs, "tools": tools, "add_generation_prompt": true,
		"bos_token": "", "eos_token": "<|im_end|>",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "<|im_start|>system\nYou are a helpful assistant\n\n# Tools\n\n" +
		"You may call one or more functions to assist with the user query.\n\n" +
		"You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n" +
		`{"type": "function", "function": {"name": "get_weather", "description": "Get the weather", ` +
		`"parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]}}}` +
		"\n</tools>\n\nFor each function call, return a json object with function name and arguments within " +
		"<tool_call></tool_call> XML tags:\n<tool_call>\n" + `{"name": <function-name>, "arguments": <args-json-object>}` +
		"\n</tool_call><|im_end|>\n" +
		"<|im_start|>user\nWeather in Paris?<|im_end|>\n" +
		"<|im_start|>assistant\n<tool_call>\n" + `{"name": "get_weather", "arguments": {"location": "Paris"}}` +
		"\n</tool_call><|im_end|>\n" +
		"<|im_start|>user\n<tool_response>\n" + `{"temp": 20}` + "\n</tool_response><|im_end|>\n" +
		"<|im_start|>assistant\n"
	if got != want {
		t.Errorf("render mismatch\n got: %q\nwant: %q", got, want)
	}
}

func TestStringMethodsPythonSemantics(t *testing.T) {
	cases := []struct{ src, want string }{
		{"{{ 'a  b\tc '.split() | join('|') }}", "a|b|c"},
		{"{{ ' a b c '.split(none, 1) | join('|') }}", "a|b c "},
		{"{{ 'a,b,c'.split(',') | join('|') }}", "a|b|c"},
		{"{{ 'a,b,c'.split(',', 1) | join('|') }}", "a|b,c"},
		{"{{ 'a,b,c'.rsplit(',', 1) | join('|') }}", "a,b|c"},
		{"{{ ' a b c '.rsplit(none, 1) | join('|') }}", " a b|c"},
		{"{{ 'x</think>\n\nans'.split('</think>')[-1].lstrip('\n') }}", "ans"},
		{"[{{ 'xxhixx'.strip('x') }}][{{ '\n hi \t'.strip() }}][{{ 'ab'.rstrip('b') }}]", "[hi][hi][a]"},
	}
	for _, c := range cases {
		tpl, err := Parse(c.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.src, err)
			continue
		}
		got, err := tpl.Render(nil, false, "", "")
		if err != nil {
			t.Errorf("Render(%q): %v", c.src, err)
			continue
		}
		if got != c.want {
			t.Errorf("Render(%q) = %q, want %q", c.src, got, c.want)
		}
	}
}
