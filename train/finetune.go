package train

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/lora"
	"github.com/milp-lite/milp-lite/nn"
	"github.com/milp-lite/milp-lite/userdata"
)

// FineTune is `milp-lite lora train`: one adapter of a fixed placement
// trained on a file of conversations.
type FineTune struct {
	Data     string  // JSONL conversations (userdata.ReadConversations)
	Out      string  // adapter GGUF to write
	ValSplit float64 // fraction of conversations held out for the validation loss
	LoRA     lora.Config
	Recipe   Recipe
	Control  Control // Checkpoint "" means Out + ".ckpt"
}

// Run reads the data, holds out the validation conversations, trains, and
// writes the adapter with how it was trained in its metadata (milp.lora.*).
// An interrupted run writes only its checkpoint.
func (f FineTune) Run(m *nn.Model) (*Result, error) {
	convs, err := userdata.ReadConversations(f.Data)
	if err != nil {
		return nil, err
	}
	trConvs, valConvs := userdata.HoldOut(convs, f.Recipe.Seed, f.ValSplit)
	trainSeqs, err := Prepare(m, trConvs, f.Recipe.TrainCtx)
	if err != nil {
		return nil, err
	}
	if len(trainSeqs) == 0 {
		return nil, fmt.Errorf("%s: no assistant replies to learn from", f.Data)
	}
	valSeqs, err := Prepare(m, valConvs, f.Recipe.TrainCtx)
	if err != nil {
		return nil, err
	}
	c := f.Control
	if c.Checkpoint == "" {
		c.Checkpoint = f.Out + ".ckpt"
	}
	res, err := Run(m, trainSeqs, valSeqs, f.LoRA, f.Recipe, c)
	if err != nil || res.Interrupted {
		return res, err
	}
	res.Adapter.Meta = f.metadata(res)
	return res, res.Adapter.Save(f.Out)
}

// metadata records how the adapter was trained, under milp.lora.*.
func (f FineTune) metadata(res *Result) []gguf.KV {
	names := make([]string, len(f.LoRA.Sites))
	for i, s := range f.LoRA.Sites {
		names[i] = s.String()
	}
	layers := make([]int32, len(f.LoRA.Layers))
	for i, l := range f.LoRA.Layers {
		layers[i] = int32(l)
	}
	ranks := make([]int32, len(f.LoRA.Modules))
	alphas := make([]float32, len(f.LoRA.Modules))
	for i, mc := range f.LoRA.Modules {
		ranks[i], alphas[i] = int32(mc.Rank), mc.Alpha
	}
	r := f.Recipe
	return []gguf.KV{
		{Key: "milp.lora.targets", Value: gguf.Str(strings.Join(names, ","))},
		{Key: "milp.lora.layers", Value: gguf.Int32Array(layers)},
		{Key: "milp.lora.ranks", Value: gguf.Int32Array(ranks)},
		{Key: "milp.lora.alphas", Value: gguf.Float32Array(alphas)},
		{Key: "milp.lora.modules_per_site", Value: gguf.U32(uint32(len(ranks)))},
		{Key: "milp.lora.dropout", Value: gguf.F32(f.LoRA.Dropout)},
		// The file's base name: the adapter travels, the training machine's paths stay behind.
		{Key: "milp.lora.data", Value: gguf.Str(filepath.Base(f.Data))},
		{Key: "milp.lora.epochs", Value: gguf.U32(uint32(r.Epochs))},
		{Key: "milp.lora.lr", Value: gguf.F32(float32(r.LR))},
		{Key: "milp.lora.batch", Value: gguf.U32(uint32(r.Batch))},
		{Key: "milp.lora.ctx", Value: gguf.U32(uint32(r.TrainCtx))},
		{Key: "milp.lora.seed", Value: gguf.U64(r.Seed)},
		{Key: "milp.lora.steps", Value: gguf.U32(uint32(res.Steps))},
		{Key: "milp.lora.final_train_loss", Value: gguf.F32(float32(res.TrainLoss))},
		{Key: "milp.lora.final_val_loss", Value: gguf.F32(float32(res.ValLoss))},
	}
}
