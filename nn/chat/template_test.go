package chat

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// conversation is the system+user+assistant+user exchange every published
// template below is checked against. The assistant turn carries surrounding
// spaces so the expectations also pin down which templates trim content.
var conversation = []Message{
	{Role: "system", Content: "You are a helpful assistant"},
	{Role: "user", Content: "Hello"},
	{Role: "assistant", Content: "   Hi there   "},
	{Role: "user", Content: "Who are you"},
}

func loadTemplate(t *testing.T, name string) *Template {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := Parse(string(src))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return tpl
}

// TestPublishedTemplates renders the real chat templates of popular model
// families. Each expected string was written by hand from the model's
// documented prompt format (and cross-checked against the expectations in
// llama.cpp's tests/test-chat-template.cpp where that file covers the model).
func TestPublishedTemplates(t *testing.T) {
	cases := []struct {
		name, file, bos, eos string
		msgs                 []Message
		agp                  bool
		want                 string
	}{
		{
			name: "ChatML", file: "chatml.jinja", msgs: conversation, agp: true,
			want: "<|im_start|>system\nYou are a helpful assistant<|im_end|>\n" +
				"<|im_start|>user\nHello<|im_end|>\n" +
				"<|im_start|>assistant\n   Hi there   <|im_end|>\n" +
				"<|im_start|>user\nWho are you<|im_end|>\n" +
				"<|im_start|>assistant\n",
		},
		{
			name: "ChatML without generation prompt", file: "chatml.jinja", msgs: conversation[:2], agp: false,
			want: "<|im_start|>system\nYou are a helpful assistant<|im_end|>\n" +
				"<|im_start|>user\nHello<|im_end|>\n",
		},
		{
			name: "Qwen2.5-Instruct", file: "qwen2.5-instruct.jinja", eos: "<|im_end|>", msgs: conversation, agp: true,
			want: "<|im_start|>system\nYou are a helpful assistant<|im_end|>\n" +
				"<|im_start|>user\nHello<|im_end|>\n" +
				"<|im_start|>assistant\n   Hi there   <|im_end|>\n" +
				"<|im_start|>user\nWho are you<|im_end|>\n" +
				"<|im_start|>assistant\n",
		},
		{
			name: "Qwen2.5-Instruct default system prompt", file: "qwen2.5-instruct.jinja", eos: "<|im_end|>",
			msgs: conversation[1:2], agp: true,
			want: "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n" +
				"<|im_start|>user\nHello<|im_end|>\n" +
				"<|im_start|>assistant\n",
		},
		{
			name: "Llama-3-Instruct", file: "llama-3-instruct.jinja", bos: "<|begin_of_text|>", eos: "<|eot_id|>",
			msgs: conversation, agp: true,
			want: "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant<|eot_id|>" +
				"<|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|>" +
				"<|start_header_id|>assistant<|end_header_id|>\n\nHi there<|eot_id|>" +
				"<|start_header_id|>user<|end_header_id|>\n\nWho are you<|eot_id|>" +
				"<|start_header_id|>assistant<|end_header_id|>\n\n",
		},
		{
			name: "Llama-3.2-Instruct", file: "llama-3.2-instruct.jinja", bos: "<|begin_of_text|>", eos: "<|eot_id|>",
			msgs: conversation, agp: true,
			want: "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n" +
				"Cutting Knowledge Date: December 2023\nToday Date: 05 Mar 2025\n\n" +
				"You are a helpful assistant<|eot_id|>" +
				"<|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|>" +
				"<|start_header_id|>assistant<|end_header_id|>\n\nHi there<|eot_id|>" +
				"<|start_header_id|>user<|end_header_id|>\n\nWho are you<|eot_id|>" +
				"<|start_header_id|>assistant<|end_header_id|>\n\n",
		},
		{
			name: "Llama-2-chat", file: "llama-2-chat.jinja", bos: "<s>", eos: "</s>", msgs: conversation, agp: true,
			want: "<s>[INST] <<SYS>>\nYou are a helpful assistant\n<</SYS>>\n\nHello [/INST] Hi there </s>" +
				"<s>[INST] Who are you [/INST]",
		},
		{
			name: "Zephyr / TinyLlama-Chat", file: "zephyr.jinja", bos: "<s>", eos: "</s>", msgs: conversation, agp: true,
			want: "<|system|>\nYou are a helpful assistant</s>\n" +
				"<|user|>\nHello</s>\n" +
				"<|assistant|>\n   Hi there   </s>\n" +
				"<|user|>\nWho are you</s>\n" +
				"<|assistant|>\n",
		},
		{
			name: "SmolLM2-Instruct", file: "smollm2-instruct.jinja", bos: "<|im_start|>", eos: "<|im_end|>",
			msgs: conversation, agp: true,
			want: "<|im_start|>system\nYou are a helpful assistant<|im_end|>\n" +
				"<|im_start|>user\nHello<|im_end|>\n" +
				"<|im_start|>assistant\n   Hi there   <|im_end|>\n" +
				"<|im_start|>user\nWho are you<|im_end|>\n" +
				"<|im_start|>assistant\n",
		},
		{
			name: "SmolLM2-Instruct default system prompt", file: "smollm2-instruct.jinja", bos: "<|im_start|>",
			eos: "<|im_end|>", msgs: conversation[1:2], agp: true,
			want: "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n" +
				"<|im_start|>user\nHello<|im_end|>\n" +
				"<|im_start|>assistant\n",
		},
		{
			name: "Mistral-Instruct", file: "mistral-instruct.jinja", bos: "<s>", eos: "</s>", msgs: conversation, agp: true,
			want: "<s> [INST] You are a helpful assistant\n\nHello [/INST]    Hi there   </s> [INST] Who are you [/INST]",
		},
		{
			name: "Phi-3.5-mini-instruct", file: "phi-3.5-mini-instruct.jinja", bos: "<s>", eos: "<|endoftext|>",
			msgs: conversation, agp: true,
			want: "<|system|>\nYou are a helpful assistant<|end|>\n" +
				"<|user|>\nHello<|end|>\n" +
				"<|assistant|>\n   Hi there   <|end|>\n" +
				"<|user|>\nWho are you<|end|>\n" +
				"<|assistant|>\n",
		},
		{
			name: "Phi-3.5-mini-instruct without generation prompt", file: "phi-3.5-mini-instruct.jinja", bos: "<s>",
			eos: "<|endoftext|>", msgs: conversation[1:3], agp: false,
			want: "<|user|>\nHello<|end|>\n<|assistant|>\n   Hi there   <|end|>\n<|endoftext|>",
		},
		{
			name: "Gemma-2-it", file: "gemma-2-it.jinja", bos: "<bos>", eos: "<eos>", msgs: conversation[1:], agp: true,
			want: "<bos><start_of_turn>user\nHello<end_of_turn>\n" +
				"<start_of_turn>model\nHi there<end_of_turn>\n" +
				"<start_of_turn>user\nWho are you<end_of_turn>\n" +
				"<start_of_turn>model\n",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tpl := loadTemplate(t, c.file)
			tpl.Now = func() time.Time { return time.Date(2025, 3, 5, 14, 0, 0, 0, time.UTC) }
			got, err := tpl.Render(c.msgs, c.agp, c.bos, c.eos)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("render mismatch\n got: %q\nwant: %q", got, c.want)
			}
		})
	}
}

