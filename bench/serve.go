package bench

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/nn/sample"
)

// ServeOptions shape `milp-lite bench serve`: synthetic users, each with an
// adapter of their own, sending prompts to one model at once.
type ServeOptions struct {
	Model       string        // GGUF file
	Users       int           // concurrent users
	Rank        int           // each user's adapter: this rank on every FFN site of every layer
	PromptMin   int           // prompt tokens, drawn uniformly from [PromptMin, PromptMax]
	PromptMax   int           //
	ReplyTokens int           // tokens generated per reply
	Spread      time.Duration // the users arrive spread evenly over this time
	JoinPrompt  int           // a prompt of this many tokens joins once every user has arrived (0: none)
	StepTokens  int           // token rows a step runs at most
	ChunkTokens int           // prompt tokens one sequence feeds in one step at most
	// GeneratingStepTokens bounds a step's rows while replies stream
	// (nn.BatchOptions.GeneratingStepTokens).
	GeneratingStepTokens int
	// StepTime paces the steps while replies stream
	// (nn.BatchOptions.StepTime; 0: rows only).
	StepTime time.Duration
	Seed     uint64
	KV       nn.KVType // how the KV caches store keys and values
	// ProbeSeconds is how long the bandwidth and FMA probes run each (at
	// least three passes).
	ProbeSeconds float64
}

// ServeResult is what the serving benchmark measured. Token rates count
// generated tokens; times are in milliseconds.
type ServeResult struct {
	Model               string  `json:"model"`
	Type                string  `json:"type"`
	Users               int     `json:"users"`
	Rank                int     `json:"rank"`
	KV                  string  `json:"kv"`
	AggregateTokensPerS float64 `json:"aggregate_tokens_per_s"`
	// DecodeTokensPerS is the batched run's tokens over the time of its
	// steps that read no prompt: the rate of the users generating, where
	// the aggregate also pays for reading every prompt.
	DecodeTokensPerS float64 `json:"decode_tokens_per_s"`
	// TogetherTokensPerS is the users arriving at once, over the steps in
	// which every one of them draws a token (llama-batched-bench's S_TG):
	// the batch's generation rate at its full size, with no prompt, no
	// user yet to come and none gone (the median of togetherRounds runs,
	// alternating with those without adapters).
	TogetherTokensPerS   float64 `json:"together_tokens_per_s"`
	TogetherNoAdapter    float64 `json:"together_no_adapter_tokens_per_s"` // the same with no adapters
	PromptTokens         int     `json:"prompt_tokens"`                    // read in the batched run,
	GeneratedTokens      int     `json:"generated_tokens"`                 // and drawn in it
	NoAdapterAggregate   float64 `json:"no_adapter_aggregate_tokens_per_s"`
	SingleUserTokensPerS float64 `json:"single_user_tokens_per_s"`
	SequentialTokensPerS float64 `json:"sequential_tokens_per_s"`
	PerUserTokensPerS    float64 `json:"per_user_tokens_per_s"` // median over users, from first token to last
	TTFTP50ms            float64 `json:"ttft_p50_ms"`
	TTFTP99ms            float64 `json:"ttft_p99_ms"`
	ITLP50ms             float64 `json:"itl_p50_ms"`
	ITLP99ms             float64 `json:"itl_p99_ms"`
	SingleUserITLP99ms   float64 `json:"single_user_itl_p99_ms"`
	WeightBytesPerStep   int64   `json:"weight_bytes_per_step"`
	AdapterBytesPerUser  int64   `json:"adapter_bytes_per_user"`
	MeanRowsPerStep      float64 `json:"mean_rows_per_step"`
	LoRAShare            float64 `json:"lora_share"`      // of the batched run's step time
	AttentionShare       float64 `json:"attention_share"` // likewise
	BandwidthGBs         float64 `json:"bandwidth_gb_s"`
	PeakGFLOPS           float64 `json:"peak_gflop_s"`
	SingleUserLimit      float64 `json:"single_user_limit_tokens_per_s"` // bandwidth ÷ weight bytes per token
	BatchLimit           float64 `json:"batch_limit_tokens_per_s"`       // FMA peak ÷ FLOPs per token
	StepTimeMs           float64 `json:"step_time_ms"`                   // the steps' pace while replies stream (0: rows only)
	JoinPrompt           int     `json:"join_prompt"`
	ReplyTokens          int     `json:"reply_tokens"`
	PromptMin            int     `json:"prompt_min"`
	PromptMax            int     `json:"prompt_max"`
}

