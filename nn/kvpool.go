package nn

import (
	"fmt"

	"github.com/milp-lite/milp-lite/kernels"
)

// kvCache is one sequence's keys and values: per layer, capacity rows of
// KVDim, in the layout kernels.Attention reads.
type kvCache struct {
	keys, values     [][]float32 // KVF32
	keys16, values16 [][]uint16  // KVF16
	capacity         int         // positions
}

// store writes the keys and values k and v of layer l at offset off (a
// position times KVDim), rounded to halves in a cache of halves, and points
// args at the layer's cache.
func (c *kvCache) store(l, off int, k, v []float32, args *kernels.AttentionArgs) {
	if c.keys16 != nil {
		kernels.F16FromF32(c.keys16[l][off:], k)
		kernels.F16FromF32(c.values16[l][off:], v)
		args.K16, args.V16 = c.keys16[l], c.values16[l]
		return
	}
	copy(c.keys[l][off:], k)
	copy(c.values[l][off:], v)
	args.K, args.V = c.keys[l], c.values[l]
}

// kvPool lends KV caches to a Batch's sequences within a byte budget. A
// finished sequence's cache comes back to the pool and serves the next one
// of its size class; the pool frees idle caches to make room, and never
// holds more than its budget.
type kvPool struct {
	kv            KVType
	layers, kvDim int
	budget        int64 // bytes
	held          int64 // bytes of every cache the pool has made and still holds (lent or idle)
	idle          map[int][]*kvCache
}

// kvQuantum rounds a cache's capacity up, so that finished sequences' caches
// serve later ones of about the same length.
const kvQuantum = 256

func newKVPool(c *Config, kv KVType, budget int64) *kvPool {
	return &kvPool{kv: kv, layers: c.Layers, kvDim: c.KVDim(), budget: budget, idle: map[int][]*kvCache{}}
}

// bytes is what a cache of capacity positions takes: keys and values.
func (p *kvPool) bytes(capacity int) int64 {
	return int64(capacity) * int64(p.layers) * int64(p.kvDim) * 2 * int64(p.kv.Bytes())
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
	c := &kvCache{capacity: class}
	if p.kv == KVF16 {
		c.keys16, c.values16 = makeRows[uint16](p.layers, class*p.kvDim), makeRows[uint16](p.layers, class*p.kvDim)
	} else {
		c.keys, c.values = makeRows[float32](p.layers, class*p.kvDim), makeRows[float32](p.layers, class*p.kvDim)
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
