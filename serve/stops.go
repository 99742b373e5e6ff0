package serve

import "strings"

// stopFilter holds back generated text that could be the start of a stop
// string, so a client never sees part of one: text is released once no
// stop string can begin in it, and a stop string found ends the reply
// before it.
type stopFilter struct {
	stops   []string
	pending string
	started bool // some text has been released
	// trimLead drops the spaces a plain-chat reply starts with (the format's
	// "Assistant: " separator).
	trimLead bool
}

// add takes the next piece; it returns the text that can be released, and
// whether a stop string ended the reply.
func (f *stopFilter) add(piece string) (string, bool) {
	f.pending += piece
	if f.trimLead && !f.started {
		f.pending = strings.TrimLeft(f.pending, " ")
	}
	cutAt := -1
	for _, s := range f.stops {
		if i := strings.Index(f.pending, s); i >= 0 && (cutAt < 0 || i < cutAt) {
			cutAt = i
		}
	}
	if cutAt >= 0 {
		out := f.pending[:cutAt]
		f.pending = ""
		f.started = f.started || out != ""
		return out, true
	}
	keep := 0
	for _, s := range f.stops {
		for n := min(len(s)-1, len(f.pending)); n > keep; n-- {
			if strings.HasSuffix(f.pending, s[:n]) {
				keep = n
				break
			}
		}
	}
	out := f.pending[:len(f.pending)-keep]
	f.pending = f.pending[len(f.pending)-keep:]
	f.started = f.started || out != ""
	return out, false
}

// flush releases what is held back at the end of the reply.
func (f *stopFilter) flush() string {
	out := f.pending
	f.pending = ""
	return out
}
