package train

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"strings"

	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/nn"
)

// Options are a training run: data, placement of the LoRA modules,
// optimisation and bookkeeping.
type Options struct {
	Data            string // JSONL conversations
	Out             string // adapter GGUF to write
	Checkpoint      string // checkpoint file ("": Out + ".ckpt")
	Sites           []nn.Site
	Layers          []int
	Rank            int
	Alpha           float32
	LorasPerSite    int
	Dropout         float32
	Epochs          int
	Ctx             int
	ValSplit        float64 // fraction of conversations held out
	CheckpointEvery int     // steps between checkpoints (0: only on interruption)
	Resume          bool
	Hyper           Hyper

	Stop    func() bool     // polled after each step: true saves a checkpoint and returns
	OnStart func(total int) // the number of optimizer steps of the run
	OnStep  func(step int, loss float64, tokens int)
	OnEpoch func(epoch int, trainLoss, valLoss float64)
}

// Result summarises a run.
type Result struct {
	Steps       int
	TrainLoss   float64 // mean over the last epoch's steps
	ValLoss     float64 // after the last epoch (0 without a validation split)
	Interrupted bool
	Adapter     *lora.Adapter
}

func (o *Options) checkpointPath() string {
	if o.Checkpoint != "" {
		return o.Checkpoint
	}
	return o.Out + ".ckpt"
}

// signature identifies a configuration, so a checkpoint is only resumed
// into the run that wrote it.
func (o *Options) signature() string {
	return fmt.Sprintf("data=%s sites=%v layers=%v rank=%d alpha=%g loras=%d ctx=%d batch=%d epochs=%d lr=%g seed=%d",
		o.Data, o.Sites, o.Layers, o.Rank, o.Alpha, o.LorasPerSite, o.Ctx, o.Hyper.Batch, o.Epochs, o.Hyper.LR, o.Hyper.Seed)
}

// Split shuffles conversations with the seed and holds out a fraction for
// validation (at least one when the fraction is positive and there are two).
func Split(convs []Conversation, frac float64, seed uint64) (trainSet, val []Conversation) {
	order := rand.New(rand.NewPCG(seed, 0x5b1)).Perm(len(convs))
	nVal := 0
	if frac > 0 && len(convs) > 1 {
		nVal = min(len(convs)-1, max(1, int(frac*float64(len(convs))+0.5)))
	}
	for i, k := range order {
		if i < nVal {
			val = append(val, convs[k])
		} else {
			trainSet = append(trainSet, convs[k])
		}
	}
	return trainSet, val
}

// Prepare tokenises and packs conversations for m.
func Prepare(m *nn.Model, convs []Conversation, ctx int) ([]Sequence, error) {
	r, err := NewRenderer(m)
	if err != nil {
		return nil, err
	}
	exs := make([]Example, 0, len(convs))
	for _, c := range convs {
		ex, err := r.Tokenize(c)
		if err != nil {
			return nil, err
		}
		exs = append(exs, ex)
	}
	return Pack(exs, ctx), nil
}

