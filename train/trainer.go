package train

import (
	"fmt"
	"math/rand/v2"

	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/optim"
)

// Hyper are the optimisation settings.
type Hyper struct {
	LR          float64 // peak learning rate
	MinLR       float64 // end of the cosine (default LR/10)
	WarmupSteps int
	WeightDecay float64
	ClipNorm    float64 // global gradient norm limit (0: none)
	Batch       int     // sequences per optimizer step (gradient accumulation)
	Seed        uint64
}

// Trainer trains a LoRA set on packed sequences. Its randomness is a function
// of (Seed, epoch) for the order and (Seed, step) for dropout, so the step
// and epoch counters are its whole RNG state and a resumed run continues
// exactly where it stopped.
type Trainer struct {
	Model  *nn.Model
	Set    *lora.Set
	Dec    *Decoder
	Opt    *optim.AdamW
	Hyper  Hyper
	Sched  optim.Schedule
	Params []optim.Param
	Step   int // optimizer steps taken

	targets []int32
	weights []float32
}

// NewTrainer prepares training of set on m for sequences of up to ctx
// inputs, over totalSteps optimizer steps.
func NewTrainer(m *nn.Model, set *lora.Set, ctx int, h Hyper, totalSteps int) (*Trainer, error) {
	dec, err := NewDecoder(m, set, ctx)
	if err != nil {
		return nil, err
	}
	if h.Batch < 1 {
		return nil, fmt.Errorf("batch %d must be at least 1", h.Batch)
	}
	if h.MinLR == 0 {
		h.MinLR = h.LR / 10
	}
	ps := set.Params()
	return &Trainer{Model: m, Set: set, Dec: dec, Opt: optim.NewAdamW(ps, h.WeightDecay), Hyper: h, Params: ps,
		Sched:   optim.Schedule{Peak: h.LR, Min: h.MinLR, Warmup: h.WarmupSteps, Total: totalSteps},
		targets: make([]int32, ctx), weights: make([]float32, ctx)}, nil
}

// inputs fills the decoder's inputs for s with each counted target weighted w.
func (tr *Trainer) inputs(s Sequence, w float32) ([]int32, []int32, []float32) {
	n := len(s.Tokens) - 1
	copy(tr.targets, s.Tokens[1:])
	for i := 0; i < n; i++ {
		tr.weights[i] = 0
		if s.Loss[i+1] {
			tr.weights[i] = w
		}
	}
	return s.Tokens[:n], tr.targets[:n], tr.weights[:n]
}

// TrainStep runs forward and backward on each sequence of the batch,
// accumulating gradients weighted so the loss is the mean over the batch's
// counted tokens, then clips and takes one AdamW step. It returns that mean
// loss and the number of input tokens processed.
func (tr *Trainer) TrainStep(batch []Sequence) (float64, int, error) {
	total := 0
	for _, s := range batch {
		total += s.Targets()
	}
	if total == 0 {
		return 0, 0, fmt.Errorf("train: a batch with no tokens to learn")
	}
	optim.ZeroGrads(tr.Params)
	rng := rand.New(rand.NewPCG(tr.Hyper.Seed^0xd20b0a7, uint64(tr.Step)))
	var loss float64
	tokens := 0
	for _, s := range batch {
		in, tg, w := tr.inputs(s, 1/float32(total))
		l, err := tr.Dec.Forward(in, tg, w, rng)
		if err != nil {
			return 0, 0, err
		}
		tr.Dec.Backward()
		loss += l
		tokens += len(in)
	}
	optim.ClipGradNorm(tr.Params, tr.Hyper.ClipNorm)
	if err := tr.Opt.Update(tr.Params, tr.Sched.At(tr.Step)); err != nil {
		return 0, 0, err
	}
	tr.Step++
	return loss, tokens, nil
}

// Evaluate is the mean loss per counted token over seqs, without dropout.
func (tr *Trainer) Evaluate(seqs []Sequence) (float64, error) {
	var loss float64
	total := 0
	for _, s := range seqs {
		in, tg, w := tr.inputs(s, 1)
		l, err := tr.Dec.Forward(in, tg, w, nil)
		if err != nil {
			return 0, err
		}
		loss += l
		total += s.Targets()
	}
	if total == 0 {
		return 0, nil
	}
	return loss / float64(total), nil
}

// NextBatch is the batch of the optimizer step the trainer is at: sequences
// are taken in the seeded order of the step's epoch, Hyper.Batch at a time.
// It also says which epoch that is and whether the batch ends it.
func (tr *Trainer) NextBatch(seqs []Sequence) (batch []Sequence, epoch int, endsEpoch bool) {
	perEpoch := (len(seqs) + tr.Hyper.Batch - 1) / tr.Hyper.Batch
	epoch, i := tr.Step/perEpoch, tr.Step%perEpoch
	order := EpochOrder(tr.Hyper.Seed, epoch, len(seqs))
	for _, k := range order[i*tr.Hyper.Batch : min((i+1)*tr.Hyper.Batch, len(order))] {
		batch = append(batch, seqs[k])
	}
	return batch, epoch, i == perEpoch-1
}

// EpochOrder is the order of n sequences in an epoch, from the seed.
func EpochOrder(seed uint64, epoch, n int) []int {
	return rand.New(rand.NewPCG(seed, uint64(epoch)+1)).Perm(n)
}
