package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/milp-lite/milp-lite/internal/atomicfile"
	"github.com/milp-lite/milp-lite/memory"
	"github.com/milp-lite/milp-lite/milp"
	"github.com/milp-lite/milp-lite/userdata"
)

// Dir is the store of one machine: a folder laid out as package milp
// describes (milp.Store), plus what the server adds beside it:
//
//	<root>/keys.json          the users' API keys, hashed
//	<root>/<id>/adapter.json  the version of the user's adapter
//	<root>/jobs/<job>.json    the jobs
//
// One process writes it (the server holds its lock); the short-term file
// is shared with the command line under its own lock.
type Dir struct {
	milp.Store
	mu        sync.Mutex  // keys, histories and jobs: read-modify-writes
	keys      []keyRecord // keys.json as last read or written (this process is its one writer)
	keysRead  bool
	adapterMu sync.RWMutex // an adapter file and its version change together
}

// OpenDir is the store in the folder root (made if missing).
func OpenDir(root string) (*Dir, error) {
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, err
	}
	return &Dir{Store: milp.Store{Root: root}}, nil
}

func (d *Dir) Close() error { return nil }

func (d *Dir) CreateUser(_ context.Context, id string) error {
	if err := milp.CheckUserID(id); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := os.Mkdir(d.UserDir(id), 0o755); errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("user %q: %w", id, ErrExists)
	} else if err != nil {
		return err
	}
	return nil
}

