package milp

import (
	"fmt"

	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/train"
	"github.com/milp-lite/milp-lite/userdata"
)

// History is a user's conversations prepared for training on one model.
type History struct {
	Seqs   []train.Sequence
	Tokens int // counted (assistant) tokens
}

// PrepareHistory renders and packs conversations for m (with its chat
// template, or chat.Plain lines when it has none) into sequences of the
// recipe's training context.
func PrepareHistory(m *nn.Model, convs []userdata.Conversation, trainCtx int) (*History, error) {
	seqs, err := train.Prepare(m, convs, trainCtx)
	if err != nil {
		return nil, err
	}
	h := &History{Seqs: seqs}
	for _, s := range seqs {
		h.Tokens += s.Targets()
	}
	if h.Tokens == 0 {
		return nil, fmt.Errorf("the history has no assistant replies to learn")
	}
	return h, nil
}

// Fit trains the placement's LoRA modules on the history by the recipe, at
// the placement's learning rate, and returns them folded into one adapter
// with the last epoch's mean loss.
func Fit(m *nn.Model, h *History, p Placement, r train.Recipe) (*lora.Adapter, float64, error) {
	r.LR = p.LR
	res, err := train.Run(m, h.Seqs, nil, p.LoRAConfig(), r, train.Control{})
	if err != nil {
		return nil, 0, err
	}
	return res.Adapter, res.TrainLoss, nil
}
