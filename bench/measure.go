package bench

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"time"

	"github.com/milp-lite/milp-lite/kernels"
	"github.com/milp-lite/milp-lite/nn"
)

// MeasureModel measures prompt processing (tokens/s over a 128-token prompt)
// and generation (tokens/s over 64 tokens, one per forward pass) on the GGUF
// at path, with threads workers (0: the pool as it is), best of three.
func MeasureModel(path string, threads int) (pp, tg float64, err error) {
	if threads > 0 && threads != kernels.Default().Size() {
		kernels.SetDefaultSize(threads)
	}
	o := DefaultOptions()
	row, err := measureModel(path, o.PPTokens, o.TGTokens, 0, nn.KVF32, o.Reps, o.ModelTime, nil, nil)
	if err != nil {
		return 0, 0, err
	}
	return row.PPTokensPerS, row.TGTokensPerS, nil
}

// probeEvery spaces the probes made between a measurement's passes: often
// enough to catch the machine in each state it passes through, seldom
// enough that a small model's millisecond passes are not mostly probing.
const probeEvery = 100 * time.Millisecond

// measureModel loads the model at path and times a ppTokens prompt and
// tgTokens single-token steps, each repeated after a warm-up at least reps
// times and for at least minSeconds; the best time is kept. With depth > 0
// both start after depth tokens already in the cache (a long conversation;
// llama-bench's -d): the cache is filled once, untimed, and every pass
// rewinds to it. phase, if not nil, is told which test starts.
//
// With a prober, the generation passes alternate with bandwidth probes
// (pairedBandwidth, before a pass whenever probeEvery has gone by since the
// last), and the best of them is the row's own roofline, TGBandwidthGBs:
// the bandwidth is measured in the conditions the model ran in, as the Go
// benchmarks pair each pass with a probe. A VM can change under the
// program: its vCPUs may move between sharing one CCD and spanning two
// (each CCD bringing its own link to memory), which changes the bandwidth
// a pair of threads gets, and generation timed on one CCD against a
// bandwidth probed on two would compare two different machines. The FMA
// peak is each core's own and does not
// move with the placement: prompts are held to the run's best probe.
func measureModel(path string, ppTokens, tgTokens, depth int, kv nn.KVType, reps int, minSeconds float64, pr *prober, phase func(string)) (ModelRow, error) {
	if phase == nil {
		phase = func(string) {}
	}
	m, err := nn.Open(path)
	if err != nil {
		return ModelRow{}, err
	}
	defer m.Close()
	row := modelAccounting(m)
	row.Model = strings.TrimSuffix(filepath.Base(path), ".gguf")
	row.File = path

	c := &m.Config
	if depth == 0 { // a short context shortens the tests rather than stopping them
		ppTokens, tgTokens = min(ppTokens, c.ContextLen), min(tgTokens, c.ContextLen)
	}
	if depth < 0 || depth+max(ppTokens, tgTokens) > c.ContextLen {
		return row, fmt.Errorf("%s: its context is %d positions: a depth of %d and pp%d/tg%d do not fit",
			path, c.ContextLen, depth, ppTokens, tgTokens)
	}
	if ppTokens < 1 || tgTokens < 1 {
		return row, fmt.Errorf("%s: nothing to measure (pp%d, tg%d)", path, ppTokens, tgTokens)
	}
	st, err := m.NewStateWith(depth+max(ppTokens, tgTokens), nn.StateOptions{KV: kv})
	if err != nil {
		return row, fmt.Errorf("%s: %w", path, err)
	}
	// A fixed pseudo-random prompt, away from the special tokens: the
	// forward pass costs the same for any tokens, but a fixed one keeps
	// runs identical.
	rng := rand.New(rand.NewPCG(1, 2))
	tokens := make([]int32, depth+max(ppTokens, tgTokens))
	for i := range tokens {
		tokens[i] = int32(min(c.VocabSize-1, 3+rng.IntN(max(c.VocabSize-3, 1))))
	}
	reps = max(reps, 1)
	row.Depth = depth
	row.KVBytes = kvBytesPerToken(m, depth, tgTokens, kv)
	if kv != nn.KVF32 {
		row.KV = kv.String()
	}
	if depth > 0 {
		phase(fmt.Sprintf("filling the cache to %d tokens", depth))
		for p := 0; p < depth; p += 512 {
			if _, err := st.Forward(tokens[p:min(depth, p+512)], false); err != nil {
				return row, fmt.Errorf("%s: %w", path, err)
			}
		}
	}
	work := tokens[depth:]

	phase(fmt.Sprintf("pp%d", ppTokens))
	// The warm-up maps every weight page in and sizes the buffers.
	if _, err := st.Forward(work[:min(16, ppTokens)], false); err != nil {
		return row, fmt.Errorf("%s: %w", path, err)
	}
	best := time.Duration(1 << 62)
	for r, loop := 0, time.Now(); r < reps || time.Since(loop).Seconds() < minSeconds; r++ {
		st.Rewind(depth)
		start := time.Now()
		if _, err := st.Forward(work[:ppTokens], false); err != nil {
			return row, fmt.Errorf("%s: %w", path, err)
		}
		best = min(best, time.Since(start))
	}
	row.PPTokens = ppTokens
	row.PPTokensPerS = float64(ppTokens) / best.Seconds()
	row.PPGFLOPS = promptFLOPs(m, ppTokens, depth) / best.Seconds() / 1e9

	phase(fmt.Sprintf("tg%d", tgTokens))
	best = time.Duration(1 << 62)
	var lastProbe time.Time
	for r, loop := 0, time.Now(); r < reps || time.Since(loop).Seconds() < minSeconds; r++ {
		st.Rewind(depth)
		if r == 0 { // warm-up: the single-token path
			if _, err := st.Forward(work[:1], false); err != nil {
				return row, fmt.Errorf("%s: %w", path, err)
			}
			st.Rewind(depth)
		}
		if pr != nil && time.Since(lastProbe) >= probeEvery {
			row.TGBandwidthGBs = max(row.TGBandwidthGBs, pr.pairedBandwidth())
			lastProbe = time.Now()
		}
		start := time.Now()
		for i := 0; i < tgTokens; i++ {
			if _, err := st.Forward(work[i:i+1], false); err != nil {
				return row, fmt.Errorf("%s: %w", path, err)
			}
		}
		best = min(best, time.Since(start))
	}
	row.TGTokens = tgTokens
	row.TGTokensPerS = float64(tgTokens) / best.Seconds()
	row.TGGBs = float64(row.WeightBytes+row.KVBytes) * row.TGTokensPerS / 1e9
	return row, nil
}

