package nn

import (
	"fmt"

	"github.com/milp-lite/milp-lite/nn/sample"
)

// StopReason says why generation ended.
type StopReason int

const (
	StopEOG         StopReason = iota // the model produced an end-of-generation token
	StopLimit                         // the token limit was reached
	StopContextFull                   // the context has no room for another token
	StopCaller                        // the emit callback asked to stop
)

func (r StopReason) String() string {
	return [...]string{"end of generation", "token limit", "context full", "stopped"}[r]
}

// Generate feeds prompt (at least one token) and then samples up to maxTokens
// tokens, handing each piece of text to emit as soon as it forms whole UTF-8
// characters. emit returning false stops generation. It returns the generated
// tokens (without the end-of-generation token) and why it stopped.
func (s *State) Generate(prompt []int32, smp *sample.Sampler, maxTokens int, emit func(text string) bool) ([]int32, StopReason, error) {
	if len(prompt) == 0 {
		return nil, 0, fmt.Errorf("generate: empty prompt")
	}
	logits, err := s.Forward(prompt, false)
	if err != nil {
		return nil, 0, err
	}
	tok := s.m.Tokenizer
	dec := tok.NewStreamDecoder()
	start := len(s.tokens)
	reason := StopLimit
	for n := 0; n < maxTokens; n++ {
		id := smp.Sample(logits, s.tokens)
		if tok.IsEOG(id) {
			reason = StopEOG
			break
		}
		if s.Pos >= s.Ctx {
			reason = StopContextFull
			break
		}
		// Feed the token before emitting it, so that the generated text is always
		// in the cache, whatever the callback does next.
		s.one[0] = id
		if logits, err = s.Forward(s.one[:], false); err != nil {
			return s.tokens[start:], 0, err
		}
		if text := dec.Add(id); text != "" && emit != nil && !emit(text) {
			reason = StopCaller
			break
		}
	}
	if text := dec.Flush(); text != "" && emit != nil {
		emit(text)
	}
	return s.tokens[start:], reason, nil
}
