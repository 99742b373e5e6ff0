package serve

import "github.com/milp-lite/milp-lite/nn"

// A server's memory is bounded by its options: the model's weights (mapped
// from its file, and on the Go heap the copies generation's kernels make of
// them, at most their size), the KV caches' budget and the adapter cache.
// HeapLimit is the Go-managed part, which a server's process sets as its
// soft memory limit: otherwise the collector lets garbage (evicted
// adapters, finished requests) grow the heap to twice what is live, as
// GOGC's default allows, and resident memory past the budget.

// KVBudget is the KV caches' budget a batch of o gets by default: a cache
// of the whole context for every sequence, its capacity rounded up to 256
// positions as the batch's pool rounds it.
func KVBudget(m *nn.Model, o nn.BatchOptions) int64 {
	positions := (o.Ctx + 255) / 256 * 256
	return int64(o.MaxSeqs) * int64(positions) * o.KV.PositionBytes(&m.Config)
}

// heapMargin is what a server allocates beyond its bounded parts:
// activations, requests in flight, the runtime.
const heapMargin = 64 << 20

// HeapLimit is the Go memory the server needs at most: a copy of the
// model's weights, the KV budget and the adapter cache, plus 10% of these
// and heapMargin.
func (s *Server) HeapLimit() int64 {
	var weights int64
	for i := range s.model.File.Tensors {
		weights += int64(s.model.File.Tensors[i].Bytes())
	}
	return (weights+s.opts.Batch.KVBytes+s.opts.AdapterCache)*11/10 + heapMargin
}
