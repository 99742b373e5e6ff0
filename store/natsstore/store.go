// Package natsstore is a store.Store shared by many serve nodes and
// workers through NATS JetStream, which replicates each part with Raft:
//
//	KV bucket MILP             user.<u>, key.<sha256>, userkey.<u>.<sha256>, adapter.<u>,
//	                           history.<u>, job.<job>: small records, updated by compare-and-set
//	Object Store MILP_FILES    adapters, histories, reports and search journals
//	stream MILP_SHORT          milp.short.<u>: one message per short-term append
//	stream MILP_JOBS           milp.jobs: the work queue of job IDs (Queue)
//
// <u> is the user ID in hexadecimal: IDs may hold '.', which separates a
// subject's tokens, and an encoding without it keeps "alice" and "alice.b"
// apart in every subject filter. Adapters and histories are objects under
// a fresh name per write, with the KV record pointing at the current one:
// a writer swaps the pointer by compare-and-set (losing, it deletes its
// object and reports store.ErrConflict or tries again), so readers see one
// whole version and versions never go back.
package natsstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/milp-lite/milp-lite/milp"
	"github.com/milp-lite/milp-lite/store"
)

// Names of what the store makes in JetStream.
const (
	kvBucket      = "MILP"
	objectBucket  = "MILP_FILES"
	shortStream   = "MILP_SHORT"
	shortSubjects = "milp.short."
	jobsStream    = "MILP_JOBS"
	jobsSubject   = "milp.jobs"
)

// Options shape the store's buckets and streams.
type Options struct {
	// Replicas of every bucket and stream (1 for a single server; 3 for a
	// cluster of three or more).
	Replicas int
	// Name is the client name the NATS server shows for this connection.
	Name string
}

// Store is a store.Store on JetStream.
type Store struct {
	nc      *nats.Conn
	ownConn bool
	js      jetstream.JetStream
	kv      jetstream.KeyValue
	files   jetstream.ObjectStore
	short   jetstream.Stream
	jobs    jetstream.Stream

	mu     sync.Mutex
	cached map[string]*shortCache // short-term memories as last read, by user
}

// Connect dials the NATS servers at urls (comma-separated, as nats.Connect
// takes them) and opens the store there, creating what is missing.
func Connect(ctx context.Context, urls string, o Options) (*Store, error) {
	name := o.Name
	if name == "" {
		name = "milp-lite"
	}
	nc, err := nats.Connect(urls, nats.Name(name), nats.MaxReconnects(-1), nats.ReconnectWait(250*time.Millisecond),
		nats.RetryOnFailedConnect(false))
	if err != nil {
		return nil, fmt.Errorf("connecting to NATS at %s: %w", urls, err)
	}
	s, err := Open(ctx, nc, o)
	if err != nil {
		nc.Close()
		return nil, err
	}
	s.ownConn = true
	return s, nil
}

// Open opens the store on a connection, creating what is missing.
func Open(ctx context.Context, nc *nats.Conn, o Options) (*Store, error) {
	if o.Replicas < 1 {
		o.Replicas = 1
	}
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	s := &Store{nc: nc, js: js, cached: map[string]*shortCache{}}
	err = retry(ctx, func(ctx context.Context) (err error) {
		if s.kv, err = js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: kvBucket, History: 1, Replicas: o.Replicas,
			Storage: jetstream.FileStorage, Description: "milp-lite: users, key hashes, adapter versions, jobs"}); err != nil {
			return err
		}
		if s.files, err = js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: objectBucket, Replicas: o.Replicas,
			Storage: jetstream.FileStorage, Description: "milp-lite: adapters, histories, reports, search journals"}); err != nil {
			return err
		}
		if s.short, err = js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: shortStream, Subjects: []string{shortSubjects + "*"},
			Replicas: o.Replicas, Storage: jetstream.FileStorage, Duplicates: 2 * time.Minute,
			Description: "milp-lite: short-term memories, a subject per user"}); err != nil {
			return err
		}
		s.jobs, err = js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{Name: jobsStream, Subjects: []string{jobsSubject},
			Retention: jetstream.WorkQueuePolicy, Replicas: o.Replicas, Storage: jetstream.FileStorage, Duplicates: 2 * time.Minute,
			Description: "milp-lite: training jobs for the workers"})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("opening the JetStream store: %w", err)
	}
	return s, nil
}

// Close closes the connection Connect made.
func (s *Store) Close() error {
	if s.ownConn {
		s.nc.Close()
	}
	return nil
}

// Conn is the store's NATS connection.
func (s *Store) Conn() *nats.Conn { return s.nc }

// tok is a user ID as one token of a key or subject.
func tok(id string) string { return hex.EncodeToString([]byte(id)) }

