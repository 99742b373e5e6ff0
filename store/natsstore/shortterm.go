package natsstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/milp-lite/milp-lite/memory"
	"github.com/milp-lite/milp-lite/milp"
)

// A user's short-term memory is the messages of their subject in
// MILP_SHORT, each one append (an exchange) as a JSON array of turns, so an
// append is one message: whole or absent, and never interleaved with
// another. A consolidation deletes the messages it moved, from the first.

// shortMsg is one append as read.
type shortMsg struct {
	seq   uint64
	turns []memory.Turn
}

// shortCache is a user's messages as this process last read them: a chat
// then reads only what was appended since, and checks that none of those
// it holds was deleted (deletions take the first messages).
type shortCache struct {
	mu   sync.Mutex
	msgs []shortMsg
}

func (s *Store) shortCacheOf(id string) *shortCache {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.cached[id]
	if c == nil {
		c = &shortCache{}
		s.cached[id] = c
	}
	return c
}

func (s *Store) AppendShortTerm(ctx context.Context, id string, turns ...memory.Turn) error {
	if err := milp.CheckUserID(id); err != nil {
		return err
	}
	now := time.Now().UTC()
	for i := range turns {
		if err := turns[i].Validate(); err != nil {
			return fmt.Errorf("append turn %d: %w", i, err)
		}
		if turns[i].Time.IsZero() {
			turns[i].Time = now
		}
	}
	data, err := json.Marshal(turns)
	if err != nil {
		return err
	}
	// One message ID for every try: a try whose acknowledgement was lost
	// (the server went away) is not stored twice.
	msgID := randomSuffix()
	return retry(ctx, func(ctx context.Context) error {
		_, err := s.js.Publish(ctx, shortSubjects+tok(id), data, jetstream.WithMsgID(msgID))
		return err
	})
}

// nextShort is the first message of subject at or after seq (nil: none).
func (s *Store) nextShort(ctx context.Context, subject string, seq uint64) (*shortMsg, error) {
	var raw *jetstream.RawStreamMsg
	err := retry(ctx, func(ctx context.Context) (err error) {
		raw, err = s.short.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(subject))
		return err
	})
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	m := &shortMsg{seq: raw.Sequence}
	if err := json.Unmarshal(raw.Data, &m.turns); err != nil {
		return nil, fmt.Errorf("short-term message %d: %w", raw.Sequence, err)
	}
	return m, nil
}

// messages brings the user's cache up to date and returns a copy of it.
func (s *Store) messages(ctx context.Context, id string) ([]shortMsg, error) {
	subject := shortSubjects + tok(id)
	c := s.shortCacheOf(id)
	c.mu.Lock()
	defer c.mu.Unlock()
	first, err := s.nextShort(ctx, subject, 1)
	if err != nil {
		return nil, err
	}
	if first == nil {
		c.msgs = nil
		return nil, nil
	}
	drop := 0
	for drop < len(c.msgs) && c.msgs[drop].seq < first.seq {
		drop++
	}
	c.msgs = c.msgs[drop:]
	if len(c.msgs) == 0 || c.msgs[0].seq != first.seq {
		c.msgs = []shortMsg{*first}
	}
	for {
		m, err := s.nextShort(ctx, subject, c.msgs[len(c.msgs)-1].seq+1)
		if err != nil {
			return nil, err
		}
		if m == nil {
			break
		}
		c.msgs = append(c.msgs, *m)
	}
	return append([]shortMsg(nil), c.msgs...), nil
}

func (s *Store) ShortTerm(ctx context.Context, id string) ([]memory.Turn, error) {
	if err := milp.CheckUserID(id); err != nil {
		return nil, err
	}
	msgs, err := s.messages(ctx, id)
	var turns []memory.Turn
	for _, m := range msgs {
		turns = append(turns, m.turns...)
	}
	return turns, err
}

func (s *Store) RemoveShortTerm(ctx context.Context, id string, done []memory.Turn) error {
	if err := milp.CheckUserID(id); err != nil {
		return err
	}
	msgs, err := s.messages(ctx, id)
	if err != nil {
		return err
	}
	var turns []memory.Turn
	for _, m := range msgs {
		turns = append(turns, m.turns...)
	}
	if !memory.StartsWith(turns, done) {
		return nil // removed already
	}
	n := 0
	for _, m := range msgs {
		if n >= len(done) {
			break
		}
		if n+len(m.turns) > len(done) {
			return fmt.Errorf("short-term memory of %s: %d turns end inside an append; nothing more removed", id, len(done))
		}
		err := retry(ctx, func(ctx context.Context) error {
			err := s.short.DeleteMsg(ctx, m.seq)
			if errors.Is(err, jetstream.ErrMsgNotFound) {
				return nil
			}
			return err
		})
		if err != nil {
			return err
		}
		n += len(m.turns)
	}
	return nil
}
