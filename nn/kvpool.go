package nn

import "fmt"

// kvCache is one sequence's keys and values: per layer, capacity rows of
// KVDim, in the layout kernels.Attention reads.
type kvCache struct {
	keys, values [][]float32
	capacity     int // positions
}

// kvPool lends KV caches to a Batch's sequences within a byte budget. A
// finished sequence's cache comes back to the pool and serves the next one
// of its size class; the pool frees idle caches to make room, and never
// holds more than its budget.
type kvPool struct {
	layers, kvDim int
	budget        int64 // bytes
	held          int64 // bytes of every cache the pool has made and still holds (lent or idle)
	idle          map[int][]*kvCache
}

// kvQuantum rounds a cache's capacity up, so that finished sequences' caches
// serve later ones of about the same length.
const kvQuantum = 256

func newKVPool(c *Config, budget int64) *kvPool {
	return &kvPool{layers: c.Layers, kvDim: c.KVDim(), budget: budget, idle: map[int][]*kvCache{}}
}

// bytes is what a cache of capacity positions takes (F32 keys and values).
func (p *kvPool) bytes(capacity int) int64 {
	return int64(capacity) * int64(p.layers) * int64(p.kvDim) * 2 * 4
}

// sizeClass is the capacity a cache for positions gets.
func sizeClass(positions int) int { return (positions + kvQuantum - 1) / kvQuantum * kvQuantum }

// fits reports whether a cache for positions could ever be lent.
func (p *kvPool) fits(positions int) error {
	if need := p.bytes(sizeClass(positions)); need > p.budget {
		return fmt.Errorf("a KV cache for %d positions takes %d bytes, more than the budget of %d", positions, need, p.budget)
	}
	return nil
}

// get lends a cache of at least positions, or nil when the budget has no
// room for it now.
func (p *kvPool) get(positions int) *kvCache {
	class := sizeClass(positions)
	if list := p.idle[class]; len(list) > 0 {
		c := list[len(list)-1]
		p.idle[class] = list[:len(list)-1]
		return c
	}
	need := p.bytes(class)
	for p.held+need > p.budget {
		if !p.dropIdle() {
			return nil
		}
	}
	p.held += need
	c := &kvCache{keys: make([][]float32, p.layers), values: make([][]float32, p.layers), capacity: class}
	for l := range c.keys {
		c.keys[l] = make([]float32, class*p.kvDim)
		c.values[l] = make([]float32, class*p.kvDim)
	}
	return c
}

// put takes a cache back.
func (p *kvPool) put(c *kvCache) { p.idle[c.capacity] = append(p.idle[c.capacity], c) }

// dropIdle frees one idle cache, the largest; false when there is none.
func (p *kvPool) dropIdle() bool {
	best := 0
	for class, list := range p.idle {
		if len(list) > 0 && class > best {
			best = class
		}
	}
	if best == 0 {
		return false
	}
	list := p.idle[best]
	p.idle[best] = list[:len(list)-1]
	p.held -= p.bytes(best)
	return true
}