// togetherRounds is how many times the users arriving together run with
// their adapters, and without.
const togetherRounds = 3

// togetherRate is the users' generation rate when all arrive at once, over
// the steps in which every one of them draws a token (0 if there were none:
// the first reply ended before the last prompt was read).
func togetherRate(m *nn.Model, o nn.BatchOptions, users []serveUser, reply int) (float64, error) {
	together := slices.Clone(users)
	for i := range together {
		together[i].arrival = 0
	}
	st, err := runLoad(m, o, together, nil, reply)
	if err != nil || st.fullTime == 0 {
		return 0, err
	}
	return float64(st.fullTokens) / st.fullTime.Seconds(), nil
}

// serveUser is one synthetic user's request.
type serveUser struct {
	prompt  []int32
	adapter nn.Adapter
	arrival time.Duration
	joiner  bool // the long prompt joining mid-run: its latencies are not the users'
}

// loadStats is one run of a load.
type loadStats struct {
	tokens int
	prompt int // prompt tokens read
	wall   time.Duration
	// decodeTokens and decodeTime count the steps that read no prompt;
	// fullTokens and fullTime those in which every user of the load drew a
	// token.
	decodeTokens, fullTokens int
	decodeTime, fullTime     time.Duration
	ttft, itl                []float64 // ms, of the measured users
	perUser                  []float64 // tokens/s from first token to last
	profile                  nn.BatchProfile
}

