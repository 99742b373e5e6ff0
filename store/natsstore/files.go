package natsstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/milp-lite/milp-lite/milp"
	"github.com/milp-lite/milp-lite/store"
	"github.com/milp-lite/milp-lite/userdata"
)

func reportName(id string) string  { return "report/" + id }
func journalName(id string) string { return "journal/" + id }

// pointer is the KV record of a versioned object: the object's current
// name, for adapters the version it is, and the objects it replaced
// lately, kept a while for readers still reading them (JetStream's object
// reader would wait for chunks deleted under it).
type pointer struct {
	store.AdapterInfo
	Object string    `json:"object"`
	Old    []retired `json:"old,omitempty"`
}

type retired struct {
	Object string    `json:"object"`
	At     time.Time `json:"at"`
}

// Replaced objects are deleted once older than retireAfter, or beyond the
// newest keepRetired.
const (
	retireAfter = 30 * time.Second
	keepRetired = 4
)

// objects are every object the pointer names.
func (p pointer) objects() []string {
	names := []string{p.Object}
	for _, r := range p.Old {
		names = append(names, r.Object)
	}
	return names
}

// readPointed reads a pointer and its object, again if a writer replaced
// the object between the two reads (nil data: none).
func (s *Store) readPointed(ctx context.Context, key string) (pointer, []byte, error) {
	for {
		v, _, err := s.get(ctx, key)
		if err != nil || v == nil {
			return pointer{}, nil, err
		}
		var p pointer
		if err := json.Unmarshal(v, &p); err != nil {
			return p, nil, fmt.Errorf("%s: %w", key, err)
		}
		data, err := s.getObject(ctx, p.Object)
		if errors.Is(err, store.ErrNotFound) {
			// Replaced meanwhile, or not yet on the replica that answered:
			// read the pointer again.
			select {
			case <-ctx.Done():
				return p, nil, ctx.Err()
			case <-time.After(10 * time.Millisecond):
			}
			continue
		}
		return p, data, err
	}
}

// swap writes data as a fresh object and points key at it if key is still
// at rev (prev is what it held), retiring the object it replaced; losing
// the race, it deletes its own and reports store.ErrConflict.
func (s *Store) swap(ctx context.Context, key string, rev uint64, p, prev pointer, prefix string, data []byte) error {
	p.Object = prefix + randomSuffix()
	if err := s.putObject(ctx, p.Object, data); err != nil {
		return err
	}
	now := time.Now().UTC()
	var gone []string
	p.Old = nil
	if prev.Object != "" {
		p.Old = append(p.Old, retired{Object: prev.Object, At: now})
	}
	for _, r := range prev.Old {
		if len(p.Old) < keepRetired && now.Sub(r.At) < retireAfter {
			p.Old = append(p.Old, r)
		} else {
			gone = append(gone, r.Object)
		}
	}
	rec, _ := json.Marshal(p)
	if err := s.cas(ctx, key, rec, rev); err != nil {
		s.deleteObject(context.WithoutCancel(ctx), p.Object)
		return err
	}
	for _, name := range gone {
		s.deleteObject(ctx, name)
	}
	return nil
}

func (s *Store) History(ctx context.Context, id string) (userdata.User, error) {
	if err := milp.CheckUserID(id); err != nil {
		return userdata.User{}, err
	}
	_, data, err := s.readPointed(ctx, "history."+tok(id))
	if err != nil || data == nil {
		return userdata.User{ID: id}, err
	}
	return userdata.Decode(data, "the history of "+id, id)
}

