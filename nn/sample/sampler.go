// Package sample picks the next token from a model's logits.
//
// The chain follows llama.cpp's default order: repetition penalty, top-k,
// top-p, min-p, temperature, then a seeded random draw. Temperature <= 0
// short-circuits to greedy decoding (argmax of the penalised logits, ties to
// the lowest id). A Sampler preallocates every buffer in New, so Sample does
// not allocate, and owns its PRNG (PCG from math/rand/v2) so a given Seed
// reproduces the same tokens.
package sample

import (
	"math"
	"math/rand/v2"
)

// Params configures a Sampler. The zero value is greedy decoding with no
// penalty.
type Params struct {
	Temperature float32 // <= 0 means greedy
	TopK        int     // <= 0 disables
	TopP        float32 // >= 1 (or <= 0) disables
	MinP        float32 // <= 0 disables
	// RepeatPenalty follows llama.cpp: each distinct token among the last
	// RepeatLastN of history has a positive logit divided by it and a
	// negative logit multiplied by it. 1 (and any value <= 0) disables.
	RepeatPenalty float32
	// RepeatLastN is how many recent tokens the penalty looks at: 0 means
	// the default 64, a negative value means the whole history.
	RepeatLastN int
	Seed        uint64
}

// DefaultRepeatLastN is the penalty window used when Params.RepeatLastN is 0.
const DefaultRepeatLastN = 64

// seedStream is PCG's second state word. It is fixed so Seed alone decides
// the sequence.
const seedStream = 0x9e3779b97f4a7c15

// candidate is a token still in the running, with its (penalised) logit.
type candidate struct {
	logit float32
	id    int32
}

// Sampler draws tokens under fixed Params. It is not safe for concurrent use.
type Sampler struct {
	p     Params
	vocab int
	pcg   *rand.PCG
	rng   *rand.Rand

	cands   []candidate // working set, capacity vocab
	weights []float64   // unnormalised probabilities of cands, capacity vocab
	buckets []float64   // top-p mass per logit band, nucleusBuckets long
	// penalised[id] == penaltyStamp marks id as already penalised in this
	// call; bumping the stamp clears the set without touching the array.
	penalised    []uint32
	penaltyStamp uint32
}

// New returns a Sampler for vocabularies of up to vocabSize tokens.
func New(p Params, vocabSize int) *Sampler {
	if vocabSize < 0 {
		vocabSize = 0
	}
	s := &Sampler{
		p:         p,
		vocab:     vocabSize,
		cands:     make([]candidate, vocabSize),
		weights:   make([]float64, vocabSize),
		buckets:   make([]float64, nucleusBuckets),
		penalised: make([]uint32, vocabSize),
	}
	s.pcg = rand.NewPCG(p.Seed, seedStream)
	s.rng = rand.New(s.pcg)
	return s
}

// Reset clears history-dependent state and reseeds the PRNG with
// Params.Seed, so the next Sample calls repeat those after New.
func (s *Sampler) Reset() {
	s.pcg.Seed(s.p.Seed, seedStream)
	clear(s.penalised)
	s.penaltyStamp = 0
}

// Sample returns the next token id. It applies the repetition penalty to
// logits in place, then filters and draws. Only the first vocabSize logits
// are considered; history ids outside the vocabulary are ignored. It returns
// -1 only when logits is empty.
func (s *Sampler) Sample(logits []float32, history []int32) int32 {
	if len(logits) > s.vocab {
		logits = logits[:s.vocab]
	}
	if len(logits) == 0 {
		return -1
	}
	s.applyRepeatPenalty(logits, history)
	if !(s.p.Temperature > 0) {
		return argmax(logits)
	}

	n := s.loadCandidates(logits)
	if n == 0 {
		// Every logit is NaN or -Inf: nothing has probability, so fall back
		// to the deterministic choice.
		return argmax(logits)
	}
	cands, sorted := s.filter(s.cands[:n])
	return s.draw(cands, sorted)
}

