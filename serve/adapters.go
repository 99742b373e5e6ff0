package serve

import (
	"container/list"
	"context"
	"fmt"
	"sync"

	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/store"
)

// adapterCache holds users' adapters in memory, least recently used first
// out, within a byte budget: ten thousand users on disk never means ten
// thousand adapters in memory. A request holds on to the adapter it started
// with, so a stream in flight finishes on it even after a new version
// replaced it here.
type adapterCache struct {
	model  *nn.Model
	store  store.Store
	budget int64

	mu      sync.Mutex
	used    int64
	byUser  map[string]*list.Element
	lru     *list.List // of *cachedAdapter, most recent at the front
	hits    func()
	misses  func()
	loading map[string]*loadLock // one load per user at a time, while anyone loads theirs
}

type cachedAdapter struct {
	user    string
	version int
	adapter *lora.Adapter
	bytes   int64
}

func newAdapterCache(m *nn.Model, st store.Store, budget int64) *adapterCache {
	return &adapterCache{model: m, store: st, budget: budget, byUser: map[string]*list.Element{}, lru: list.New(),
		hits: func() {}, misses: func() {}, loading: map[string]*loadLock{}}
}

// get is the user's current adapter and its version (nil and 0 without one).
// Every call reads the version record from the store (a file, or one KV
// get): that read is what lets every node of a cluster answer with a new
// version as soon as it is installed, whatever became of the NATS servers
// in between. A KV watch cannot promise that: a watch whose consumer was on
// a stopped server notices only when two of its 5 s heartbeats are missed.
func (c *adapterCache) get(ctx context.Context, id string) (*lora.Adapter, int, error) {
	info, err := c.store.AdapterInfo(ctx, id)
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
		l = &loadLock{}
		c.loading[id] = l
	}
	l.holders++
	c.mu.Unlock()
	want := info.Version
	l.Lock()
	defer c.unlockLoad(id, l)
	c.mu.Lock()
	if e, ok := c.byUser[id]; ok && e.Value.(*cachedAdapter).version == info.Version {
		c.mu.Unlock()
		return e.Value.(*cachedAdapter).adapter, info.Version, nil
	}
	c.mu.Unlock()
	c.misses()
	info, data, err := c.store.Adapter(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	if info.Version < want { // a replica behind the one that answered first: it catches up within moments
		return nil, 0, fmt.Errorf("the adapter of %s: its record says version %d, version %d was read; retry", id, want, info.Version)
	}
	a, err := parseAdapter(data, c.model)
	if err != nil {
		return nil, 0, fmt.Errorf("the adapter of %s, version %d: %w", id, info.Version, err)
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

// loadLock serialises one user's loads; holders counts those holding or
// waiting for it, so the map keeps entries only for users being loaded.
type loadLock struct {
	sync.Mutex
	holders int
}

// unlockLoad releases l and forgets it when no one else wants it.
func (c *adapterCache) unlockLoad(id string, l *loadLock) {
	l.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if l.holders--; l.holders == 0 && c.loading[id] == l {
		delete(c.loading, id)
	}
}

// drop forgets the user's adapter (a new version, or the user deleted).
func (c *adapterCache) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.dropLocked(id)
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
