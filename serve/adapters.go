package serve

import (
	"container/list"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/milp-lite/milp-lite/internal/atomicfile"
	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/milp"
	"github.com/milp-lite/milp-lite/nn"
)

// adapterInfo is <user>/adapter.json: the version of the user's adapter,
// which goes up by one each time the server installs a new one (a job's or
// an upload's). An adapter written by the command line has none: it is
// version 1.
type adapterInfo struct {
	Version   int       `json:"version"`
	Source    string    `json:"source"` // personalise, consolidate, upload, command line
	Installed time.Time `json:"installed"`
}

func adapterInfoPath(st milp.Store, id string) string {
	return filepath.Join(st.UserDir(id), "adapter.json")
}

// readAdapterInfo is the user's adapter version; version 0 means none.
func readAdapterInfo(st milp.Store, id string) (adapterInfo, error) {
	if _, err := os.Stat(st.AdapterPath(id)); errors.Is(err, fs.ErrNotExist) {
		return adapterInfo{}, nil
	} else if err != nil {
		return adapterInfo{}, err
	}
	data, err := os.ReadFile(adapterInfoPath(st, id))
	if errors.Is(err, fs.ErrNotExist) {
		return adapterInfo{Version: 1, Source: "command line"}, nil
	}
	if err != nil {
		return adapterInfo{}, err
	}
	var info adapterInfo
	if err := json.Unmarshal(data, &info); err != nil {
		return adapterInfo{}, err
	}
	return info, nil
}

// adapterCache holds users' adapters in memory, least recently used first
// out, within a byte budget: ten thousand users on disk never means ten
// thousand adapters in memory. A request holds on to the adapter it started
// with, so a stream in flight finishes on it even after a new version
// replaced it here.
type adapterCache struct {
	model  *nn.Model
	store  milp.Store
	budget int64

	mu      sync.Mutex
	used    int64
	byUser  map[string]*list.Element
	lru     *list.List // of *cachedAdapter, most recent at the front
	hits    func()
	misses  func()
	loading map[string]*sync.Mutex // one load per user at a time
}

type cachedAdapter struct {
	user    string
	version int
	adapter *lora.Adapter
	bytes   int64
}

func newAdapterCache(m *nn.Model, st milp.Store, budget int64) *adapterCache {
	return &adapterCache{model: m, store: st, budget: budget, byUser: map[string]*list.Element{}, lru: list.New(),
		hits: func() {}, misses: func() {}, loading: map[string]*sync.Mutex{}}
}

// get is the user's current adapter and its version (nil and 0 without one).
func (c *adapterCache) get(id string) (*lora.Adapter, int, error) {
	info, err := readAdapterInfo(c.store, id)
	if err != nil || info.Version == 0 {
		return nil, 0, err
	}
	c.mu.Lock()
	if e, ok := c.byUser[id]; ok && e.Value.(*cachedAdapter).version == info.Version {
		c.lru.MoveToFront(e)
		c.mu.Unlock()
		c.hits()
		return e.Value.(*cachedAdapter).adapter, info.Version, nil
	}
	l := c.loading[id]
	if l == nil {
		l = &sync.Mutex{}
		c.loading[id] = l
	}
	c.mu.Unlock()
	l.Lock()
	defer l.Unlock()
	c.mu.Lock()
	if e, ok := c.byUser[id]; ok && e.Value.(*cachedAdapter).version == info.Version {
		c.mu.Unlock()
		return e.Value.(*cachedAdapter).adapter, info.Version, nil
	}
	c.mu.Unlock()
	c.misses()
	a, err := lora.Load(c.store.AdapterPath(id), c.model)
	if err != nil {
		return nil, 0, err
	}
	a.UseHalves() // a batch's rows each with their own adapter read its factors at half the bytes
	c.put(&cachedAdapter{user: id, version: info.Version, adapter: a, bytes: a.MemoryBytes()})
	return a, info.Version, nil
}

// put adds an entry, replacing the user's older one and evicting the least
// recently used ones past the budget (an adapter larger than the whole
// budget is used but not kept).
func (c *adapterCache) put(e *cachedAdapter) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropLocked(e.user)
	if e.bytes > c.budget {
		return
	}
	for c.used+e.bytes > c.budget && c.lru.Len() > 0 {
		c.dropLocked(c.lru.Back().Value.(*cachedAdapter).user)
	}
	c.byUser[e.user] = c.lru.PushFront(e)
	c.used += e.bytes
}

// drop forgets the user's adapter (a new version, or the user deleted).
func (c *adapterCache) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropLocked(id)
	delete(c.loading, id)
}

func (c *adapterCache) dropLocked(id string) {
	if e, ok := c.byUser[id]; ok {
		c.used -= e.Value.(*cachedAdapter).bytes
		c.lru.Remove(e)
		delete(c.byUser, id)
	}
}

// stats are the cache's bytes and entries.
func (c *adapterCache) stats() (int64, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used, c.lru.Len()
}

func installAdapter(st milp.Store, id string, prev int, source string, write func(path string) error) (int, error) {
	if err := os.MkdirAll(st.UserDir(id), 0o755); err != nil {
		return 0, err
	}
	if write != nil {
		if err := write(st.AdapterPath(id)); err != nil {
			return 0, err
		}
	}
	next := adapterInfo{Version: prev + 1, Source: source, Installed: time.Now().UTC()}
	data, _ := json.Marshal(next)
	if err := atomicfile.WriteFile(adapterInfoPath(st, id), data); err != nil {
		return 0, err
	}
	return next.Version, nil
}
