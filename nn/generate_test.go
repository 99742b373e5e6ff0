package nn

import (
	"os"
	"strings"
	"testing"

	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/models"
	"github.com/milp-lite/milp-lite/nn/sample"
	"github.com/milp-lite/milp-lite/quant"
)

func loadDefault(t testing.TB) *Model {
	t.Helper()
	f, err := gguf.Parse(models.Stories260K)
	if err != nil {
		t.Fatal(err)
	}
	m, err := FromGGUF(f)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestGreedyMatchesLlamaCpp is the end-to-end proof: 200 greedy tokens of
// "Once upon a time" on the embedded model equal llama.cpp's, text for text.
func TestGreedyMatchesLlamaCpp(t *testing.T) {
	golden, err := os.ReadFile("../testdata/golden/stories260K_greedy_llamacpp.txt")
	if err != nil {
		t.Fatal(err)
	}
	m := loadDefault(t)
	sess, err := NewSession(m, 0, sample.Params{Temperature: 0}, "", 200)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	out.WriteString("Once upon a time")
	generated := 0
	_, reason, err := sess.Send("Once upon a time", func(s string) bool { out.WriteString(s); return true })
	if err != nil {
		t.Fatal(err)
	}
	generated = len(sess.State.Tokens()) - len(m.Tokenizer.Encode("Once upon a time", true, true))
	if reason != StopLimit || generated != 200 {
		t.Fatalf("stopped after %d tokens (%v), want the 200-token limit", generated, reason)
	}
	// llama.cpp prints the BOS-prefixed prompt with SentencePiece's leading space.
	want := strings.TrimPrefix(string(golden), " ")
	if strings.TrimSpace(out.String()) != strings.TrimSpace(want) {
		t.Fatalf("greedy output differs from llama.cpp's\n got: %q\nwant: %q", out.String(), want)
	}
}

// TestGenerationStepDoesNotAllocate: a generated token costs a forward pass
// and a sample, and neither may allocate, with either KV cache.
func TestGenerationStepDoesNotAllocate(t *testing.T) {
	for i, typ := range []quant.Type{quant.F32, quant.Q8_0, quant.Q4_K, quant.Q8_0} {
		m := writeModel(t, Shape{Name: "a", Arch: "qwen2", Dim: 256, Layers: 2, Heads: 4, KVHeads: 2, FFNDim: 512, Vocab: 512, Context: 512, Tied: true}, typ, 1)
		st, err := m.NewStateWith(0, StateOptions{KV: []KVType{KVF32, KVF32, KVF32, KVF16}[i]})
		if err != nil {
			t.Fatal(err)
		}
		smp := sample.New(sample.Params{Temperature: 0.8, TopK: 40, TopP: 0.95, MinP: 0.05, Seed: 1}, m.Config.VocabSize)
		logits, err := st.Forward([]int32{1, 2, 3}, false)
		if err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(100, func() {
			st.one[0] = smp.Sample(logits, st.Tokens())
			logits, err = st.Forward(st.one[:], false)
		})
		if err != nil {
			t.Fatal(err)
		}
		if allocs != 0 {
			t.Fatalf("%s, %s cache: a generation step allocates %.1f times", typ, st.KV(), allocs)
		}
	}
}

func TestContextLimits(t *testing.T) {
	m := loadDefault(t)
	if _, err := m.NewState(m.Config.ContextLen + 1); err == nil || !strings.Contains(err.Error(), "longer than the model's 512") {
		t.Fatalf("a context beyond the model's was not refused: %v", err)
	}
	st, err := m.NewState(8)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Forward(make([]int32, 9), false); err == nil || !strings.Contains(err.Error(), "context full") {
		t.Fatalf("9 tokens in a context of 8: %v", err)
	}
	if _, err := st.Forward([]int32{1, 512}, false); err == nil || !strings.Contains(err.Error(), "outside the vocabulary") {
		t.Fatalf("token 512 of a 512-token vocabulary: %v", err)
	}
	// Generation stops cleanly when the context fills.
	st.Reset()
	toks, reason, err := st.Generate([]int32{1, 403}, sample.New(sample.Params{}, 512), 100, nil)
	if err != nil || reason != StopContextFull || len(st.Tokens()) != 8 {
		t.Fatalf("generate into a full context: %d tokens, %v, %v", len(toks), reason, err)
	}
}

// TestRewindReusesPrefix: recomputing after a rewind gives the logits of a
// fresh run, so a chat session may reuse its cached prefix.
func TestRewindReusesPrefix(t *testing.T) {
	m := loadDefault(t)
	a, _ := m.NewState(0)
	b, _ := m.NewState(0)
	prompt := m.Tokenizer.Encode("Once upon a time, there was a cat.", true, false)
	if _, err := a.Forward(append(prompt, 5, 6, 7), false); err != nil {
		t.Fatal(err)
	}
	a.Rewind(len(prompt) - 2)
	got, _ := a.Forward(prompt[len(prompt)-2:], false)
	want, _ := b.Forward(prompt, false)
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("logit %d after rewind: %g, fresh: %g", i, got[i], want[i])
		}
	}
}