// MeasureServe runs the load five ways: batched with every user's adapter,
// batched without adapters, the users arriving together (with and without
// adapters), one user alone (before and after them), and the users one
// after another.
func MeasureServe(o ServeOptions, phase func(string)) (*ServeResult, error) {
	m, err := nn.Open(o.Model)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	c := &m.Config
	if o.PromptMin < 1 || o.PromptMax < o.PromptMin || o.Users < 1 || o.ReplyTokens < 1 {
		return nil, fmt.Errorf("bench serve: users, prompts and replies must be positive, prompts min ≤ max")
	}
	ctx := max(o.PromptMax, o.JoinPrompt) + o.ReplyTokens
	if ctx > c.ContextLen {
		return nil, fmt.Errorf("bench serve: prompts of %d tokens and replies of %d do not fit the model's context of %d", max(o.PromptMax, o.JoinPrompt), o.ReplyTokens, c.ContextLen)
	}
	acct := modelAccounting(m)
	res := &ServeResult{Model: o.Model, Type: acct.Type, Users: o.Users, Rank: o.Rank, KV: o.KV.String(), WeightBytesPerStep: acct.WeightBytes,
		StepTimeMs: ms(o.StepTime), JoinPrompt: o.JoinPrompt, ReplyTokens: o.ReplyTokens, PromptMin: o.PromptMin, PromptMax: o.PromptMax}

	phase("machine limits")
	pr := newProber()
	res.BandwidthGBs, _ = pr.bandwidth(o.ProbeSeconds)
	res.PeakGFLOPS, _ = pr.peakFLOPS(o.ProbeSeconds)
	res.SingleUserLimit = res.BandwidthGBs * 1e9 / float64(acct.WeightBytes)
	res.BatchLimit = res.PeakGFLOPS * 1e9 / (2 * float64(acct.Params))

	rng := rand.New(rand.NewPCG(o.Seed, 0x5e7))
	users := make([]serveUser, o.Users)
	for i := range users {
		users[i].prompt = randomPrompt(rng, o.PromptMin+rng.IntN(o.PromptMax-o.PromptMin+1), c.VocabSize)
		if o.Users > 1 {
			users[i].arrival = o.Spread * time.Duration(i) / time.Duration(o.Users-1)
		}
	}
	if o.Rank > 0 {
		phase(fmt.Sprintf("%d adapters of rank %d", o.Users, o.Rank))
		for i := range users {
			a, err := randomAdapter(m, o.Rank, o.Seed+uint64(i))
			if err != nil {
				return nil, err
			}
			users[i].adapter = a
		}
		res.AdapterBytesPerUser = adapterBytes(m, o.Rank)
	}
	opts := nn.BatchOptions{MaxSeqs: o.Users + 1, StepTokens: o.StepTokens, ChunkTokens: o.ChunkTokens, GeneratingStepTokens: o.GeneratingStepTokens, StepTime: o.StepTime, Ctx: ctx, Profile: true, KV: o.KV}
	var join []serveUser
	if o.JoinPrompt > 0 {
		join = []serveUser{{prompt: randomPrompt(rng, o.JoinPrompt, c.VocabSize), arrival: o.Spread, joiner: true}}
	}

	phase(fmt.Sprintf("%d users at once, each with their adapter", o.Users))
	batched, err := runLoad(m, opts, users, join, o.ReplyTokens)
	if err != nil {
		return nil, err
	}
	res.AggregateTokensPerS = float64(batched.tokens) / batched.wall.Seconds()
	res.DecodeTokensPerS = float64(batched.decodeTokens) / batched.decodeTime.Seconds()
	res.PromptTokens, res.GeneratedTokens = batched.prompt, batched.tokens
	res.TTFTP50ms, res.TTFTP99ms = percentile(batched.ttft, 50), percentile(batched.ttft, 99)
	res.ITLP50ms, res.ITLP99ms = percentile(batched.itl, 50), percentile(batched.itl, 99)
	res.PerUserTokensPerS = percentile(batched.perUser, 50)
	p := batched.profile
	res.MeanRowsPerStep = float64(p.Rows) / float64(max(p.Steps, 1))
	res.LoRAShare = p.LoRA.Seconds() / p.Step.Seconds()
	res.AttentionShare = p.Attend.Seconds() / p.Step.Seconds()

	phase(fmt.Sprintf("%d users at once, no adapters", o.Users))
	plain := slices.Clone(users)
	for i := range plain {
		plain[i].adapter = nil
	}
	noAd, err := runLoad(m, opts, plain, join, o.ReplyTokens)
	if err != nil {
		return nil, err
	}
	res.NoAdapterAggregate = float64(noAd.tokens) / noAd.wall.Seconds()

	// One user alone is measured before and after the users arriving
	// together, and the two runs pooled: a shared host's speed drifts over a
	// run, and the ratio of the two rates is what the benchmark reports.
	alone := users[0]
	alone.arrival = 0
	phase("one user alone")
	before, err := runLoad(m, opts, []serveUser{alone}, nil, o.ReplyTokens)
	if err != nil {
		return nil, err
	}

	// The users arriving at once run unpaced: pacing is for the replies'
	// latency while prompts join, and paced prompts would stagger the users'
	// starts so that the batch is never whole.
	unpaced := opts
	unpaced.StepTime = 0
	// With and without adapters alternate, togetherRounds times each, and
	// the medians are reported: one run of each differed by up to a third
	// either way on a shared host, more than the adapters' cost itself.
	var with, without []float64
	for round := range togetherRounds {
		phase(fmt.Sprintf("%d users arriving together, with and without adapters (%d of %d)", o.Users, round+1, togetherRounds))
		w, err := togetherRate(m, unpaced, users, o.ReplyTokens)
		if err != nil {
			return nil, err
		}
		wo, err := togetherRate(m, unpaced, plain, o.ReplyTokens)
		if err != nil {
			return nil, err
		}
		with, without = append(with, w), append(without, wo)
	}
	res.TogetherTokensPerS, res.TogetherNoAdapter = median(with), median(without)

	phase("one user alone, again")
	after, err := runLoad(m, opts, []serveUser{alone}, nil, o.ReplyTokens)
	if err != nil {
		return nil, err
	}
	// Both runs draw the same tokens: the pooled rate is the harmonic mean.
	res.SingleUserTokensPerS = 2 / (1/before.perUser[0] + 1/after.perUser[0])
	res.SingleUserITLP99ms = percentile(append(before.itl, after.itl...), 99)

	phase("the users one after another")
	seqOpts := opts
	seqOpts.MaxSeqs = 1
	queued := slices.Clone(users)
	for i := range queued {
		queued[i].arrival = 0
	}
	sequential, err := runLoad(m, seqOpts, queued, nil, o.ReplyTokens)
	if err != nil {
		return nil, err
	}
	res.SequentialTokensPerS = float64(sequential.tokens) / sequential.wall.Seconds()
	return res, nil
}