func randomSuffix() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// transient reports whether err may pass on a retry: a server of the
// cluster went away, or a leader is being elected.
func transient(err error) bool {
	return errors.Is(err, nats.ErrTimeout) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrNoResponders) ||
		errors.Is(err, jetstream.ErrNoStreamResponse) || errors.Is(err, nats.ErrConnectionReconnecting) ||
		errors.Is(err, nats.ErrDisconnected) || errors.Is(err, jetstream.ErrNoHeartbeat) || isUnavailable(err) ||
		// An object's chunks that stopped coming within the attempt.
		errors.Is(err, os.ErrDeadlineExceeded) ||
		// An object read from a replica that has not caught up with a write
		// just made: read again.
		errors.Is(err, jetstream.ErrDigestMismatch)
}

// isUnavailable is JetStream's 503 (no quorum while a leader is elected),
// or a cluster whose nodes have not all joined yet: too few peers to place
// the replicas asked for (a lasting shortage fails once the retries end).
func isUnavailable(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && (apiErr.Code == 503 || apiErr.ErrorCode == noSuitablePeers)
}

// noSuitablePeers is JetStream's "no suitable peers for placement".
const noSuitablePeers jetstream.ErrorCode = 10005

// attempt bounds one try of a call, so that a request sent to a server
// that has just stopped is retried rather than waited on.
const attempt = 2 * time.Second

// retry calls fn until it succeeds, fails for good, or ctx or ~15 s end.
// fn must be safe to repeat (the writes it retries are made idempotent by
// message IDs or compare-and-set).
func retry(ctx context.Context, fn func(ctx context.Context) error) error {
	deadline := time.Now().Add(15 * time.Second)
	wait := 50 * time.Millisecond
	for {
		actx, cancel := context.WithTimeout(ctx, attempt)
		err := fn(actx)
		cancel()
		if err == nil || !transient(err) || ctx.Err() != nil || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}

// get is a KV record (nil, 0 for none).
func (s *Store) get(ctx context.Context, key string) (value []byte, rev uint64, err error) {
	err = retry(ctx, func(ctx context.Context) error {
		e, err := s.kv.Get(ctx, key)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			value, rev = nil, 0
			return nil
		}
		if err != nil {
			return err
		}
		value, rev = e.Value(), e.Revision()
		return nil
	})
	return value, rev, err
}

// cas writes a KV record if it is still at rev (0: absent), reporting
// store.ErrConflict otherwise.
func (s *Store) cas(ctx context.Context, key string, value []byte, rev uint64) error {
	err := retry(ctx, func(ctx context.Context) error {
		var err error
		if rev == 0 {
			_, err = s.kv.Create(ctx, key, value)
		} else {
			_, err = s.kv.Update(ctx, key, value, rev)
		}
		return err
	})
	if errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
		return fmt.Errorf("%s: %w", key, store.ErrConflict)
	}
	return err
}

func (s *Store) put(ctx context.Context, key string, value []byte) error {
	return retry(ctx, func(ctx context.Context) error {
		_, err := s.kv.Put(ctx, key, value)
		return err
	})
}

// purge removes a KV record and its history.
func (s *Store) purge(ctx context.Context, key string) error {
	return retry(ctx, func(ctx context.Context) error {
		err := s.kv.Purge(ctx, key)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return nil
		}
		return err
	})
}

// keys are the KV keys matching filter.
func (s *Store) keys(ctx context.Context, filter string) ([]string, error) {
	var keys []string
	err := retry(ctx, func(ctx context.Context) error {
		keys = keys[:0]
		l, err := s.kv.ListKeysFiltered(ctx, filter)
		if err != nil {
			return err
		}
		defer l.Stop()
		for k := range l.Keys() {
			keys = append(keys, k)
		}
		return nil
	})
	if errors.Is(err, jetstream.ErrNoKeysFound) {
		err = nil
	}
	return keys, err
}

func (s *Store) getObject(ctx context.Context, name string) ([]byte, error) {
	var data []byte
	err := retry(ctx, func(ctx context.Context) (err error) {
		data, err = s.files.GetBytes(ctx, name)
		return err
	})
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil, fmt.Errorf("%s: %w", name, store.ErrNotFound)
	}
	return data, err
}

