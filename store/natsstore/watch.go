package natsstore

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/nats-io/nats.go/jetstream"
)

// watch calls each with every KV record matching filter as a watch sends
// it — the current ones, then every change — and caught once the current
// ones have come, until ctx ends, the watch breaks, or caught says to stop.
func (s *Store) watch(ctx context.Context, filter string, each func(jetstream.KeyValueEntry), caught func() (stop bool), opts ...jetstream.WatchOpt) error {
	w, err := s.kv.Watch(ctx, filter, opts...)
	if err != nil {
		return err
	}
	defer w.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case e, ok := <-w.Updates():
			switch {
			case !ok:
				return nil
			case e == nil:
				if caught() {
					return nil
				}
			default:
				each(e)
			}
		}
	}
}

// WatchAdapters follows the adapter records of the KV bucket (see
// store.AdapterWatcher).
func (s *Store) WatchAdapters(ctx context.Context, fn func(user string, version int), ready chan<- struct{}) error {
	err := s.watch(ctx, "adapter.*", func(e jetstream.KeyValueEntry) {
		raw, err := hex.DecodeString(strings.TrimPrefix(e.Key(), "adapter."))
		if err != nil {
			return
		}
		var p pointer // a deleted or purged record: version 0
		if e.Operation() == jetstream.KeyValuePut && json.Unmarshal(e.Value(), &p) != nil {
			return
		}
		fn(string(raw), p.Version)
	}, func() bool { close(ready); return false })
	if ctx.Err() != nil {
		return nil
	}
	return err
}