// runLoad serves the users and the joiners on a new batch, each arriving at its time, and times every token:
// a token is out when the step that drew it ends.
func runLoad(m *nn.Model, o nn.BatchOptions, users, joiners []serveUser, reply int) (*loadStats, error) {
	b, err := m.NewBatch(o)
	if err != nil {
		return nil, err
	}
	all := append(slices.Clone(users), joiners...)
	slices.SortStableFunc(all, func(a, b serveUser) int { return int(a.arrival - b.arrival) })
	measured := map[*nn.Sequence]bool{}
	seqs := make([]*nn.Sequence, len(all))
	arrived := make([]time.Time, len(all))
	times := make([][]time.Time, len(all))
	st := &loadStats{}
	start := time.Now()
	next := 0
	for {
		now := time.Since(start)
		for next < len(all) && all[next].arrival <= now {
			u := all[next]
			s := &nn.Sequence{Prompt: u.prompt, MaxTokens: reply, Sampler: sample.New(sample.Params{Temperature: 0}, m.Config.VocabSize)}
			if u.adapter != nil {
				s.Adapters = []nn.Adapter{u.adapter}
			}
			if err := b.Add(s); err != nil {
				return nil, err
			}
			measured[s] = !u.joiner
			seqs[next], arrived[next] = s, time.Now()
			next++
		}
		stepStart, rowsBefore := time.Now(), b.Profile.Rows
		left := b.Step()
		stepEnd := time.Now()
		drawn := 0
		for i, s := range seqs[:next] {
			for len(times[i]) < len(s.Generated) {
				times[i] = append(times[i], stepEnd)
				drawn++
			}
		}
		// A step whose every row drew a token read no prompt (a prompt's
		// last row draws its first token, but its other rows do not).
		if rows := b.Profile.Rows - rowsBefore; rows > 0 && rows == drawn {
			st.decodeTokens += drawn
			st.decodeTime += stepEnd.Sub(stepStart)
			if drawn == len(all) {
				st.fullTokens += drawn
				st.fullTime += stepEnd.Sub(stepStart)
			}
		}
		if left == 0 {
			if next == len(all) {
				break
			}
			time.Sleep(all[next].arrival - time.Since(start))
		}
	}
	st.wall, st.profile = time.Since(start), b.Profile
	for i, s := range seqs {
		st.tokens += len(s.Generated)
		st.prompt += len(s.Prompt)
		if !measured[s] || len(times[i]) == 0 {
			continue
		}
		st.ttft = append(st.ttft, ms(times[i][0].Sub(arrived[i])))
		for k := 1; k < len(times[i]); k++ {
			st.itl = append(st.itl, ms(times[i][k].Sub(times[i][k-1])))
		}
		if n := len(times[i]); n > 1 {
			st.perUser = append(st.perUser, float64(n-1)/times[i][n-1].Sub(times[i][0]).Seconds())
		}
	}
	return st, nil
}

func ms(d time.Duration) float64 { return d.Seconds() * 1e3 }

// percentile is the p-th percentile of xs (nearest rank); 0 for none.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[min(len(s)-1, max(0, int(float64(len(s))*p/100+0.5)-1))]
}

// randomPrompt is n random tokens past the first few (the special ones).
func randomPrompt(rng *rand.Rand, n, vocab int) []int32 {
	p := make([]int32, n)
	for i := range p {
		p[i] = int32(3 + rng.IntN(vocab-3))
	}
	return p
}

// randomAdapter is a LoRA of the given rank on every FFN site of every
// layer, with random factors, read in halves as the server reads its
// users' adapters.
func randomAdapter(m *nn.Model, rank int, seed uint64) (*lora.Adapter, error) {
	layers, _ := lora.ParseLayers("all", m.Config.Layers)
	a, err := lora.Random(m, lora.Config{Sites: []nn.Site{nn.SiteGate, nn.SiteUp, nn.SiteDown}, Layers: layers,
		Modules: lora.Modules(1, rank, 0)}, 0.01, rand.New(rand.NewPCG(seed, 0xada)))
	if err == nil {
		a.UseHalves()
	}
	return a, err
}

// adapterBytes is what one such adapter's factors a step reads (halves).
func adapterBytes(m *nn.Model, rank int) int64 {
	c := &m.Config
	return int64(c.Layers) * 3 * int64(rank) * int64(c.Dim+c.FFNDim) * 2
}
