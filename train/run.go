package train

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"math/rand/v2"
	"os"

	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/nn"
)

// Control is a run's optional bookkeeping: checkpoints, interruption and
// progress. The zero Control trains to the end with none of them.
type Control struct {
	Checkpoint      string // checkpoint file ("": no checkpoints)
	CheckpointEvery int    // steps between checkpoints (0: only on interruption)
	Resume          bool   // continue from Checkpoint if it exists

	Stop    func() bool     // polled after each step: true saves a checkpoint and returns
	OnStart func(total int) // the number of optimizer steps of the run
	OnStep  func(step int, loss float64, tokens int)
	OnEpoch func(epoch int, trainLoss, valLoss float64)
}

// Result summarises a run.
type Result struct {
	Steps       int
	TrainLoss   float64 // mean over the last epoch's steps
	ValLoss     float64 // after the last epoch (0 without validation sequences)
	Interrupted bool
	Adapter     *lora.Adapter // the modules folded into one adapter
}

// Run trains LoRA modules placed as cfg says on trainSeqs by recipe r, and
// reports the validation loss on valSeqs (which may be empty) after each
// epoch. It is the one training loop of milp-lite.
func Run(m *nn.Model, trainSeqs, valSeqs []Sequence, cfg lora.Config, r Recipe, c Control) (*Result, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	if len(trainSeqs) == 0 {
		return nil, fmt.Errorf("train: no sequences with assistant tokens to learn")
	}
	set, err := lora.New(m, cfg, rand.New(rand.NewPCG(r.Seed, 0x10a)))
	if err != nil {
		return nil, err
	}
	perEpoch := r.stepsPerEpoch(len(trainSeqs))
	total := perEpoch * r.Epochs
	tr, err := NewTrainer(m, set, r, total)
	if err != nil {
		return nil, err
	}
	var signature string
	if c.Checkpoint != "" {
		signature = runSignature(trainSeqs, cfg, r)
	}
	if c.Resume && c.Checkpoint != "" {
		if err := tr.Resume(c.Checkpoint, signature); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	if c.OnStart != nil {
		c.OnStart(total)
	}
	res := &Result{}
	for tr.Step < total {
		batch, epoch, endsEpoch := tr.NextBatch(trainSeqs)
		if tr.Step%perEpoch == 0 {
			tr.EpochLoss = 0
		}
		loss, tokens, err := tr.TrainStep(batch)
		if err != nil {
			return nil, err
		}
		tr.EpochLoss += loss
		if c.OnStep != nil {
			c.OnStep(tr.Step, loss, tokens)
		}
		if endsEpoch {
			res.TrainLoss = tr.EpochLoss / float64(perEpoch)
			if len(valSeqs) > 0 {
				if res.ValLoss, err = tr.Evaluate(valSeqs); err != nil {
					return nil, err
				}
			}
			if c.OnEpoch != nil {
				c.OnEpoch(epoch, res.TrainLoss, res.ValLoss)
			}
		}
		stop := c.Stop != nil && c.Stop()
		due := c.CheckpointEvery > 0 && tr.Step%c.CheckpointEvery == 0 && tr.Step < total
		if c.Checkpoint != "" && (stop || due) {
			if err := tr.SaveCheckpoint(c.Checkpoint, signature); err != nil {
				return nil, err
			}
		}
		if stop {
			res.Interrupted = true
			break
		}
	}
	res.Steps = tr.Step
	res.Adapter = set.Fold()
	if !res.Interrupted && c.Checkpoint != "" {
		// A finished run needs no checkpoint; a stale one would resume into it.
		os.Remove(c.Checkpoint)
	}
	return res, nil
}

// runSignature identifies a run's data and configuration, so a checkpoint
// is only resumed into the run that wrote it.
func runSignature(seqs []Sequence, cfg lora.Config, r Recipe) string {
	h := fnv.New64a()
	for _, s := range seqs {
		binary.Write(h, binary.LittleEndian, int64(len(s.Tokens)))
		binary.Write(h, binary.LittleEndian, s.Tokens)
		binary.Write(h, binary.LittleEndian, s.Loss)
	}
	return fmt.Sprintf("data=%016x sites=%v layers=%v modules=%v dropout=%g epochs=%d batch=%d ctx=%d lr=%g decay=%g clip=%g seed=%d",
		h.Sum64(), cfg.Sites, cfg.Layers, cfg.Modules, cfg.Dropout, r.Epochs, r.Batch, r.TrainCtx, r.LR, r.WeightDecay, r.ClipNorm, r.Seed)
}
