package serve

import (
	"context"
	"strings"
	"time"

	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/nn/sample"
)

// genRequest is one generation: a prompt, the adapter that answers it (nil:
// the base model), sampling and where the reply ends.
type genRequest struct {
	prompt    []int32
	adapter   nn.Adapter
	params    sample.Params
	maxTokens int
	stops     []string
	// plainLine: the model has no chat template, so a reply is one
	// chat.Plain line: it ends at its line's end, without the leading space.
	plainLine bool
}

// genResult is a finished generation.
type genResult struct {
	text             string
	finish           string // OpenAI's finish_reason: "stop" or "length"
	completionTokens int
}

// generate runs g on the engine, handing each piece of the reply's text to
// onText on the caller's goroutine as it forms. An error of onText (the
// client went away) or the end of ctx cancels the sequence, which leaves
// the batch at its next step.
func (s *Server) generate(ctx context.Context, g genRequest, onText func(string) error) (genResult, error) {
	// Emit runs on the engine's goroutine and must never block it: at most
	// one piece a token and one at the end.
	pieces := make(chan string, g.maxTokens+2)
	seq := &nn.Sequence{Prompt: g.prompt, MaxTokens: g.maxTokens, Sampler: sample.New(g.params, s.model.Config.VocabSize),
		Emit: func(text string) bool { pieces <- text; return true }}
	if g.adapter != nil {
		seq.Adapters = []nn.Adapter{g.adapter}
	}
	if err := s.engine.submit(seq); err != nil {
		return genResult{}, badRequest("messages", "%v", err)
	}
	defer s.engine.retire(seq)
	stops := g.stops
	if g.plainLine {
		stops = append(stops[:len(stops):len(stops)], "\n")
	}
	f := &stopFilter{stops: stops, trimLead: g.plainLine}
	var text strings.Builder
	stopped := false
	start, last := time.Now(), time.Time{}
	deliver := func(piece string) error {
		now := time.Now()
		if last.IsZero() {
			s.metrics.ttft.Observe(now.Sub(start).Seconds())
		} else {
			s.metrics.itl.Observe(now.Sub(last).Seconds())
		}
		last = now
		if stopped {
			return nil
		}
		out, hit := f.add(piece)
		if hit {
			stopped = true
			seq.Cancel()
		}
		if out == "" {
			return nil
		}
		text.WriteString(out)
		return onText(out)
	}
	for done := false; !done; {
		select {
		case p := <-pieces:
			if err := deliver(p); err != nil {
				seq.Cancel()
				<-seq.Done()
				return genResult{}, err
			}
		case <-seq.Done():
			done = true
		case <-ctx.Done():
			seq.Cancel()
			<-seq.Done()
			return genResult{}, ctx.Err()
		}
	}
	for more := true; more; {
		select {
		case p := <-pieces:
			if err := deliver(p); err != nil {
				return genResult{}, err
			}
		default:
			more = false
		}
	}
	if !stopped {
		if rest := f.flush(); rest != "" {
			text.WriteString(rest)
			if err := onText(rest); err != nil {
				return genResult{}, err
			}
		}
	}
	res := genResult{text: text.String(), finish: "stop", completionTokens: len(seq.Generated)}
	if !stopped && (seq.Reason == nn.StopLimit || seq.Reason == nn.StopContextFull) {
		res.finish = "length"
	}
	if g.plainLine {
		res.text = strings.TrimSpace(res.text)
	}
	return res, nil
}