func (s *Store) AppendHistory(ctx context.Context, id string, convs []userdata.Conversation) (int, error) {
	if err := milp.CheckUserID(id); err != nil {
		return 0, err
	}
	key := "history." + tok(id)
	for {
		v, rev, err := s.get(ctx, key)
		if err != nil {
			return 0, err
		}
		u, prev := userdata.User{ID: id}, pointer{}
		if v != nil {
			if err := json.Unmarshal(v, &prev); err != nil {
				return 0, fmt.Errorf("%s: %w", key, err)
			}
			data, err := s.getObject(ctx, prev.Object)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return 0, err
			}
			if u, err = userdata.Decode(data, "the history of "+id, id); err != nil {
				return 0, err
			}
		}
		u.Conversations = append(u.Conversations, convs...)
		data, err := userdata.Encode(u)
		if err != nil {
			return 0, err
		}
		err = s.swap(ctx, key, rev, pointer{}, prev, "history/"+id+"/", data)
		if errors.Is(err, store.ErrConflict) {
			continue // another append went first: add to it
		}
		return len(u.Conversations), err
	}
}

func (s *Store) AdapterInfo(ctx context.Context, id string) (store.AdapterInfo, error) {
	if err := milp.CheckUserID(id); err != nil {
		return store.AdapterInfo{}, err
	}
	v, _, err := s.get(ctx, "adapter."+tok(id))
	if err != nil || v == nil {
		return store.AdapterInfo{}, err
	}
	var p pointer
	err = json.Unmarshal(v, &p)
	return p.AdapterInfo, err
}

func (s *Store) Adapter(ctx context.Context, id string) (store.AdapterInfo, []byte, error) {
	if err := milp.CheckUserID(id); err != nil {
		return store.AdapterInfo{}, nil, err
	}
	p, data, err := s.readPointed(ctx, "adapter."+tok(id))
	if err == nil && data == nil {
		err = fmt.Errorf("adapter of %q: %w", id, store.ErrNotFound)
	}
	return p.AdapterInfo, data, err
}

func (s *Store) PutAdapter(ctx context.Context, id string, data []byte, info store.AdapterInfo, after int) (store.AdapterInfo, error) {
	if err := milp.CheckUserID(id); err != nil {
		return store.AdapterInfo{}, err
	}
	key := "adapter." + tok(id)
	v, rev, err := s.get(ctx, key)
	if err != nil {
		return store.AdapterInfo{}, err
	}
	var cur pointer
	if v != nil {
		if err := json.Unmarshal(v, &cur); err != nil {
			return store.AdapterInfo{}, fmt.Errorf("%s: %w", key, err)
		}
	}
	if cur.Version != after {
		if info.Job != "" && cur.Job == info.Job {
			return cur.AdapterInfo, nil
		}
		return cur.AdapterInfo, fmt.Errorf("adapter of %q is at version %d, not %d: %w", id, cur.Version, after, store.ErrConflict)
	}
	info.Version, info.Installed = after+1, time.Now().UTC()
	if err := s.swap(ctx, key, rev, pointer{AdapterInfo: info}, cur, "adapter/"+id+"/", data); err != nil {
		if errors.Is(err, store.ErrConflict) {
			// Another writer went first: it may be this job's own earlier try.
			if now, err2 := s.AdapterInfo(ctx, id); err2 == nil && info.Job != "" && now.Job == info.Job {
				return now, nil
			}
		}
		return cur.AdapterInfo, err
	}
	return info, nil
}

func (s *Store) Report(ctx context.Context, id string) ([]byte, error) {
	if err := milp.CheckUserID(id); err != nil {
		return nil, err
	}
	return s.getObject(ctx, reportName(id))
}

func (s *Store) PutReport(ctx context.Context, id string, data []byte) error {
	if err := milp.CheckUserID(id); err != nil {
		return err
	}
	return s.putObject(ctx, reportName(id), data)
}

func (s *Store) Journal(ctx context.Context, id string) ([]byte, error) {
	if err := milp.CheckUserID(id); err != nil {
		return nil, err
	}
	data, err := s.getObject(ctx, journalName(id))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return data, err
}

func (s *Store) PutJournal(ctx context.Context, id string, data []byte) error {
	if err := milp.CheckUserID(id); err != nil {
		return err
	}
	if data == nil {
		return s.deleteObject(ctx, journalName(id))
	}
	return s.putObject(ctx, journalName(id), data)
}
