package milp

import (
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/nn/chat"
	"github.com/milp-lite/milp-lite/nn/sample"
	"github.com/milp-lite/milp-lite/userdata"
)

// MaxReplyTokens bounds a generated reply; the persona replies being
// predicted are a sentence or two.
const MaxReplyTokens = 48

// Replier generates the replies that are scored: greedy, so every method is
// judged on the model's single best answer, in the model's chat format (its
// template, or chat.Plain lines — the format the adapters are trained on).
// Turns of one conversation share their cached prefix.
type Replier struct {
	sess *nn.Session
}

// NewReplier prepares replies on m with a context of ctx tokens (0: the
// model's, at most 2048).
func NewReplier(m *nn.Model, ctx int) (*Replier, error) {
	if ctx == 0 {
		ctx = min(m.Config.ContextLen, 2048)
	}
	sess, err := nn.NewSession(m, ctx, sample.Params{Temperature: 0}, "", MaxReplyTokens)
	if err != nil {
		return nil, err
	}
	sess.PlainChat = true
	sess.TrimToFit = true
	return &Replier{sess: sess}, nil
}

// Use makes the following replies use these adapters (none: the base model).
func (r *Replier) Use(adapters ...nn.Adapter) { r.sess.State.SetAdapters(adapters...) }

// Reply answers the last message of context (a user's), knowing memory.
func (r *Replier) Reply(context []chat.Message, memory string) (string, error) {
	last := context[len(context)-1]
	r.sess.Messages = append(r.sess.Messages[:0], context[:len(context)-1]...)
	r.sess.Memory = memory
	reply, _, err := r.sess.Send(last.Content, nil)
	return reply, err
}

// Fits reports whether a reply to t can be generated with the user's last
// message alone in the context: longer turns (whole documents pasted in a
// message) cannot be scored on this model, whatever the method.
func (r *Replier) Fits(t userdata.EvalPair) bool {
	return r.Tokens(chat.Plain(t.Context[len(t.Context)-1:], true))+MaxReplyTokens+8 <= r.Ctx()
}

// Tokens counts the tokens of text on the replier's model.
func (r *Replier) Tokens(text string) int {
	return len(r.sess.State.Model().Tokenizer.Encode(text, false, false))
}

// Ctx is the replier's context length.
func (r *Replier) Ctx() int { return r.sess.State.Ctx }
