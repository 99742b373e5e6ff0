package nn

import (
	"fmt"

	"github.com/milp-lite/milp-lite/kernels"
)

// kvCache is one sequence's keys and values: per layer, KV head by KV head,
// capacity rows of HeadDim values each (the layout kernels.Attention reads).
type kvCache struct {
	keys, values     [][]float32 // KVF32
	keys16, values16 [][]uint16  // KVF16
	keys8, values8   [][]int8    // KVQ8, with one scale a row:
	kScales, vScales [][]float32 // head g's row p at g·capacity + p
	capacity         int         // positions
	heads, headDim   int         // KV heads and their size
}

// newKVCache makes a cache of capacity positions for c's layers.
func newKVCache(c *Config, kv KVType, capacity int) kvCache {
	kc := kvCache{capacity: capacity, heads: c.KVHeads, headDim: c.HeadDim}
	n := capacity * c.KVDim()
	switch kv {
	case KVF16:
		kc.keys16, kc.values16 = makeRows[uint16](c.Layers, n), makeRows[uint16](c.Layers, n)
	case KVQ8:
		kc.keys8, kc.values8 = makeRows[int8](c.Layers, n), makeRows[int8](c.Layers, n)
		rows := capacity * c.KVHeads
		kc.kScales, kc.vScales = makeRows[float32](c.Layers, rows), makeRows[float32](c.Layers, rows)
	default:
		kc.keys, kc.values = makeRows[float32](c.Layers, n), makeRows[float32](c.Layers, n)
	}
	return kc
}

// store writes the keys and values k and v of layer l (rows of KVDim, for
// positions pos onwards) head by head into the cache, rounded to halves in
// a cache of halves, to bytes and a scale in an 8-bit one, and points args
// at the layer's cache.
func (c *kvCache) store(l, pos int, k, v []float32, args *kernels.AttentionArgs) {
	hd, stride := c.headDim, c.capacity*c.headDim
	rowLen := c.heads * hd
	for r := range len(k) / rowLen {
		for g := range c.heads {
			src, dst := r*rowLen+g*hd, g*stride+(pos+r)*hd
			switch {
			case c.keys16 != nil:
				kernels.F16FromF32(c.keys16[l][dst:dst+hd], k[src:src+hd])
				kernels.F16FromF32(c.values16[l][dst:dst+hd], v[src:src+hd])
			case c.keys8 != nil:
				row := dst / hd
				kernels.QuantizeRowsQ8(k[src:src+hd], c.keys8[l][dst:dst+hd], c.kScales[l][row:row+1], hd)
				kernels.QuantizeRowsQ8(v[src:src+hd], c.values8[l][dst:dst+hd], c.vScales[l][row:row+1], hd)
			default:
				copy(c.keys[l][dst:dst+hd], k[src:src+hd])
				copy(c.values[l][dst:dst+hd], v[src:src+hd])
			}
		}
	}
	args.HeadStride = stride
	switch {
	case c.keys16 != nil:
		args.K16, args.V16 = c.keys16[l], c.values16[l]
	case c.keys8 != nil:
		args.K8, args.V8, args.KS, args.VS = c.keys8[l], c.values8[l], c.kScales[l], c.vScales[l]
	default:
		args.K, args.V = c.keys[l], c.values[l]
	}
}

// kvPool lends KV caches to a Batch's sequences within a byte budget. A
// finished sequence's cache comes back to the pool and serves the next one
// of its size class; the pool frees idle caches to make room, and never
// holds more than its budget.
type kvPool struct {
	kv     KVType
	config *Config
	budget int64 // bytes
	held   int64 // bytes of every cache the pool has made and still holds (lent or idle)
	idle   map[int][]*kvCache
}

// kvQuantum rounds a cache's capacity up, so that finished sequences' caches
// serve later ones of about the same length.
const kvQuantum = 256

func newKVPool(c *Config, kv KVType, budget int64) *kvPool {
	return &kvPool{kv: kv, config: c, budget: budget, idle: map[int][]*kvCache{}}
}

// bytes is what a cache of capacity positions takes: keys and values.
func (p *kvPool) bytes(capacity int) int64 {
	return int64(capacity) * p.kv.PositionBytes(p.config)
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
	c := newKVCache(p.config, p.kv, class)
	return &c
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
