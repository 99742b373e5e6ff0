package train

import (
	"fmt"
	"math/rand/v2"

	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/optim"
)

// Trainer trains a LoRA set on packed sequences, one optimizer step at a
// time. Its randomness is a function of (Seed, epoch) for the order and
// (Seed, step) for dropout, so the step and epoch counters are its whole RNG
// state and a resumed run continues exactly where it stopped.
type Trainer struct {
	Model  *nn.Model
	Set    *lora.Set
	Dec    *Decoder
	Opt    *optim.AdamW
	Recipe Recipe
	Sched  optim.Schedule
	Params []optim.Param
	Step   int // optimizer steps taken

	// EpochLoss is the sum of the current epoch's step losses so far: part
	// of a checkpoint, so a run resumed mid-epoch reports the epoch's mean.
	EpochLoss float64

	targets []int32
	weights []float32
}

// NewTrainer prepares training of set on m by recipe r, over totalSteps
// optimizer steps.
func NewTrainer(m *nn.Model, set *lora.Set, r Recipe, totalSteps int) (*Trainer, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	dec, err := NewDecoder(m, set, r.TrainCtx)
	if err != nil {
		return nil, err
	}
	ps := set.Params()
	return &Trainer{Model: m, Set: set, Dec: dec, Opt: optim.NewAdamW(ps, r.WeightDecay), Recipe: r, Params: ps,
		Sched:   optim.Schedule{Peak: r.LR, Min: r.LR / 10, Warmup: warmupSteps(totalSteps), Total: totalSteps},
		targets: make([]int32, r.TrainCtx), weights: make([]float32, r.TrainCtx)}, nil
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
	rng := rand.New(rand.NewPCG(tr.Recipe.Seed^0xd20b0a7, uint64(tr.Step)))
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
	optim.ClipGradNorm(tr.Params, tr.Recipe.ClipNorm)
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
// are taken in the seeded order of the step's epoch, Recipe.Batch at a time.
// It also says which epoch that is and whether the batch ends it.
func (tr *Trainer) NextBatch(seqs []Sequence) (batch []Sequence, epoch int, endsEpoch bool) {
	perEpoch := tr.Recipe.stepsPerEpoch(len(seqs))
	epoch, i := tr.Step/perEpoch, tr.Step%perEpoch
	order := EpochOrder(tr.Recipe.Seed, epoch, len(seqs))
	for _, k := range order[i*tr.Recipe.Batch : min((i+1)*tr.Recipe.Batch, len(order))] {
		batch = append(batch, seqs[k])
	}
	return batch, epoch, i == perEpoch-1
}

// EpochOrder is the order of n sequences in an epoch, from the seed.
func EpochOrder(seed uint64, epoch, n int) []int {
	return rand.New(rand.NewPCG(seed, uint64(epoch)+1)).Perm(n)
}
