package natsstore

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/nats-io/nats.go/jetstream"
)

// WatchAdapters follows the adapter records of the KV bucket (see
// store.AdapterWatcher).
func (s *Store) WatchAdapters(ctx context.Context, fn func(user string, version int), ready chan<- struct{}) error {
	w, err := s.kv.Watch(ctx, "adapter.*")
	if err != nil {
		return err
	}
	defer w.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-w.Updates():
			if !ok {
				return nil
			}
			if e == nil {
				close(ready)
				continue
			}
			raw, err := hex.DecodeString(strings.TrimPrefix(e.Key(), "adapter."))
			if err != nil {
				continue
			}
			var p pointer
			if e.Operation() == jetstream.KeyValuePut && json.Unmarshal(e.Value(), &p) != nil {
				continue
			}
			fn(string(raw), p.Version)
		}
	}
}
