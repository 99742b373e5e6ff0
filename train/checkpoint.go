package train

import (
	"fmt"

	"github.com/milp-lite/milp-lite/gguf"
	"github.com/milp-lite/milp-lite/quant"
)

// Checkpoint keys. A checkpoint is a GGUF file holding every module's
// factors (unfolded, as trained), the AdamW moments and the counters that
// make up the trainer's RNG state; it is written atomically.
const (
	ckptStep      = "milp.checkpoint.step"
	ckptAdamStep  = "milp.checkpoint.adam_step"
	ckptSeed      = "milp.checkpoint.seed"
	ckptSignature = "milp.checkpoint.signature"
	ckptEpochLoss = "milp.checkpoint.epoch_loss"
)

// SaveCheckpoint writes the trainer's state to path. signature describes
// the run's configuration; Resume refuses a checkpoint of another one.
func (tr *Trainer) SaveCheckpoint(path, signature string) error {
	b := gguf.NewBuilder()
	b.Set("general.type", gguf.Str("milp-lite-checkpoint"))
	b.Set(ckptStep, gguf.U64(uint64(tr.Step)))
	b.Set(ckptAdamStep, gguf.U64(uint64(tr.Opt.Step)))
	b.Set(ckptSeed, gguf.U64(tr.Recipe.Seed))
	b.Set(ckptEpochLoss, gguf.F64(tr.EpochLoss))
	b.Set(ckptSignature, gguf.Str(signature))
	for k, p := range tr.Params {
		for _, t := range []struct {
			suffix string
			vals   []float32
		}{{"", p.Value}, {".adam_m", tr.Opt.M[k]}, {".adam_v", tr.Opt.V[k]}} {
			data, err := quant.Quantize(quant.F32, t.vals)
			if err == nil {
				err = b.AddTensor(p.Name+t.suffix, quant.F32, []uint64{uint64(len(t.vals))}, data)
			}
			if err != nil {
				return fmt.Errorf("checkpoint %s: %w", p.Name, err)
			}
		}
	}
	return b.WriteFile(path)
}

// Resume restores the state saved by SaveCheckpoint into a trainer of the
// same configuration.
func (tr *Trainer) Resume(path, signature string) error {
	f, err := gguf.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if sig, _ := f.String(ckptSignature); sig != signature {
		return fmt.Errorf("%s: checkpoint of another configuration (%s), this run is %s", path, sig, signature)
	}
	step, err1 := f.Uint(ckptStep)
	adam, err2 := f.Uint(ckptAdamStep)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("%s: not a milp-lite checkpoint: missing step counters", path)
	}
	for k, p := range tr.Params {
		for _, t := range []struct {
			suffix string
			vals   []float32
		}{{"", p.Value}, {".adam_m", tr.Opt.M[k]}, {".adam_v", tr.Opt.V[k]}} {
			ti, ok := f.Tensor(p.Name + t.suffix)
			if !ok || ti.Type != quant.F32 || ti.Elements() != uint64(len(t.vals)) {
				return fmt.Errorf("%s: tensor %q is missing or has the wrong shape", path, p.Name+t.suffix)
			}
			if err := quant.Dequantize(quant.F32, f.TensorData(ti), t.vals); err != nil {
				return fmt.Errorf("%s: tensor %q: %w", path, p.Name+t.suffix, err)
			}
		}
	}
	epochLoss, err := f.Float(ckptEpochLoss)
	if err != nil {
		return fmt.Errorf("%s: not a milp-lite checkpoint: missing the epoch's loss", path)
	}
	tr.Step, tr.Opt.Step, tr.EpochLoss = int(step), int(adam), epochLoss
	return nil
}