// TestTemplateRaises checks that raise_exception in published templates
// surfaces its exact message as a *RaiseError.
func TestTemplateRaises(t *testing.T) {
	cases := []struct {
		file string
		msgs []Message
		want string
	}{
		// Gemma 2 has no system role: the canonical conversation is refused.
		{"gemma-2-it.jinja", conversation, "System role not supported"},
		{"gemma-2-it.jinja", []Message{{Role: "assistant", Content: "Hi"}}, "Conversation roles must alternate user/assistant/user/assistant/..."},
		{"llama-2-chat.jinja", []Message{{Role: "user", Content: "a"}, {Role: "user", Content: "b"}}, "Conversation roles must alternate user/assistant/user/assistant/..."},
		{"mistral-instruct.jinja", []Message{{Role: "user", Content: "a"}, {Role: "assistant", Content: "b"}, {Role: "tool", Content: "c"}},
			"After the optional system message, conversation roles must alternate user/assistant/user/assistant/..."},
	}
	for _, c := range cases {
		tpl := loadTemplate(t, c.file)
		_, err := tpl.Render(c.msgs, true, "<s>", "</s>")
		var re *RaiseError
		if !errors.As(err, &re) {
			t.Fatalf("%s: want RaiseError, got %v", c.file, err)
		}
		if re.Message != c.want {
			t.Errorf("%s: raised %q, want %q", c.file, re.Message, c.want)
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error text %q lacks the message", c.file, err.Error())
		}
	}
}

