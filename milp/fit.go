package milp

import (
	"fmt"
	"math/rand/v2"

	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/nn/chat"
	"github.com/milp-lite/milp-lite/train"
	"github.com/milp-lite/milp-lite/userdata"
)

// Budget is the training each adapter gets, the same for every method and
// every trial so that they compare at equal cost.
type Budget struct {
	Epochs int
	Batch  int // sequences per optimizer step
	Ctx    int // tokens per training sequence
	Seed   uint64
}

// DefaultBudget suits the embedded model: a few passes over a user's history.
var DefaultBudget = Budget{Epochs: 3, Batch: 4, Ctx: 256, Seed: 1}

// History is a user's conversations prepared for training on one model.
type History struct {
	Seqs   []train.Sequence
	Tokens int // counted (assistant) tokens
}

// PrepareHistory renders and packs conversations for m (with its chat
// template, or chat.Plain lines when it has none).
func PrepareHistory(m *nn.Model, convs []userdata.Conversation, ctx int) (*History, error) {
	seqs, err := train.Prepare(m, trainConversations(convs), ctx)
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

func trainConversations(convs []userdata.Conversation) []train.Conversation {
	out := make([]train.Conversation, len(convs))
	for i, c := range convs {
		out[i].Messages = chatMessages(c.Messages)
	}
	return out
}

func chatMessages(ms []userdata.Message) []chat.Message {
	out := make([]chat.Message, len(ms))
	for i, m := range ms {
		out[i] = chat.Message{Role: m.Role, Content: m.Content}
	}
	return out
}

// Fit trains the placement's LoRA modules on the history within the budget
// and returns them folded into one adapter, with the last epoch's mean loss.
func Fit(m *nn.Model, h *History, p Placement, b Budget) (*lora.Adapter, float64, error) {
	set, err := lora.New(m, p.LoRAConfig(), rand.New(rand.NewPCG(b.Seed, 0x10a)))
	if err != nil {
		return nil, 0, err
	}
	perEpoch := (len(h.Seqs) + b.Batch - 1) / b.Batch
	total := perEpoch * b.Epochs
	tr, err := train.NewTrainer(m, set, b.Ctx, train.Hyper{LR: p.LR, WarmupSteps: min(total/10, 10), ClipNorm: 1, Batch: b.Batch, Seed: b.Seed}, total)
	if err != nil {
		return nil, 0, err
	}
	var epochLoss float64
	for tr.Step < total {
		batch, _, endsEpoch := tr.NextBatch(h.Seqs)
		if tr.Step%perEpoch == 0 {
			epochLoss = 0
		}
		loss, _, err := tr.TrainStep(batch)
		if err != nil {
			return nil, 0, err
		}
		epochLoss += loss
		if endsEpoch && tr.Step == total {
			epochLoss /= float64(perEpoch)
		}
	}
	return set.Fold(), epochLoss, nil
}