// TestPlainChatSession: without a template, PlainChat renders chat.Plain
// lines, ends each reply at its line's end, and gives Memory to the model as
// a system line that does not join the conversation.
func TestPlainChatSession(t *testing.T) {
	m := loadDefault(t)
	sess, err := NewSession(m, 0, sample.Params{}, "", 64)
	if err != nil {
		t.Fatal(err)
	}
	sess.PlainChat = true
	sess.Memory = "Lily has a red ball."
	reply, _, err := sess.Send("Who has a ball?", nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(reply, "\n") || len(sess.Messages) != 2 || sess.Messages[1].Content != reply {
		t.Fatalf("reply %q, messages %+v", reply, sess.Messages)
	}
	seen := strings.TrimPrefix(m.Tokenizer.Decode(sess.State.Tokens()), " ") // SentencePiece's prefix space
	if !strings.HasPrefix(seen, "System: Lily has a red ball.\nUser: Who has a ball?\nAssistant:") {
		t.Fatalf("the model saw %q", seen)
	}
}

// TestTemplateSession: a model with a chat template gets its conversation
// rendered by it, turn after turn, reusing the cached prefix.
func TestTemplateSession(t *testing.T) {
	b, err := Synthesize(Shape{Name: "chat", Arch: "qwen2", Dim: 64, Layers: 2, Heads: 4, KVHeads: 2, FFNDim: 96, Vocab: 300, Context: 256, Tied: true}, quant.F32, 5)
	if err != nil {
		t.Fatal(err)
	}
	const chatML = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
	b.Set("tokenizer.chat_template", gguf.Str(chatML))
	path := t.TempDir() + "/chat.gguf"
	if err := b.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	m, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	sess, err := NewSession(m, 0, sample.Params{}, "Be brief.", 4)
	if err != nil || sess.Template == nil {
		t.Fatalf("session: %v (template %v)", err, sess != nil && sess.Template != nil)
	}
	for _, msg := range []string{"hi", "again"} {
		if _, _, err := sess.Send(msg, nil); err != nil {
			t.Fatal(err)
		}
	}
	// The synthetic vocabulary has no "▁" piece, so spaces travel as its byte
	// tokens and decode as the raw character, as they would in llama.cpp.
	seen := strings.ReplaceAll(m.Tokenizer.Decode(sess.State.Tokens()), "▁", " ")
	want := "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"
	if !strings.Contains(seen, want) || !strings.Contains(seen, "<|im_start|>user\nagain<|im_end|>\n<|im_start|>assistant\n") {
		t.Fatalf("the model saw %q", seen)
	}
	if len(sess.Messages) != 5 || sess.Messages[4].Role != "assistant" {
		t.Fatalf("messages %+v", sess.Messages)
	}
}
