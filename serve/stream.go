package serve

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// streamReply sends a reply as server-sent events, the same sequence for
// chat and completions: a first event with the milp object (head.Milp),
// one per piece of text, a last one with the finish reason after finished
// has run, the usage when the client asked for it, then [DONE]. choice
// makes the events' one choice of their kind.
func streamReply[C any](s *Server, w http.ResponseWriter, ctx context.Context, g genRequest, head completion[C], so *streamOptions,
	choice func(text string, first bool, finish *string) C, finished func(genResult)) error {
	sse := newEventStream(w)
	event := func(c ...C) completion[C] {
		e := head
		e.Milp, e.Choices = nil, c
		return e
	}
	first := event(choice("", true, nil))
	first.Milp = head.Milp
	if err := sse.send(first); err != nil {
		return err
	}
	res, err := s.generate(ctx, g, func(text string) error { return sse.send(event(choice(text, false, nil))) })
	if err != nil {
		return err
	}
	finished(res)
	if err := sse.send(event(choice("", false, &res.finish))); err != nil {
		return err
	}
	if so != nil && so.IncludeUsage {
		u := event()
		u.Choices = []C{}
		u.Usage = newUsage(len(g.prompt), res.completionTokens)
		if err := sse.send(u); err != nil {
			return err
		}
	}
	return sse.done()
}

// eventStream writes server-sent events, flushing each.
type eventStream struct {
	w http.ResponseWriter
	f *http.ResponseController
}

func newEventStream(w http.ResponseWriter) *eventStream {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	return &eventStream{w: w, f: http.NewResponseController(w)}
}

func (e *eventStream) send(v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(e.w, "data: %s\n\n", data); err != nil {
		return err
	}
	return e.f.Flush()
}

func (e *eventStream) done() error {
	if _, err := fmt.Fprint(e.w, "data: [DONE]\n\n"); err != nil {
		return err
	}
	return e.f.Flush()
}