// filter runs top-k, top-p and min-p, returning the survivors and whether
// they are sorted by descending logit.
func (s *Sampler) filter(cands []candidate) ([]candidate, bool) {
	sorted := false
	if k := s.p.TopK; k > 0 && k < len(cands) {
		cands = topK(cands, k)
		sorted = true
	}
	if p := s.p.TopP; p > 0 && p < 1 {
		cands = topP(cands, float64(p), sorted, s.buckets)
		sorted = true
	}
	if m := s.p.MinP; m > 0 {
		cands = minP(cands, m, sorted)
	}
	return cands, sorted
}

// loadCandidates copies the drawable logits into the working set. NaN and
// -Inf logits can never be drawn, so they are dropped; +Inf is clamped to the
// largest float32 so softmax differences stay finite (several +Inf tokens
// then share the mass equally). This keeps the filters free of special cases.
func (s *Sampler) loadCandidates(logits []float32) int {
	n := 0
	for id, l := range logits {
		if l != l || math.IsInf(float64(l), -1) {
			continue
		}
		if math.IsInf(float64(l), 1) {
			l = math.MaxFloat32
		}
		s.cands[n] = candidate{logit: l, id: int32(id)}
		n++
	}
	return n
}

// argmax returns the index of the largest logit, the lowest index on ties.
// NaN never wins. Four running maxima (positions 0, 1, 2, 3 mod 4) are four
// independent chains of compares, where one chain waits on each compare
// before the next: greedy decoding scans the whole vocabulary per token,
// once per sequence of a batch. Where no value beats −Inf (all −Inf or NaN)
// the scan in order decides.
func argmax(logits []float32) int32 {
	n := len(logits) &^ 3
	var lane [4]struct {
		v float32
		i int
	}
	for j := range lane {
		lane[j].v, lane[j].i = float32(math.Inf(-1)), -1
	}
	for i := 0; i < n; i += 4 {
		l := logits[i : i+4 : i+4]
		if l[0] > lane[0].v {
			lane[0].v, lane[0].i = l[0], i
		}
		if l[1] > lane[1].v {
			lane[1].v, lane[1].i = l[1], i+1
		}
		if l[2] > lane[2].v {
			lane[2].v, lane[2].i = l[2], i+2
		}
		if l[3] > lane[3].v {
			lane[3].v, lane[3].i = l[3], i+3
		}
	}
	best, bv := lane[0].i, lane[0].v
	for _, c := range lane[1:] {
		if c.i >= 0 && (c.v > bv || c.v == bv && (best < 0 || c.i < best)) {
			best, bv = c.i, c.v
		}
	}
	for i := n; i < len(logits); i++ { // past every lane's index: ties keep best
		if logits[i] > bv {
			best, bv = i, logits[i]
		}
	}
	if best < 0 {
		return argmaxInOrder(logits)
	}
	return int32(best)
}

// argmaxInOrder is argmax one value at a time.
func argmaxInOrder(logits []float32) int32 {
	best := 0
	for i := 1; i < len(logits); i++ {
		if logits[i] > logits[best] || logits[best] != logits[best] {
			best = i
		}
	}
	return int32(best)
}

// draw samples one candidate with probability softmax(logit/T).
func (s *Sampler) draw(cands []candidate, sorted bool) int32 {
	maxLogit := cands[0].logit
	if !sorted {
		for _, c := range cands[1:] {
			maxLogit = max(maxLogit, c.logit)
		}
	}
	invT := 1 / float64(s.p.Temperature)
	w := s.weights[:len(cands)]
	total := 0.0
	for i, c := range cands {
		w[i] = math.Exp(float64(c.logit-maxLogit) * invT)
		total += w[i]
	}
	u := s.rng.Float64() * total
	acc := 0.0
	for i, c := range cands {
		acc += w[i]
		if u < acc {
			return c.id
		}
	}
	// Rounding left u at or beyond the final sum: the last candidate with
	// weight takes it.
	for i := len(cands) - 1; i >= 0; i-- {
		if w[i] > 0 {
			return cands[i].id
		}
	}
	return cands[0].id
}