// Run trains an adapter as o says and writes it to o.Out.
func Run(m *nn.Model, o Options) (*Result, error) {
	if o.Epochs < 1 || o.Rank < 1 || o.LorasPerSite < 1 || o.Alpha <= 0 || o.Ctx < 2 {
		return nil, fmt.Errorf("train: epochs, rank, loras per site and alpha must be positive and ctx at least 2")
	}
	convs, err := ReadJSONL(o.Data)
	if err != nil {
		return nil, err
	}
	trConvs, valConvs := Split(convs, o.ValSplit, o.Hyper.Seed)
	trainSeqs, err := Prepare(m, trConvs, o.Ctx)
	if err != nil {
		return nil, err
	}
	valSeqs, err := Prepare(m, valConvs, o.Ctx)
	if err != nil {
		return nil, err
	}
	if len(trainSeqs) == 0 {
		return nil, fmt.Errorf("%s: no assistant tokens to train on", o.Data)
	}
	mods := make([]lora.ModuleConfig, o.LorasPerSite)
	for i := range mods {
		mods[i] = lora.ModuleConfig{Rank: o.Rank, Alpha: o.Alpha}
	}
	set, err := lora.New(m, lora.Config{Sites: o.Sites, Layers: o.Layers, Modules: mods, Dropout: o.Dropout},
		rand.New(rand.NewPCG(o.Hyper.Seed, 0x10a)))
	if err != nil {
		return nil, err
	}
	perEpoch := (len(trainSeqs) + o.Hyper.Batch - 1) / o.Hyper.Batch
	total := perEpoch * o.Epochs
	tr, err := NewTrainer(m, set, o.Ctx, o.Hyper, total)
	if err != nil {
		return nil, err
	}
	if o.Resume {
		if err := tr.Resume(o.checkpointPath(), o.signature()); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	if o.OnStart != nil {
		o.OnStart(total)
	}
	res := &Result{}
	var epochLoss float64
	for tr.Step < total {
		batch, epoch, endsEpoch := tr.NextBatch(trainSeqs)
		if tr.Step%perEpoch == 0 {
			epochLoss = 0
		}
		loss, tokens, err := tr.TrainStep(batch)
		if err != nil {
			return nil, err
		}
		epochLoss += loss
		if o.OnStep != nil {
			o.OnStep(tr.Step, loss, tokens)
		}
		if endsEpoch {
			res.TrainLoss = epochLoss / float64(perEpoch)
			if len(valSeqs) > 0 {
				if res.ValLoss, err = tr.Evaluate(valSeqs); err != nil {
					return nil, err
				}
			}
			if o.OnEpoch != nil {
				o.OnEpoch(epoch, res.TrainLoss, res.ValLoss)
			}
		}
		stop := o.Stop != nil && o.Stop()
		if stop || (o.CheckpointEvery > 0 && tr.Step%o.CheckpointEvery == 0 && tr.Step < total) {
			if err := tr.SaveCheckpoint(o.checkpointPath(), o.signature()); err != nil {
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
	res.Adapter.Meta = o.metadata(set, res)
	if !res.Interrupted {
		if err := res.Adapter.Save(o.Out); err != nil {
			return nil, err
		}
		// A finished run needs no checkpoint; a stale one would resume into it.
		os.Remove(o.checkpointPath())
	}
	return res, nil
}

// metadata records how the adapter was trained, under milp.lora.*.
func (o *Options) metadata(set *lora.Set, res *Result) []gguf.KV {
	names := make([]string, len(o.Sites))
	for i, s := range o.Sites {
		names[i] = s.String()
	}
	layers := make([]int32, len(o.Layers))
	for i, l := range o.Layers {
		layers[i] = int32(l)
	}
	ranks := make([]int32, len(set.Config.Modules))
	alphas := make([]float32, len(set.Config.Modules))
	for i, mc := range set.Config.Modules {
		ranks[i], alphas[i] = int32(mc.Rank), mc.Alpha
	}
	return []gguf.KV{
		{Key: "milp.lora.targets", Value: gguf.Str(strings.Join(names, ","))},
		{Key: "milp.lora.layers", Value: gguf.Int32Array(layers)},
		{Key: "milp.lora.ranks", Value: gguf.Int32Array(ranks)},
		{Key: "milp.lora.alphas", Value: gguf.Float32Array(alphas)},
		{Key: "milp.lora.modules_per_site", Value: gguf.U32(uint32(len(ranks)))},
		{Key: "milp.lora.dropout", Value: gguf.F32(o.Dropout)},
		{Key: "milp.lora.data", Value: gguf.Str(o.Data)},
		{Key: "milp.lora.epochs", Value: gguf.U32(uint32(o.Epochs))},
		{Key: "milp.lora.lr", Value: gguf.F32(float32(o.Hyper.LR))},
		{Key: "milp.lora.batch", Value: gguf.U32(uint32(o.Hyper.Batch))},
		{Key: "milp.lora.ctx", Value: gguf.U32(uint32(o.Ctx))},
		{Key: "milp.lora.seed", Value: gguf.U64(o.Hyper.Seed)},
		{Key: "milp.lora.steps", Value: gguf.U32(uint32(res.Steps))},
		{Key: "milp.lora.final_train_loss", Value: gguf.F32(float32(res.TrainLoss))},
		{Key: "milp.lora.final_val_loss", Value: gguf.F32(float32(res.ValLoss))},
	}
}