// putObject writes data as the object name, then reads it back, writing
// it again if what comes back differs (up to objectWrites times). The read
// is there because nats.go's object writer can store a corrupt object and
// report success: it sends every chunk from one reused buffer, and a chunk
// that met no stream leader (one is elected after a server stops) is sent
// again 250 ms later from that buffer, by then holding a later chunk.
func (s *Store) putObject(ctx context.Context, name string, data []byte) error {
	for write := 1; ; write++ {
		if err := retry(ctx, func(ctx context.Context) error {
			_, err := s.files.PutBytes(ctx, name, data)
			return err
		}); err != nil {
			return err
		}
		if s.readsBack(ctx, name, data) {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if write == objectWrites {
			return fmt.Errorf("object %s: written %d times, and read back different each time", name, write)
		}
	}
}

// objectWrites bounds putObject's writes of one object.
const objectWrites = 3

// readsBack says whether the object name reads as data, asking a few times
// over half a second: a replica that has not applied the write yet serves
// a shorter or older object for a moment, a corrupt one serves it for good.
func (s *Store) readsBack(ctx context.Context, name string, data []byte) bool {
	for try := range 5 {
		if try > 0 {
			select {
			case <-ctx.Done():
				return false
			case <-time.After(100 * time.Millisecond):
			}
		}
		actx, cancel := context.WithTimeout(ctx, attempt)
		got, err := s.files.GetBytes(actx, name)
		cancel()
		if err == nil && bytes.Equal(got, data) {
			return true
		}
	}
	return false
}

func (s *Store) deleteObject(ctx context.Context, name string) error {
	return retry(ctx, func(ctx context.Context) error {
		err := s.files.Delete(ctx, name)
		if errors.Is(err, jetstream.ErrObjectNotFound) {
			return nil
		}
		return err
	})
}

func (s *Store) CreateUser(ctx context.Context, id string) error {
	if err := milp.CheckUserID(id); err != nil {
		return err
	}
	rec, _ := json.Marshal(map[string]any{"created": time.Now().UTC()})
	if err := s.cas(ctx, "user."+tok(id), rec, 0); errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("user %q: %w", id, store.ErrExists)
	} else if err != nil {
		return err
	}
	return nil
}

func (s *Store) UserExists(ctx context.Context, id string) (bool, error) {
	if err := milp.CheckUserID(id); err != nil {
		return false, err
	}
	v, _, err := s.get(ctx, "user."+tok(id))
	return v != nil, err
}

func (s *Store) DeleteUser(ctx context.Context, id string) error {
	if ok, err := s.UserExists(ctx, id); err != nil || !ok {
		if err == nil {
			err = fmt.Errorf("user %q: %w", id, store.ErrNotFound)
		}
		return err
	}
	u := tok(id)
	// The account goes first, so the user is gone for every node at once;
	// their keys next, so no request of theirs starts meanwhile.
	if err := s.purge(ctx, "user."+u); err != nil {
		return err
	}
	keys, err := s.keys(ctx, "userkey."+u+".*")
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := s.purge(ctx, "key."+k[len("userkey."+u+"."):]); err != nil { // the same token of the hash
			return err
		}
		if err := s.purge(ctx, k); err != nil {
			return err
		}
	}
	jobs, err := s.keys(ctx, "userjob."+u+".*")
	if err != nil {
		return err
	}
	for _, k := range jobs {
		job, err := hex.DecodeString(k[len("userjob."+u+"."):])
		if err == nil {
			err = s.purge(ctx, "job."+string(job))
		}
		if err == nil {
			err = s.purge(ctx, k)
		}
		if err != nil {
			return err
		}
	}
	for _, rec := range []string{"adapter.", "history."} {
		v, _, err := s.get(ctx, rec+u)
		if err != nil {
			return err
		}
		var p pointer
		if v != nil && json.Unmarshal(v, &p) == nil {
			for _, name := range p.objects() {
				if err := s.deleteObject(ctx, name); err != nil {
					return err
				}
			}
		}
		if err := s.purge(ctx, rec+u); err != nil {
			return err
		}
	}
	for _, name := range []string{reportName(id), journalName(id)} {
		if err := s.deleteObject(ctx, name); err != nil {
			return err
		}
	}
	s.mu.Lock()
	delete(s.cached, id)
	s.mu.Unlock()
	return retry(ctx, func(ctx context.Context) error {
		return s.short.Purge(ctx, jetstream.WithPurgeSubject(shortSubjects+u))
	})
}

func (s *Store) AddKey(ctx context.Context, user, hash string) error {
	if err := milp.CheckUserID(user); err != nil {
		return err
	}
	if hash == "" || len(hash) > maxHash {
		return fmt.Errorf("a key hash must be 1 to %d bytes", maxHash)
	}
	// The user's index first: a key is never reachable without the
	// record that lets DeleteUser find it.
	if err := s.put(ctx, "userkey."+tok(user)+"."+tok(hash), []byte(time.Now().UTC().Format(time.RFC3339))); err != nil {
		return err
	}
	return s.put(ctx, "key."+tok(hash), []byte(user))
}

// maxHash bounds a key hash (a SHA-256 in hex is 64).
const maxHash = 128

func (s *Store) KeyUser(ctx context.Context, hash string) (string, error) {
	if hash == "" || len(hash) > maxHash {
		return "", store.ErrNotFound
	}
	v, _, err := s.get(ctx, "key."+tok(hash))
	if err == nil && v == nil {
		err = store.ErrNotFound
	}
	return string(v), err
}

func (s *Store) HasKeys(ctx context.Context) (bool, error) {
	keys, err := s.keys(ctx, "key.*")
	return len(keys) > 0, err
}