// kvBytesPerToken is what generating one of tg tokens after depth reads of
// the KV cache, on average: the keys and values of every position up to
// its own, in every layer.
func kvBytesPerToken(m *nn.Model, depth, tg int, kv nn.KVType) int64 {
	perPosition := kv.PositionBytes(&m.Config)
	// Token i (from 0) reads depth+i+1 positions: depth + (tg+1)/2 on average.
	return perPosition * int64(2*depth+tg+1) / 2
}

// modelAccounting fills in what a model costs: the values in its matrices,
// the bytes of weights one generated token reads, and its matrix types.
//
// Generating a token reads every layer matrix and the output matrix once,
// but only one row of the token embedding; when the output is tied to the
// embedding, the table is counted once, as the output matrix.
func modelAccounting(m *nn.Model) ModelRow {
	w := m.Weights
	row := ModelRow{MatrixTypes: map[string]int{}}
	add := func(mat *kernels.Matrix) {
		row.Params += int64(mat.Rows) * int64(mat.Cols)
		row.WeightBytes += int64(len(mat.Data))
		row.MatrixTypes[mat.Type.String()]++
	}
	for i := range w.Layers {
		l := &w.Layers[i]
		for _, mat := range []*kernels.Matrix{l.Wq, l.Wk, l.Wv, l.Wo, l.Gate, l.Up, l.Down} {
			add(mat)
		}
	}
	add(w.Output)
	if w.Output != w.TokenEmbd {
		row.Params += int64(w.TokenEmbd.Rows) * int64(w.TokenEmbd.Cols)
		row.WeightBytes += int64(len(w.TokenEmbd.Data) / max(w.TokenEmbd.Rows, 1))
		row.MatrixTypes[w.TokenEmbd.Type.String()]++
	}
	row.Type = dominantType(row.MatrixTypes)
	return row
}

// dominantType is the type most matrices are stored in (ties: the first name).
func dominantType(counts map[string]int) string {
	best := ""
	for t, n := range counts {
		if best == "" || n > counts[best] || (n == counts[best] && t < best) {
			best = t
		}
	}
	return best
}

// promptFLOPs counts the floating-point operations of processing an n-token
// prompt from position depth: two per weight per token in the layer
// matrices, the output matrix once (only the last token's logits are
// computed), and attention, where the token at position p scores and mixes
// p+1 cached positions in every head (2·headDim operations each for Q·K and
// for the weighted sum of V).
func promptFLOPs(m *nn.Model, n, depth int) float64 {
	w, c := m.Weights, &m.Config
	var layer float64
	for i := range w.Layers {
		l := &w.Layers[i]
		for _, mat := range []*kernels.Matrix{l.Wq, l.Wk, l.Wv, l.Wo, l.Gate, l.Up, l.Down} {
			layer += float64(mat.Rows) * float64(mat.Cols)
		}
	}
	output := float64(w.Output.Rows) * float64(w.Output.Cols)
	pairs := float64(n)*float64(depth) + float64(n)*float64(n+1)/2
	attention := 4 * float64(c.HeadDim) * float64(c.Heads) * float64(c.Layers) * pairs
	return 2*layer*float64(n) + 2*output + attention
}
