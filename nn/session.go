package nn

import (
	"fmt"
	"strings"

	"github.com/milp-lite/milp-lite/nn/chat"
	"github.com/milp-lite/milp-lite/nn/sample"
)

// Session is a conversation with a model. With a chat template, each turn
// renders the whole conversation and reuses the cached tokens it shares with
// the previous turn. Without one, the session is either a document that the
// user's text and the model's continuation both extend, or, with PlainChat,
// a conversation in chat.Plain's "User: …/Assistant: …" lines (the format
// training uses for such models), each reply ending at its line's end.
type Session struct {
	State     *State
	Sampler   *sample.Sampler
	Template  *chat.Template // nil: plain text
	PlainChat bool           // without a template: chat.Plain lines, not a document
	// TemplateErr says why the model's chat template is not used (a syntax
	// error, or a limit it exceeded on trial conversations); the session
	// then runs as for a model without a template.
	TemplateErr error
	System      string // system prompt, used with a template or PlainChat
	// Memory is text the model should know for the next replies (retrieved
	// earlier turns, say): given as a system message before the conversation,
	// without becoming part of it.
	Memory string
	// TrimToFit drops the oldest messages of a conversation that would leave
	// no room for the reply, instead of refusing it.
	TrimToFit bool
	MaxTokens int // per reply
	Messages  []chat.Message
	document  strings.Builder // document mode: everything so far
}

// NewSession starts a conversation on m with a context of ctx tokens (0: the
// model's). The model's chat template is used when it has one that works
// (see ChatTemplate and Session.TemplateErr).
func NewSession(m *Model, ctx int, params sample.Params, system string, maxTokens int) (*Session, error) {
	return NewSessionWith(m, ctx, StateOptions{}, params, system, maxTokens)
}

// NewSessionWith is NewSession with the State's options.
func NewSessionWith(m *Model, ctx int, o StateOptions, params sample.Params, system string, maxTokens int) (*Session, error) {
	st, err := m.NewStateWith(ctx, o)
	if err != nil {
		return nil, err
	}
	s := &Session{State: st, Sampler: sample.New(params, m.Config.VocabSize), System: system, MaxTokens: maxTokens}
	s.Template, s.TemplateErr = ChatTemplate(m)
	s.Reset()
	return s, nil
}

// ChatTemplate loads m's chat template with chat.Load. It returns nil when
// m has none, and nil with the reason when the template cannot be used (a
// syntax error, or a limit exceeded on trial conversations): a model file
// comes from a stranger, and its template must not stop the model from
// loading, so callers fall back to what they do without a template.
func ChatTemplate(m *Model) (*chat.Template, error) {
	if m.ChatTemplate == "" {
		return nil, nil
	}
	tok := m.Tokenizer
	return chat.Load(m.ChatTemplate, tok.TokenText(tok.BOS()), tok.TokenText(tok.EOS()))
}

// Reset forgets the conversation.
func (s *Session) Reset() {
	s.State.Reset()
	s.Sampler.Reset()
	s.Messages = s.Messages[:0]
	if s.chatMode() && s.System != "" {
		s.Messages = append(s.Messages, chat.Message{Role: "system", Content: s.System})
	}
	s.document.Reset()
}

func (s *Session) chatMode() bool { return s.Template != nil || s.PlainChat }

// render renders the conversation, with Memory as a leading system message,
// ready for the assistant's reply.
func (s *Session) render() (string, error) {
	msgs := s.Messages
	if s.Memory != "" {
		msgs = append([]chat.Message{{Role: "system", Content: s.Memory}}, msgs...)
	}
	if s.Template == nil {
		return chat.Plain(msgs, true), nil
	}
	tok := s.State.m.Tokenizer
	return s.Template.Render(msgs, true, tok.TokenText(tok.BOS()), tok.TokenText(tok.EOS()))
}

// Send adds the user's text to the conversation and generates the model's
// reply, streaming it to emit. It returns the reply and why it ended.
func (s *Session) Send(user string, emit func(string) bool) (string, StopReason, error) {
	if s.chatMode() {
		s.Messages = append(s.Messages, chat.Message{Role: "user", Content: user})
	} else {
		s.document.WriteString(user)
	}
	ids, err := s.promptTokens()
	for err == nil && len(ids)+s.replyRoom() > s.State.Ctx && s.TrimToFit && s.forgetSomething() {
		ids, err = s.promptTokens()
	}
	if err == nil && len(ids) >= s.State.Ctx {
		err = fmt.Errorf("the conversation (%d tokens) does not fit the context of %d tokens: /reset or a larger --ctx", len(ids), s.State.Ctx)
	}
	if err != nil {
		if s.chatMode() {
			s.Messages = s.Messages[:len(s.Messages)-1]
		}
		return "", 0, err
	}
	keep := commonPrefix(s.State.Tokens(), ids)
	if keep == len(ids) {
		keep-- // Generate needs at least one token to produce logits from
	}
	s.State.Rewind(keep)
	var reply strings.Builder
	plainChat := s.Template == nil && s.PlainChat
	_, reason, err := s.State.Generate(ids[keep:], s.Sampler, s.MaxTokens, func(text string) bool {
		more := true
		if plainChat {
			// A plain-chat reply is one line: the next line is the user's. The
			// space after "Assistant:" belongs to the format, not the reply.
			if i := strings.IndexByte(text, '\n'); i >= 0 {
				text, more = text[:i], false
			}
			if reply.Len() == 0 {
				text = strings.TrimLeft(text, " ")
			}
		}
		reply.WriteString(text)
		if emit != nil && text != "" && !emit(text) {
			more = false
		}
		return more
	})
	text := reply.String()
	if plainChat {
		text = strings.TrimSpace(text)
		if reason == StopCaller {
			reason = StopEOG
		}
	}
	if err != nil {
		return text, reason, err
	}
	if s.chatMode() {
		s.Messages = append(s.Messages, chat.Message{Role: "assistant", Content: text})
	} else {
		s.document.WriteString(text)
	}
	return text, reason, nil
}

// promptTokens renders and tokenises what the model sees before its reply.
func (s *Session) promptTokens() ([]int32, error) {
	tok := s.State.m.Tokenizer
	prompt := s.document.String()
	if s.chatMode() {
		var err error
		if prompt, err = s.render(); err != nil {
			return nil, fmt.Errorf("chat template: %w", err)
		}
	}
	// A template that writes the BOS token itself must not get a second one.
	addBOS := s.Template == nil || !strings.HasPrefix(prompt, tok.TokenText(tok.BOS()))
	return tok.Encode(prompt, addBOS, true), nil
}

// replyRoom is how much of the context TrimToFit keeps free for the reply.
func (s *Session) replyRoom() int { return min(s.MaxTokens, s.State.Ctx/4) }

// forgetSomething makes the prompt shorter for TrimToFit: the oldest message
// first, the memory text when only the message just sent is left; false when
// nothing is left to forget.
func (s *Session) forgetSomething() bool {
	if s.dropOldest() {
		return true
	}
	if s.Memory != "" {
		s.Memory = ""
		return true
	}
	return false
}

// dropOldest removes the oldest message after the system prompt, keeping the
// message just sent; false when nothing is left to drop.
func (s *Session) dropOldest() bool {
	first := 0
	if len(s.Messages) > 0 && s.Messages[0].Role == "system" {
		first = 1
	}
	if len(s.Messages)-first <= 1 {
		return false
	}
	s.Messages = append(s.Messages[:first], s.Messages[first+1:]...)
	return true
}

func commonPrefix(a, b []int32) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}