func (d *Dir) UserExists(_ context.Context, id string) (bool, error) {
	if err := milp.CheckUserID(id); err != nil {
		return false, err
	}
	_, err := os.Stat(d.UserDir(id))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

func (d *Dir) DeleteUser(ctx context.Context, id string) error {
	if ok, err := d.UserExists(ctx, id); err != nil || !ok {
		if err == nil {
			err = fmt.Errorf("user %q: %w", id, ErrNotFound)
		}
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	err := d.updateKeys(func(keys []keyRecord) []keyRecord {
		kept := keys[:0:0]
		for _, k := range keys {
			if k.User != id {
				kept = append(kept, k)
			}
		}
		return kept
	})
	if err != nil {
		return err
	}
	jobs, err := d.jobs()
	if err != nil {
		return err
	}
	for _, j := range jobs {
		if j.User == id {
			if err := removeIfAny(d.jobPath(j.ID)); err != nil {
				return err
			}
		}
	}
	for _, p := range []string{filepath.Join(d.UsersDir(), id+userdata.FileExt), filepath.Join(d.UsersDir(), id+".lock")} {
		if err := removeIfAny(p); err != nil {
			return err
		}
	}
	return os.RemoveAll(d.UserDir(id))
}

func removeIfAny(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// keyRecord is one user key as kept in keys.json: its hash, never the key.
type keyRecord struct {
	Hash    string    `json:"sha256"`
	User    string    `json:"user"`
	Created time.Time `json:"created"`
}

// KeysPath is where a Dir keeps its users' key hashes.
func KeysPath(root string) string { return filepath.Join(root, "keys.json") }

func (d *Dir) loadKeys() ([]keyRecord, error) {
	if d.keysRead {
		return d.keys, nil
	}
	var keys []keyRecord
	data, err := os.ReadFile(KeysPath(d.Root))
	if errors.Is(err, fs.ErrNotExist) {
		err = nil
	} else if err == nil {
		if err = json.Unmarshal(data, &keys); err != nil {
			return nil, fmt.Errorf("%s: %w", KeysPath(d.Root), err)
		}
	}
	d.keys, d.keysRead = keys, err == nil
	return keys, err
}

func (d *Dir) saveKeys(keys []keyRecord) error {
	if keys == nil {
		keys = []keyRecord{}
	}
	data, err := json.MarshalIndent(keys, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(KeysPath(d.Root), append(data, '\n')); err != nil {
		return err
	}
	d.keys, d.keysRead = keys, true
	return nil
}

func (d *Dir) AddKey(_ context.Context, user, hash string) error {
	if err := milp.CheckUserID(user); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.updateKeys(func(keys []keyRecord) []keyRecord {
		return append(keys[:len(keys):len(keys)], keyRecord{Hash: hash, User: user, Created: time.Now().UTC()})
	})
}

// updateKeys replaces the keys with what change makes of them, writing
// keys.json when they changed; d.mu is held.
func (d *Dir) updateKeys(change func([]keyRecord) []keyRecord) error {
	keys, err := d.loadKeys()
	if err != nil {
		return err
	}
	if next := change(keys); len(next) != len(keys) {
		return d.saveKeys(next)
	}
	return nil
}

func (d *Dir) KeyUser(_ context.Context, hash string) (string, error) {
	d.mu.Lock()
	keys, err := d.loadKeys()
	d.mu.Unlock()
	if err != nil {
		return "", err
	}
	for _, k := range keys {
		if k.Hash == hash {
			return k.User, nil
		}
	}
	return "", ErrNotFound
}

func (d *Dir) HasKeys(context.Context) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	keys, err := d.loadKeys()
	return len(keys) > 0, err
}

func (d *Dir) History(_ context.Context, id string) (userdata.User, error) {
	if err := milp.CheckUserID(id); err != nil {
		return userdata.User{}, err
	}
	u, err := userdata.LoadUser(d.UsersDir(), id)
	if errors.Is(err, fs.ErrNotExist) {
		return userdata.User{ID: id}, nil
	}
	return u, err
}

func (d *Dir) AppendHistory(ctx context.Context, id string, convs []userdata.Conversation) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	u, err := d.History(ctx, id)
	if err != nil {
		return 0, err
	}
	u.Conversations = append(u.Conversations, convs...)
	return len(u.Conversations), userdata.Save(d.UsersDir(), []userdata.User{u})
}

func (d *Dir) shortTerm(id string) (*memory.Store, error) {
	if err := milp.CheckUserID(id); err != nil {
		return nil, err
	}
	return memory.Open(d.Root, id)
}

func (d *Dir) AppendShortTerm(_ context.Context, id string, turns ...memory.Turn) error {
	s, err := d.shortTerm(id)
	if err != nil {
		return err
	}
	return s.Append(turns...)
}

func (d *Dir) ShortTerm(_ context.Context, id string) ([]memory.Turn, error) {
	s, err := d.shortTerm(id)
	if err != nil {
		return nil, err
	}
	return s.Load()
}

func (d *Dir) RemoveShortTerm(_ context.Context, id string, done []memory.Turn) error {
	s, err := d.shortTerm(id)
	if err != nil {
		return err
	}
	turns, err := s.Load()
	if err != nil || !memory.StartsWith(turns, done) {
		return err
	}
	return s.RemoveFirst(done)
}

func (d *Dir) adapterInfoPath(id string) string { return filepath.Join(d.UserDir(id), "adapter.json") }

func (d *Dir) AdapterInfo(_ context.Context, id string) (AdapterInfo, error) {
	if err := milp.CheckUserID(id); err != nil {
		return AdapterInfo{}, err
	}
	if _, err := os.Stat(d.AdapterPath(id)); errors.Is(err, fs.ErrNotExist) {
		return AdapterInfo{}, nil
	} else if err != nil {
		return AdapterInfo{}, err
	}
	data, err := os.ReadFile(d.adapterInfoPath(id))
	if errors.Is(err, fs.ErrNotExist) {
		return AdapterInfo{Version: 1, Source: "command line"}, nil // written by `milp-lite personalise`
	}
	var info AdapterInfo
	if err == nil {
		err = json.Unmarshal(data, &info)
	}
	return info, err
}

func (d *Dir) Adapter(ctx context.Context, id string) (AdapterInfo, []byte, error) {
	d.adapterMu.RLock()
	defer d.adapterMu.RUnlock()
	info, err := d.AdapterInfo(ctx, id)
	if err != nil || info.Version == 0 {
		if err == nil {
			err = fmt.Errorf("adapter of %q: %w", id, ErrNotFound)
		}
		return info, nil, err
	}
	data, err := os.ReadFile(d.AdapterPath(id))
	return info, data, err
}

func (d *Dir) PutAdapter(ctx context.Context, id string, data []byte, info AdapterInfo, after int) (AdapterInfo, error) {
	d.adapterMu.Lock()
	defer d.adapterMu.Unlock()
	cur, err := d.AdapterInfo(ctx, id)
	if err != nil {
		return cur, err
	}
	if cur.Version != after {
		if info.Job != "" && cur.Job == info.Job {
			return cur, nil
		}
		return cur, fmt.Errorf("adapter of %q is at version %d, not %d: %w", id, cur.Version, after, ErrConflict)
	}
	if err := os.MkdirAll(d.UserDir(id), 0o755); err != nil {
		return cur, err
	}
	if err := atomicfile.WriteFile(d.AdapterPath(id), data); err != nil {
		return cur, err
	}
	info.Version, info.Installed = after+1, time.Now().UTC()
	b, _ := json.Marshal(info)
	return info, atomicfile.WriteFile(d.adapterInfoPath(id), b)
}

func (d *Dir) Report(_ context.Context, id string) ([]byte, error) {
	return d.readUserFile(id, d.ReportPath)
}

func (d *Dir) PutReport(_ context.Context, id string, data []byte) error {
	return d.writeUserFile(id, d.ReportPath, data)
}

func (d *Dir) Journal(_ context.Context, id string) ([]byte, error) {
	data, err := d.readUserFile(id, d.JournalPath)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	return data, err
}

func (d *Dir) PutJournal(_ context.Context, id string, data []byte) error {
	if data == nil {
		if err := milp.CheckUserID(id); err != nil {
			return err
		}
		return removeIfAny(d.JournalPath(id))
	}
	return d.writeUserFile(id, d.JournalPath, data)
}

func (d *Dir) readUserFile(id string, path func(string) string) ([]byte, error) {
	if err := milp.CheckUserID(id); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path(id)), ErrNotFound)
	}
	return data, err
}