func TestRaiseExceptionInline(t *testing.T) {
	tpl, err := Parse(`ok{% if messages|length > 1 %}{{ raise_exception('too many: ' ~ messages|length) }}{% endif %}`)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := tpl.Render(conversation[:1], false, "", ""); err != nil || got != "ok" {
		t.Fatalf("one message: got %q, %v", got, err)
	}
	_, err = tpl.Render(conversation, false, "", "")
	var re *RaiseError
	if !errors.As(err, &re) || re.Message != "too many: 4" {
		t.Fatalf("got %v", err)
	}
}

func TestSyntaxErrors(t *testing.T) {
	for _, src := range []string{
		"{% for message in messages %}{{ message.content }}", // unclosed for
		"{% if add_generation_prompt %}x{% endfor %}",        // mismatched end
		"{{ message['role' }}",                               // unbalanced bracket
		"{% bogus_tag %}",                                    // unknown tag
	} {
		tpl, err := Parse(src)
		if err == nil {
			t.Errorf("Parse(%q) succeeded (%v), want error", src, tpl)
			continue
		}
		if !strings.HasPrefix(err.Error(), "chat: ") {
			t.Errorf("Parse(%q) error %q lacks package prefix", src, err)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("Parse(%q) error is not one line: %q", src, err)
		}
	}
}

// TestJinjaFeatures pins the Jinja semantics chat templates rely on, each
// with its Python/Jinja2 result written out by hand.
func TestJinjaFeatures(t *testing.T) {
	cases := []struct{ src, want string }{
		{"{{ messages[0]['role'] }}|{{ messages[0].role }}", "system|system"},
		{"{% for m in messages[1:] %}{{ m.role[0] }}{% endfor %}", "uau"},
		{"{{ messages[-1].content }}", "Who are you"},
		{"{% for m in messages %}{% if loop.first %}F{% endif %}{{ loop.index0 }}{% if loop.last %}L{% endif %}{% endfor %}", "F0123L"},
		{"[{{ messages[2].content.strip() }}][{{ messages[2].content.lstrip() }}][{{ messages[2].content.rstrip() }}]", "[Hi there][Hi there   ][   Hi there]"},
		{"[{{ messages[2].content | trim }}]", "[Hi there]"},
		{"{{ messages[1].content.startswith('He') }} {{ messages[1].content.endswith('x') }}", "True False"},
		{"{{ 'a b c'.split(' ') | length }} {{ 'hi there'.title() }} {{ 'Hi'.upper() }}{{ 'Hi'.lower() }}", "3 Hi There HIhi"},
		{"{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + m.content|length %}{% endfor %}{{ ns.n }}", "57"},
		{"{% if tools %}T{% else %}no tools{% endif %}{% if documents is defined %}D{% endif %}{% if tools is none %}{% endif %}", "no tools"},
		{"{{ messages[0] | tojson }}", `{"role": "system", "content": "You are a helpful assistant"}`},
		{`{{ {"a": [1, 2.5, true, none], "b": "<é\"\n>"} | tojson }}`, `{"a": [1, 2.5, true, null], "b": "<é\"\n>"}`},
		{`{{ {"a": [1]} | tojson(indent=2) }}`, "{\n  \"a\": [\n    1\n  ]\n}"},
		{"{{ bos_token }}|{{ eos_token }}|{{ add_generation_prompt }}", "<s>|</s>|True"},
		{"{{ strftime_now('%Y-%m-%d %H:%M %a %B %j %%') }}", "2025-03-05 14:00 Wed March 064 %"},
		// trim_blocks + lstrip_blocks, as transformers compiles templates.
		{"{% for m in messages[:2] %}\n    {% if true %}\n{{ m.role }}\n    {% endif %}\n{% endfor %}", "system\nuser\n"},
	}
	for _, c := range cases {
		tpl, err := Parse(c.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.src, err)
			continue
		}
		tpl.Now = func() time.Time { return time.Date(2025, 3, 5, 14, 0, 0, 0, time.UTC) }
		got, err := tpl.Render(conversation, true, "<s>", "</s>")
		if err != nil {
			t.Errorf("Render(%q): %v", c.src, err)
			continue
		}
		if got != c.want {
			t.Errorf("Render(%q)\n got: %q\nwant: %q", c.src, got, c.want)
		}
	}
}

func TestNegativeIndexSingleMessage(t *testing.T) {
	// gonja v2.9.1 alone rejects messages[-1] on a one-element list.
	tpl, err := Parse("{{ messages[-1].role }}")
	if err != nil {
		t.Fatal(err)
	}
	got, err := tpl.Render(conversation[:1], false, "", "")
	if err != nil || got != "system" {
		t.Fatalf("got %q, %v", got, err)
	}
}