func (d *Dir) writeUserFile(id string, path func(string) string, data []byte) error {
	if err := milp.CheckUserID(id); err != nil {
		return err
	}
	if err := os.MkdirAll(d.UserDir(id), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteFile(path(id), data)
}

func (d *Dir) jobsDir() string          { return filepath.Join(d.Root, "jobs") }
func (d *Dir) jobPath(id string) string { return filepath.Join(d.jobsDir(), id+".json") }

func (d *Dir) PutJob(_ context.Context, j Job) error {
	if err := CheckJobID(j.ID); err != nil {
		return err
	}
	if err := milp.CheckUserID(j.User); err != nil {
		return err
	}
	if err := os.MkdirAll(d.jobsDir(), 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(d.jobPath(j.ID), append(data, '\n'))
}

func (d *Dir) Job(_ context.Context, id string) (Job, error) {
	if err := CheckJobID(id); err != nil {
		return Job{}, fmt.Errorf("job %q: %w", id, ErrNotFound)
	}
	return readJob(d.jobPath(id))
}

func readJob(path string) (Job, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Job{}, fmt.Errorf("job %s: %w", filepath.Base(path), ErrNotFound)
	}
	var j Job
	if err == nil {
		if err = json.Unmarshal(data, &j); err != nil {
			err = fmt.Errorf("%s: %w", path, err)
		}
	}
	return j, err
}

func (d *Dir) Jobs(context.Context) ([]Job, error) { return d.jobs() }

func (d *Dir) UserJobs(_ context.Context, user string) ([]Job, error) {
	if err := milp.CheckUserID(user); err != nil {
		return nil, err
	}
	all, err := d.jobs()
	var mine []Job
	for _, j := range all {
		if j.User == user {
			mine = append(mine, j)
		}
	}
	return mine, err
}

// jobs reads every record; an unreadable one is skipped (a crash never
// leaves one, as each is renamed into place, but a hand edit might).
func (d *Dir) jobs() ([]Job, error) {
	entries, err := os.ReadDir(d.jobsDir())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var jobs []Job
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if j, err := readJob(filepath.Join(d.jobsDir(), e.Name())); err == nil {
			jobs = append(jobs, j)
		}
	}
	return jobs, nil
}
